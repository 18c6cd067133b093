"""Figures coverage: for every ARRS role, region and month of the previous and current financial
years, whether a maximum and a reimbursement percentage are in force and where the maximum comes
from (arrs.md, "Provenance"); the gaps that refuse claims; the roles whose figures are behind
the other roles of their Agenda for Change band.

A read of reference data, not money: it finds the figure in force the way the claim rule does
(reimbursement.calculations.RateBook: the post's region, then REGION_FALLBACK; the latest date
on or before the 1st of the month; one row per band on that date) and never prices anything.
Three queries, however many figures there are.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.utils import timezone

from pcn_admin.dates import financial_year, year_label

from .models import (
    REGION_FALLBACK,
    Provenance,
    ProvenanceLabels,
    Rate,
    Region,
    ReimbursementPercentage,
    Role,
)

# The regions a post can be in (Region.LONDON is a figure's region only: GPs' one London rate).
POST_REGIONS = (Region.NATIONAL, Region.OUTER_LONDON, Region.INNER_LONDON)
LONDON_REGIONS = (Region.OUTER_LONDON, Region.INNER_LONDON)


class State(StrEnum):
    """What a claim for the role, region and month would find."""

    PUBLISHED = "published"
    DERIVED = "derived"
    MISSING = "missing"
    NOT_YET = "not-yet"  # before the role's first reimbursable day: not a gap


STATE_LABELS = {
    State.PUBLISHED: "Published",
    State.DERIVED: "Derived",
    State.MISSING: "Missing",
    State.NOT_YET: "Not yet reimbursable",
}


@dataclass(frozen=True, slots=True)
class Figure(ProvenanceLabels):
    """A maximum as coverage needs it (a Rate row, read as values)."""

    pk: int
    role_id: int
    region: str
    afc_band: str
    effective_from: dt.date
    annual_max: Decimal
    provenance: str
    superseded: bool

    @property
    def region_label(self) -> str:
        return Region(self.region).label


@dataclass(frozen=True, slots=True)
class Share:
    """A reimbursement percentage in force: for one band, or (band "") for any other band."""

    afc_band: str
    percentage: Decimal

    def __str__(self) -> str:
        text = f"{self.percentage.normalize():f}%"
        return f"band {self.afc_band}: {text}" if self.afc_band else text


@dataclass(frozen=True, slots=True)
class Cell:
    month: dt.date
    reimbursable: bool  # on or after the role's first reimbursable day
    maxima: tuple[Figure, ...]  # the figures of the latest date in force, one per band
    shares: tuple[Share, ...]

    @property
    def state(self) -> State:
        if not self.reimbursable:
            return State.NOT_YET
        if not self.maxima:
            return State.MISSING
        return State.DERIVED if any(f.is_derived for f in self.maxima) else State.PUBLISHED

    @property
    def has_percentage(self) -> bool:
        return bool(self.shares)

    @property
    def claimable(self) -> bool:
        return self.reimbursable and bool(self.maxima) and self.has_percentage

    @property
    def fallback_region(self) -> str:
        """The region whose figure a London post takes when it is not its own ('' if own)."""
        return self.maxima[0].region if self.maxima else ""

    def same_figures(self, other: "Cell") -> bool:
        return (self.reimbursable, self.maxima, self.shares) == (
            other.reimbursable,
            other.maxima,
            other.shares,
        )


@dataclass
class Span:
    """Consecutive months of a row with the same figures: one table cell across them."""

    cells: list[Cell]

    @property
    def first(self) -> Cell:
        return self.cells[0]

    @property
    def months(self) -> int:
        return len(self.cells)

    @property
    def state(self) -> State:
        return self.first.state

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def period(self) -> str:
        return month_range(self.cells[0].month, self.cells[-1].month)

    @property
    def maxima_text(self) -> str:
        figures = self.first.maxima
        if len(figures) == 1:
            return f"£{figures[0].annual_max:,.0f}"
        return "; ".join(f"band {f.afc_band} £{f.annual_max:,.0f}" for f in figures)

    @property
    def shares_text(self) -> str:
        return ", ".join(str(share) for share in self.first.shares)

    @property
    def detail(self) -> str:
        """Each figure's provenance, band, region and start: for the cell's title and CSV."""
        parts = []
        for figure in self.first.maxima:
            band = f"band {figure.afc_band}, " if figure.afc_band else ""
            parts.append(
                f"{figure.provenance_label} ({band}{figure.region_label}, "
                f"from {figure.effective_from:%-d %B %Y})"
            )
        return "; ".join(parts)


@dataclass
class Row:
    role: Role
    region: str
    cells: list[Cell]
    stale: "Stale | None" = None

    @property
    def region_label(self) -> str:
        return Region(self.region).label

    @property
    def spans(self) -> list[Span]:
        spans: list[Span] = []
        for cell in self.cells:
            if spans and spans[-1].first.same_figures(cell):
                spans[-1].cells.append(cell)
            else:
                spans.append(Span([cell]))
        return spans

    @property
    def has_any_figure(self) -> bool:
        return any(cell.maxima for cell in self.cells)

    def months_without(self, *, maximum: bool) -> list[dt.date]:
        """Reimbursable months without a maximum (or, maximum=False, without a percentage)."""
        return [
            cell.month
            for cell in self.cells
            if cell.reimbursable and not (cell.maxima if maximum else cell.has_percentage)
        ]


@dataclass
class Gap:
    """A role that cannot be claimed in some months of the period, for want of a figure."""

    role: Role
    region: str
    no_maximum: list[dt.date]
    no_percentage: list[dt.date]
    months_in_period: int

    def __str__(self) -> str:
        return f"{self.role.name}: {self.description}"

    @property
    def region_label(self) -> str:
        return Region(self.region).label

    @property
    def description(self) -> str:
        parts = []
        if self.no_maximum:
            parts.append("no maximum " + self._when(self.no_maximum))
        if self.no_percentage:
            parts.append("no reimbursement percentage " + self._when(self.no_percentage))
        return "; ".join(parts)

    def _when(self, months: list[dt.date]) -> str:
        if len(months) == self.months_in_period:
            return "in any month"
        return ", ".join(_runs(months))


@dataclass
class Stale:
    """A role whose latest figure is older than another role's on the same band: it may have
    missed an uplift that role received (arrs.md: the DES sets one maximum per band)."""

    role: Role
    afc_band: str
    latest: dt.date
    ahead: Role
    ahead_from: dt.date

    def __str__(self) -> str:
        return (
            f"{self.role.name} (band {self.afc_band}): latest figure from {self.latest:%B %Y}, "
            f"behind {self.ahead.name} on the same band (from {self.ahead_from:%B %Y})"
        )


@dataclass
class LondonBehind:
    """A London region's figure older than the role's national one: the London post is capped
    below a national post's maximum until a London figure is added."""

    role: Role
    region: str
    london_from: dt.date
    national_from: dt.date

    def __str__(self) -> str:
        return (
            f"{self.role.name} ({Region(self.region).label}): latest figure from "
            f"{self.london_from:%B %Y}, older than the national figure (from "
            f"{self.national_from:%B %Y})"
        )


