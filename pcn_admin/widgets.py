"""Form widgets every app shares.

`DateInput` is the browser's date picker, `<input type="date">`, which reads and writes only
ISO dates (2021-06-01). Django would fill it in with the en-GB display format (01/06/2021),
which the browser discards: an edit form would show its saved date as empty, and saving it
unchanged would fail with "This field is required". Every date field uses this one.
"""

from django import forms

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=ISO_DATE):
        super().__init__(attrs, format=format)
