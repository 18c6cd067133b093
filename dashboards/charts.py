"""The dashboards' building blocks: a figure as shown and as downloaded (Cell), and a chart
with its accessible table (Chart), which the page, static/js/dashboard-charts.js and the CSV
download all read."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
PENNY = Decimal("0.01")

# NHS identity colours, each at least 3:1 against white (WCAG 1.4.11 for chart marks).
BLUE, GREEN, RED, PURPLE = "#005eb8", "#007f3b", "#d5281b", "#330072"
GREY, PINK, DARK_GREY = "#768692", "#ae2573", "#4c6272"


# Formatting: the same figure goes to the table (text) and to the CSV (value) -----------------


@dataclass
class Cell:
    text: str
    value: object = ""
    numeric: bool = False


def money_cell(amount: Decimal | None) -> Cell:
    if amount is None:
        return Cell("Not known", "", True)
    # Stored sums are in pence already; SQLite hands them back through a float, so the CSV
    # gets them to two places as well as the page.
    amount = Decimal(amount).quantize(PENNY, ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return Cell(f"{sign}£{abs(amount):,.2f}", amount, True)


def count_cell(n: int | None) -> Cell:
    return Cell("Not known" if n is None else f"{n:,}", "" if n is None else n, True)


def wte_cell(wte: Decimal) -> Cell:
    wte = wte.quantize(PENNY, ROUND_HALF_UP)
    return Cell(f"{wte:.2f}", wte, True)


def change_cell(change: Decimal | None) -> Cell:
    if change is None:
        return Cell("Not known", "", True)
    return Cell(f"{change:+.1f}", change, True)


def percent_cell(value: Decimal | None) -> Cell:
    if value is None:
        return Cell("Not known", "", True)
    return Cell(f"{value}%", value, True)


def text_cell(text: str) -> Cell:
    return Cell(text, text)


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def money(amount: Decimal | None) -> str:
    return money_cell(amount).text


def percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Chart:
    """A chart and its accessible table: the same rows drawn, tabulated and downloaded."""

    slug: str
    title: str
    summary: str  # one sentence for the chart's text alternative
    columns: list[str]
    rows: list[list[Cell]]
    kind: str = "bar"  # bar or line
    labels: list[str] = field(default_factory=list)
    datasets: list[dict] = field(default_factory=list)
    horizontal: bool = False
    stacked: bool = False
    is_money: bool = False
    value_title: str = ""
    band: dict | None = None
    notes: list[str] = field(default_factory=list)
    empty_message: str = "Nothing to show yet."
    whole_numbers: bool = False  # counts: no 0.5 ticks on the axis
    display_limit: int | None = None  # rows shown on the page; the CSV has them all
    legend: bool = True
    footer: list[Cell] | None = None
    csv_url: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def shown_rows(self) -> list[list[Cell]]:
        return self.rows[: self.display_limit] if self.display_limit else self.rows

    @property
    def hidden_count(self) -> int:
        return len(self.rows) - len(self.shown_rows)

    @property
    def side_by_side(self) -> bool:
        """Chart and table side by side only when the table is narrow enough to sit beside it;
        wider tables go full width under their chart."""
        return bool(self.datasets) and len(self.columns) <= 3

    @property
    def headers(self) -> list[tuple[str, bool]]:
        """Each column's heading, and whether it holds figures (right-aligned)."""
        first = self.rows[0] if self.rows else []
        return [
            (name, index < len(first) and first[index].numeric)
            for index, name in enumerate(self.columns)
        ]

    @property
    def element_id(self) -> str:
        return f"chart-{self.slug}-data"

    @property
    def height_rem(self) -> int:
        """Horizontal bars grow with their number, so long lists stay legible."""
        if self.horizontal:
            return max(12, 4 + 2 * len(self.labels))
        return 20

    @property
    def config(self) -> dict:
        """What static/js/dashboard-charts.js draws (figures as strings: Decimal, never float)."""
        return {
            "type": self.kind,
            "title": self.title,
            "labels": self.labels,
            "datasets": self.datasets,
            "indexAxis": "y" if self.horizontal else "x",
            "stacked": self.stacked,
            "money": self.is_money,
            "valueTitle": self.value_title,
            "whole": self.whole_numbers,
            "legend": self.legend,
            "band": self.band,
        }

    def csv_rows(self) -> list[list]:
        rows = [[cell.value for cell in row] for row in self.rows]
        if self.footer:
            rows.append([cell.value for cell in self.footer])
        return [self.columns, *rows]


def dataset(label: str, data, color: str, **extra) -> dict:
    return {"label": label, "data": list(data), "color": color, **extra}