@dataclass
class LondonWithout:
    role: Role
    regions: list[str]

    @property
    def regions_text(self) -> str:
        if len(self.regions) == len(LONDON_REGIONS):
            return "inner and outer London"
        return Region(self.regions[0]).label


@dataclass
class Coverage:
    years: tuple[int, int]
    months: list[dt.date]
    grid: list[Row]  # every role in every region a post can be in
    gaps: list[Gap]  # national: roles that cannot be claimed in some months
    london_gaps: list[Gap]  # London regions with figures in some months but not all
    # Roles with no figure in any month for a London region, and which (both, mostly).
    london_without: list["LondonWithout"]
    stale: list[Stale] = field(default_factory=list)
    london_behind: list[LondonBehind] = field(default_factory=list)

    @property
    def warning_count(self) -> int:
        """Figures that may be out of date: roles behind their band, London behind national."""
        return len(self.stale) + len(self.london_behind)

    @property
    def period(self) -> str:
        return f"{year_label(self.years[0])} and {year_label(self.years[1])}"

    @property
    def year_labels(self) -> list[str]:
        return [year_label(year) for year in self.years]

    @property
    def gap_count(self) -> int:
        return len(self.gaps)

    @property
    def rows(self) -> list[Row]:
        """The rows shown: every role nationally, and a London region where the role has a
        figure in some month (the others are listed once, in `london_without`)."""
        return [row for row in self.grid if row.region == Region.NATIONAL or row.has_any_figure]


