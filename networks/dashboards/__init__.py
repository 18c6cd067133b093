"""The two dashboards' reads: a PCN's (for its clinical director) and a commissioner's.

Each composes the other apps' selectors set-based, so a dashboard costs the same fixed number
of queries however many PCNs, posts, claims or referrals there are. Money comes from the
existing rules only (roles.selectors' entitlement and forecast, reimbursement.selectors'
approved spend). Aggregates only: nothing here reads a patient's name or NHS number.

charts.py: a figure and a chart with its table; years.py: which financial year is shown;
pcn.py and social.py: the PCN dashboard; commissioner.py: the commissioner's.
"""

from .charts import Cell, Chart
from .commissioner import (
    COMMISSIONER_CHARTS,
    OVER_ONE_WTE_LIST_LIMIT,
    SORT_KEYS,
    STALE_AFTER_DAYS,
    UNCLAIMED_ALERT_SHARE,
    CommissionerDashboard,
    PCNRow,
    commissioner_dashboard,
    sort_rows,
)
from .pcn import PCN_CHARTS, PCNDashboard, pcn_dashboard
from .years import YearSelection, financial_year, reference_month, select_year, year_label

__all__ = [
    "COMMISSIONER_CHARTS",
    "OVER_ONE_WTE_LIST_LIMIT",
    "PCN_CHARTS",
    "SORT_KEYS",
    "STALE_AFTER_DAYS",
    "UNCLAIMED_ALERT_SHARE",
    "Cell",
    "Chart",
    "CommissionerDashboard",
    "PCNDashboard",
    "PCNRow",
    "YearSelection",
    "commissioner_dashboard",
    "financial_year",
    "pcn_dashboard",
    "reference_month",
    "select_year",
    "sort_rows",
    "year_label",
]
