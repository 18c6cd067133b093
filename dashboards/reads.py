"""The dashboards' reads in one place, for the pages and the tests."""

from pcn_admin.dates import financial_year, year_label

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
from .years import YearSelection, reference_month, select_year

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