def month_range(first: dt.date, last: dt.date) -> str:
    if first == last:
        return f"{first:%B %Y}"
    return f"{first:%B %Y} to {last:%B %Y}"


def _runs(months: list[dt.date]) -> list[str]:
    """Consecutive months as 'in April 2025' or 'from April 2025 to June 2025'."""
    runs: list[list[dt.date]] = []
    for month in months:
        if runs and _next_month(runs[-1][-1]) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return [
        f"in {run[0]:%B %Y}" if len(run) == 1 else f"from {run[0]:%B %Y} to {run[-1]:%B %Y}"
        for run in runs
    ]


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def period_months(today: dt.date) -> tuple[tuple[int, int], list[dt.date]]:
    """The previous and current financial years (April to March) and their 24 months."""
    current = financial_year(today)
    month = dt.date(current - 1, 4, 1)
    months = []
    for _ in range(24):
        months.append(month)
        month = _next_month(month)
    return (current - 1, current), months


def _figures() -> list[Figure]:
    """Every maximum, superseded ones included (they say when a role's table figure dates
    from), latest first."""
    rows = Rate.objects.order_by("-effective_from", "afc_band", "pk").values_list(
        "pk",
        "role_id",
        "region",
        "afc_band",
        "effective_from",
        "annual_max",
        "provenance",
        "superseded_by_id",
    )
    return [Figure(*row[:7], superseded=row[7] is not None) for row in rows]


def _in_force(by_region: dict[str, list[Figure]], region: str, on: dt.date) -> tuple:
    """The figures a post in `region` finds on `on`: from its own region, else the region it
    falls back to; those of the latest date (one per band)."""
    for candidate in REGION_FALLBACK[Region(region)]:
        in_force = [f for f in by_region.get(candidate, ()) if f.effective_from <= on]
        if in_force:
            latest = in_force[0].effective_from
            return tuple(f for f in in_force if f.effective_from == latest)
    return ()


def _shares(rows: list[tuple[str, dt.date, Decimal]], on: dt.date) -> tuple[Share, ...]:
    """The percentages in force on `on`: the latest for each band that has its own, and the
    latest for any band (RateBook.percentage's choice, for every band at once)."""
    latest: dict[str, Share] = {}
    for band, effective_from, percentage in rows:  # latest first
        if effective_from <= on and band not in latest:
            latest[band] = Share(band, percentage)
    return tuple(latest[band] for band in sorted(latest, key=lambda b: (b == "", b)))


def _stale(roles: list[Role], figures: list[Figure]) -> dict[int, Stale]:
    """Roles behind their band. A role's date on a band is that of its latest figure from a
    published table or copied from the band (superseded or not); a figure derived by a pay award
    does not count, since an award applied to a stale figure leaves it as far behind. The
    latest figure of any kind is compared too: a role may have missed an award others got."""
    by_id = {role.pk: role for role in roles}
    table: dict[tuple[int, str], dt.date] = {}
    any_kind: dict[tuple[int, str], dt.date] = {}
    for figure in figures:  # latest first
        if not figure.afc_band:
            continue
        key = (figure.role_id, figure.afc_band)
        if not figure.superseded:
            any_kind.setdefault(key, figure.effective_from)
        if figure.provenance != Provenance.DERIVED_UPLIFT:
            table.setdefault(key, figure.effective_from)
    stale: dict[int, Stale] = {}
    for dates in (table, any_kind):
        by_band: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
        for (role_id, band), date in dates.items():
            by_band[band].append((date, role_id))
        for band, entries in sorted(by_band.items()):
            ahead_from = max(date for date, _ in entries)
            # Among roles level at the top, name the first alphabetically.
            _, ahead_id = min(
                (by_id[role_id].name.casefold(), role_id)
                for date, role_id in entries
                if date == ahead_from
            )
            for date, role_id in entries:
                if date < ahead_from and role_id not in stale:
                    stale[role_id] = Stale(by_id[role_id], band, date, by_id[ahead_id], ahead_from)
    return stale


