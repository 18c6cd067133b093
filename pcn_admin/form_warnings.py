"""Warnings a form gives before it saves: what may be a mistake but is not refused (the same NHS
number referred twice in a day, GP appointments "after" counted before the period is over).

The first post with warnings saves nothing: the page shows them in the NHS.UK warning callout
(templates/_warning_callout.html) and the form carries a fingerprint of what was shown. Sent
again with the same warnings, it saves; a warning not yet shown (the details were changed) is
shown in turn. Refusals stay errors: a warning never stops someone who has read it.
"""

import hashlib

FIELD = "warnings_seen"


def fingerprint(warnings: list[str]) -> str:
    return hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:16]


class WarningsForm:
    """Mix into a form whose view checks for warnings once the form is valid."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []

    def unseen_warnings(self, warnings: list[str]) -> bool:
        """Keep the warnings for the page; True when they were not shown on the page this post
        came from, so the view shows them instead of saving."""
        self.warnings = [warning for warning in warnings if warning]
        return bool(self.warnings) and self.data.get(FIELD) != fingerprint(self.warnings)

    @property
    def warnings_fingerprint(self) -> str:
        return fingerprint(self.warnings)
