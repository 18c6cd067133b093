"""The money of PCN development funding (../shared/domain/pcn-funding.md): a backfill claim's
amount, the clinical directors' share, an allocation's reconciliation, and when a baseline post's
commissioner funding ends. Plain arithmetic on Decimals: the selectors read the sums from the
database, this module works them out. Amounts are rounded to pence once, where each function
says; sums of amounts already in pence are exact and never rounded again.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal

ZERO = Decimal("0")
PENNY = Decimal("0.01")
HUNDRED = Decimal("100")
# One person's backfilled time cannot be more than the hours in a day.
MAX_HOURS_A_DAY = Decimal("24")
# Baseline posts: those in post on 31 March 2019, funded by the commissioner from 2019/20
# ("2019/20 is year 1", seed paper 003). BASELINE_DATE itself is roles.models.BASELINE_DATE.
BASELINE_FIRST_YEAR = 2019


def backfill_amount(hours: Decimal, hourly_rate: Decimal) -> Decimal:
    """Hours x the hourly rate, rounded to pence once (half up): the amount paid."""
    return (Decimal(hours) * Decimal(hourly_rate)).quantize(PENNY, ROUND_HALF_UP)


def clinical_director_minimum(allocated: Decimal, percent: Decimal) -> Decimal:
    """The least to commit to clinical director development: `percent` of the allocation,
    rounded up to the penny, since the rule is "at least"."""
    return (Decimal(allocated) * Decimal(percent) / HUNDRED).quantize(PENNY, ROUND_UP)


def share_percent(part: Decimal, whole: Decimal) -> Decimal:
    """`part` as a percentage of `whole`, to one place, for display only."""
    if not whole:
        return ZERO
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def baseline_funding_end(funded_years: int) -> dt.date:
    """The last day the commissioner funds a baseline post: the end of the last of
    `funded_years` financial years counted from 2019/20 (year 1). Five years: 31 March 2024."""
    return dt.date(BASELINE_FIRST_YEAR + funded_years, 3, 31)


@dataclass(frozen=True)
class DomainFigures:
    """What is committed to and spent on one prospectus domain."""

    domain: str
    label: str
    committed: Decimal
    spent: Decimal

    @property
    def unspent(self) -> Decimal:
        return self.committed - self.spent


@dataclass(frozen=True)
class EarmarkFigures:
    """An earmark within an allocation and what is committed against it."""

    pk: int
    name: str
    amount: Decimal
    committed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed


@dataclass(frozen=True)
class FundingSummary:
    """An allocation reconciled: allocated = committed + remaining (not yet committed), and
    spent is part of committed. The clinical directors' share is judged on commitments."""

    allocated: Decimal
    committed: Decimal
    spent: Decimal
    domains: list[DomainFigures]
    earmarks: list[EarmarkFigures]
    cd_percent: Decimal
    cd_committed: Decimal
    cd_minimum: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.allocated - self.committed

    @property
    def unspent(self) -> Decimal:
        return self.committed - self.spent

    @property
    def earmarked(self) -> Decimal:
        return sum((row.amount for row in self.earmarks), ZERO)

    @property
    def cd_share(self) -> Decimal:
        return share_percent(self.cd_committed, self.allocated)

    @property
    def cd_shortfall(self) -> Decimal:
        return max(self.cd_minimum - self.cd_committed, ZERO)

    @property
    def cd_warning(self) -> bool:
        return self.cd_committed < self.cd_minimum

    @property
    def reconciles(self) -> bool:
        return (
            self.allocated == self.committed + self.remaining
            and self.spent <= self.committed
            and self.committed == sum((row.committed for row in self.domains), ZERO)
            and self.spent == sum((row.spent for row in self.domains), ZERO)
        )


def funding_summary(
    *,
    allocated: Decimal,
    cd_percent: Decimal,
    domains: list[tuple[str, str]],
    committed_by_domain: dict[str, Decimal],
    spent_by_domain: dict[str, Decimal],
    cd_committed: Decimal,
    earmarks: list[EarmarkFigures] = (),
) -> FundingSummary:
    """The reconciliation of one allocation from its sums (each already in pence)."""
    rows = [
        DomainFigures(
            domain=value,
            label=label,
            committed=committed_by_domain.get(value) or ZERO,
            spent=spent_by_domain.get(value) or ZERO,
        )
        for value, label in domains
    ]
    return FundingSummary(
        allocated=allocated,
        committed=sum((row.committed for row in rows), ZERO),
        spent=sum((row.spent for row in rows), ZERO),
        domains=rows,
        earmarks=list(earmarks),
        cd_percent=cd_percent,
        cd_committed=cd_committed or ZERO,
        cd_minimum=clinical_director_minimum(allocated, cd_percent),
    )