def figures_coverage(*, today: dt.date | None = None) -> Coverage:
    """Every role's figures, region by region and month by month, for the previous and current
    financial years; the gaps (nationally, and London separately) and the stale roles. Three
    queries."""
    today = today or timezone.localdate()
    years, months = period_months(today)
    roles = list(Role.objects.order_by("name"))
    figures = _figures()
    current: dict[int, dict[str, list[Figure]]] = defaultdict(lambda: defaultdict(list))
    for figure in figures:
        if not figure.superseded:
            current[figure.role_id][figure.region].append(figure)
    percentages: dict[int, list[tuple[str, dt.date, Decimal]]] = defaultdict(list)
    for role_id, band, effective_from, percentage in ReimbursementPercentage.objects.order_by(
        "-effective_from", "afc_band"
    ).values_list("role_id", "afc_band", "effective_from", "percentage"):
        percentages[role_id].append((band, effective_from, percentage))
    stale = _stale(roles, figures)

    coverage = Coverage(years, months, [], [], [], [])
    coverage.stale = sorted(stale.values(), key=lambda s: s.role.name.casefold())
    for role in roles:
        shares = {month: _shares(percentages[role.pk], month) for month in months}
        first_month = role.first_reimbursable.replace(day=1)
        for region in POST_REGIONS:
            row = Row(
                role,
                region,
                [
                    Cell(
                        month,
                        month >= first_month,
                        _in_force(current[role.pk], region, month),
                        shares[month],
                    )
                    for month in months
                ],
                stale.get(role.pk) if region == Region.NATIONAL else None,
            )
            coverage.grid.append(row)
            if region == Region.NATIONAL:
                national = row
            no_maximum = row.months_without(maximum=True)
            no_percentage = row.months_without(maximum=False)
            gap = Gap(role, region, no_maximum, no_percentage, len(months))
            if region == Region.NATIONAL:
                if no_maximum or no_percentage:
                    coverage.gaps.append(gap)
            elif not row.has_any_figure:
                if not coverage.london_without or coverage.london_without[-1].role != role:
                    coverage.london_without.append(LondonWithout(role, []))
                coverage.london_without[-1].regions.append(region)
            else:
                if no_maximum or no_percentage:
                    coverage.london_gaps.append(gap)
                if behind := _london_behind(row, national):
                    coverage.london_behind.append(behind)
    return coverage


def _london_behind(row: Row, national: Row) -> LondonBehind | None:
    """The London row's figure in force in the last month, if older than the national one."""
    london, nationally = row.cells[-1].maxima, national.cells[-1].maxima
    if not (london and nationally):
        return None
    london_from = max(f.effective_from for f in london)
    national_from = max(f.effective_from for f in nationally)
    if london_from < national_from:
        return LondonBehind(row.role, row.region, london_from, national_from)
    return None


def coverage_csv_rows(coverage: Coverage) -> list[list]:
    """One line per role, region, month and band of the maximum in force: the whole grid,
    London regions without figures included."""
    rows: list[list] = [
        [
            "role_code",
            "role",
            "region",
            "month",
            "maximum",
            "afc_band",
            "annual_max",
            "effective_from",
            "provenance",
            "figure_region",
            "percentage",
            "stale",
        ]
    ]
    for row in coverage.grid:
        role = row.role
        stale = str(row.stale) if row.stale else ""
        for cell in row.cells:
            shares = ", ".join(str(share) for share in cell.shares)
            common = [role.code, role.name, row.region, f"{cell.month:%Y-%m}", cell.state.value]
            if not cell.maxima:
                rows.append([*common, "", "", "", "", "", shares, stale])
            for figure in cell.maxima:
                rows.append(
                    [
                        *common,
                        figure.afc_band,
                        f"{figure.annual_max:.2f}",
                        figure.effective_from.isoformat(),
                        figure.provenance,
                        figure.region,
                        shares,
                        stale,
                    ]
                )
    return rows
