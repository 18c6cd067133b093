"""Reads for the roles app: staff in post, their hours and WTE, and people over 1.0 WTE.

Set-based: a page of posts, or every post of a commissioner's area, costs a fixed number of
queries. What the posts are worth (entitlement, forecast) is money: reimbursement.entitlement.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from networks.models import Commissioner
from pcn_admin.dates import month_bounds

from .models import Post, PostHours, Unit

PENNY = Decimal("0.01")
ZERO = Decimal("0")


def with_hours(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Everything a list of posts shows: role, PCN, employer and the hours history."""
    return posts.select_related("role", "pcn", "employing_practice").prefetch_related(
        Prefetch("hours", queryset=PostHours.objects.order_by("-effective_from"))
    )


def posts_for_list(posts: QuerySet[Post]) -> QuerySet[Post]:
    """The posts a user may see (access.visible_posts), as the lists show them."""
    return with_hours(posts).order_by("pcn__code", "role__name", "person_name", "pk")


def hours_on(post: Post, date: dt.date) -> Decimal | None:
    """The contracted hours (sessions for GPs) in force on `date`; uses prefetched hours."""
    rows = sorted(post.hours.all(), key=lambda row: row.effective_from, reverse=True)
    for row in rows:
        if row.effective_from <= date:
            return row.hours
    # Before the first recorded change: the first hours are the ones it started with.
    return rows[-1].hours if rows else None


def current_hours(post: Post) -> Decimal | None:
    return hours_on(post, max(timezone.localdate(), post.start_date))


def wte_in_month(post: Post, month: dt.date) -> Decimal:
    first, _ = month_bounds(month)
    hours = hours_on(post, max(first, post.start_date)) or ZERO
    return hours / post.role.full_time


def person_key(post: Post) -> str:
    """One person across posts: their registration number when recorded, else their name."""
    if post.registration_number.strip():
        return "reg:" + "".join(post.registration_number.split()).upper()
    return "name:" + " ".join(post.person_name.split()).casefold()


@dataclass
class PersonOverOneWTE:
    key: str
    name: str
    registration_number: str
    total_wte: Decimal
    posts: list[Post] = field(default_factory=list)

    @property
    def pcn_codes(self) -> list[str]:
        return sorted({post.pcn.code for post in self.posts})


def _overlapping(month: dt.date) -> QuerySet[Post]:
    first, last = month_bounds(month)
    return Post.objects.filter(start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )


def people_over_one_wte(
    commissioner: Commissioner | None, month: dt.date
) -> list[PersonOverOneWTE]:
    """People in the commissioner's PCNs whose posts that month add up to more than 1.0 WTE,
    counting their posts in any PCN (a warning for the commissioner, not an error).
    None: every commissioner (superusers)."""
    in_area = _overlapping(month)
    if commissioner is not None:
        in_area = in_area.filter(pcn__commissioner=commissioner)
    area = list(in_area.values_list("registration_number", "person_name"))
    regs = {reg.strip() for reg, _ in area if reg.strip()}
    names = {name for reg, name in area if not reg.strip()}
    candidates = with_hours(
        _overlapping(month).filter(Q(registration_number__in=regs) | Q(person_name__in=names))
    )
    people: dict[str, PersonOverOneWTE] = {}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for post in candidates:
        key = person_key(post)
        totals[key] += wte_in_month(post, month)
        person = people.setdefault(
            key, PersonOverOneWTE(key, post.person_name, post.registration_number, ZERO)
        )
        person.posts.append(post)
    over = []
    for key, person in people.items():
        person.total_wte = totals[key]
        if person.total_wte > 1:
            over.append(person)
    return sorted(over, key=lambda p: p.name.casefold())


# Set-based reads for the forecast and the dashboards ----------------------------------------


@dataclass(slots=True)
class PostRow:
    """A post as the forecast and the staff counts need it, read as plain values rather than
    as a model with its hours prefetched (a commissioner's area is hundreds of posts)."""

    pk: int
    pcn_id: int
    person_name: str
    role_code: str
    role_name: str
    unit: str
    region: str
    afc_band: str
    start_date: dt.date
    end_date: dt.date | None
    is_claimable: bool
    hours: list[tuple[dt.date, Decimal]]  # (effective from, hours), latest first

    def hours_on(self, date: dt.date) -> Decimal | None:
        return _hours_in_force(self.hours, date)

    def wte_in_month(self, month: dt.date) -> Decimal:
        """wte_in_month's figure: the hours on the post's first day in the month, over full
        time."""
        from .models import FULL_TIME

        first, _ = month_bounds(month)
        return (self.hours_on(max(first, self.start_date)) or ZERO) / FULL_TIME[Unit(self.unit)]


def _hours_in_force(rows: list[tuple[dt.date, Decimal]], date: dt.date) -> Decimal | None:
    """hours_on's choice from (effective_from, hours) rows, latest first: the latest change on
    or before the date, else the hours the post started with."""
    for effective_from, hours in rows:
        if effective_from <= date:
            return hours
    return rows[-1][1] if rows else None


