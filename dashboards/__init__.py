"""The dashboards app, on the top floor: a PCN's dashboard (for its clinical director) and a
commissioner's, reading every other app through its selectors and nothing reading them.

Each composes the other apps' selectors set-based, so a dashboard costs the same fixed number
of queries however many PCNs, posts, claims or referrals there are. Money comes from the
existing rules only (reimbursement's entitlement, forecast and approved spend). Aggregates
only: nothing here reads a patient's name or NHS number.

reads.py gathers what the pages use from charts.py (a figure, a chart with its table),
years.py (which financial year is shown), pcn.py with pcn_charts.py and social.py (the PCN
dashboard) and commissioner.py (the commissioner's); views.py and urls.py are the pages.
"""
