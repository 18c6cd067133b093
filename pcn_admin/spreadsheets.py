"""Cells written to CSV, TSV and XLSX files that people open in a spreadsheet.

A spreadsheet runs a text cell starting with one of FORMULA_STARTS as a formula (CSV or
formula injection, OWASP), and names in the register and the directory are typed by people
outside the commissioner's office. Every download defuses its text cells with `defused`.
"""

# "-" and "+" start formulas too ("-2+3" runs), so a text cell starting with them is defused;
# numbers are written as numbers and left alone, so a -12.50 adjustment still sums.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defused(value):
    """Text that would run as a formula, with a leading single quote; anything else unchanged.

    The quote is what spreadsheets themselves use to say "this cell is text", so the cell shows
    the original characters and a reader can see it was defused.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