POST_ROW_FIELDS = (
    "pk",
    "pcn_id",
    "person_name",
    "role__code",
    "role__name",
    "role__unit",
    "region",
    "afc_band",
    "start_date",
    "end_date",
    "in_post_at_baseline",
    "transferred_from_national_scheme",
    "earlier_post_at_pcn",
)


def post_rows(*, pcn_ids, start: dt.date, end: dt.date) -> list[PostRow]:
    """The PCNs' posts in post at some point from `start` to `end`, in the posts' own order,
    with their hours: two queries."""
    from types import SimpleNamespace

    posts = list(
        Post.objects.filter(pcn_id__in=pcn_ids, start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .order_by(*Post._meta.ordering, "pk")
        .values_list(*POST_ROW_FIELDS)
    )
    hours: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for post_id, effective_from, value in (
        PostHours.objects.filter(post_id__in=[row[0] for row in posts])
        .order_by("post_id", "-effective_from")
        .values_list("post_id", "effective_from", "hours")
    ):
        hours[post_id].append((effective_from, value))
    rows = []
    for pk, pcn_id, name, code, role_name, unit, region, band, begins, ends, *flags in posts:
        # The model's own additionality rule, applied to the three flags.
        claimable = Post.is_claimable.fget(
            SimpleNamespace(
                in_post_at_baseline=flags[0],
                transferred_from_national_scheme=flags[1],
                earlier_post_at_pcn=flags[2],
            )
        )
        rows.append(
            PostRow(
                pk,
                pcn_id,
                name,
                code,
                role_name,
                unit,
                region,
                band,
                begins,
                ends,
                claimable,
                hours[pk],
            )
        )
    return rows


def posts_by_role(posts, *, month: dt.date) -> list[dict]:
    """Staff in post in `month` by ARRS role: how many, their WTE, and the WTE that can be
    claimed (baseline staff and GPs already at the PCN cannot). `posts` from post_rows()."""
    first, last = month_bounds(month)
    roles: dict[str, dict] = {}
    for post in posts:
        if post.start_date > last or (post.end_date and post.end_date < first):
            continue
        row = roles.setdefault(
            post.role_name, {"role": post.role_name, "posts": 0, "wte": ZERO, "claimable": ZERO}
        )
        wte = post.wte_in_month(month)
        row["posts"] += 1
        row["wte"] += wte
        if post.is_claimable:
            row["claimable"] += wte
    return sorted(roles.values(), key=lambda row: (-row["wte"], row["role"]))


@dataclass
class PersonWTE:
    """One person whose posts in a month add up to more than 1.0 WTE: as people_over_one_wte
    finds them, without loading every post as a model (a commissioner's area nationally)."""

    key: str
    name: str
    registration_number: str
    total_wte: Decimal
    pcn_codes: list[str]


def people_over_one_wte_totals(
    commissioner: Commissioner | None, month: dt.date
) -> list[PersonWTE]:
    """people_over_one_wte's people, totals and PCNs, from plain rows in two queries: the
    hours in force (hours_on's rule) are looked up by the database for each post."""
    from types import SimpleNamespace

    from django.db.models import DateField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce, Greatest

    from .models import FULL_TIME

    first, _ = month_bounds(month)
    in_area = _overlapping(month)
    if commissioner is not None:
        in_area = in_area.filter(pcn__commissioner=commissioner)
    area = list(in_area.values_list("registration_number", "person_name"))
    regs = {reg.strip() for reg, _ in area if reg.strip()}
    names = {name for reg, name in area if not reg.strip()}
    changes = PostHours.objects.filter(post_id=OuterRef("pk"))
    on = Greatest(Value(first), OuterRef("start_date"), output_field=DateField())
    rows = (
        _overlapping(month)
        .filter(Q(registration_number__in=regs) | Q(person_name__in=names))
        .annotate(
            # The latest change on or before the day, else the hours the post started with.
            hours_in_force=Coalesce(
                Subquery(
                    changes.filter(effective_from__lte=on)
                    .order_by("-effective_from")
                    .values("hours")[:1]
                ),
                Subquery(changes.order_by("effective_from").values("hours")[:1]),
            )
        )
        .values_list(
            "person_name", "registration_number", "role__unit", "pcn__code", "hours_in_force"
        )
    )
    people: dict[str, PersonWTE] = {}
    for name, registration, unit, pcn_code, hours in rows:
        key = person_key(SimpleNamespace(registration_number=registration, person_name=name))
        person = people.setdefault(key, PersonWTE(key, name, registration, ZERO, []))
        # SQLite hands a subquery's decimal back through a float: restore the stored 2 places.
        hours = ZERO if hours is None else Decimal(str(hours)).quantize(PENNY)
        person.total_wte += hours / FULL_TIME[Unit(unit)]
        if pcn_code not in person.pcn_codes:
            person.pcn_codes.append(pcn_code)
    over = [person for person in people.values() if person.total_wte > 1]
    for person in over:
        person.pcn_codes.sort()
    return sorted(over, key=lambda p: p.name.casefold())
