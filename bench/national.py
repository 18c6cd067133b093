"""National-scale invented data for the benches: 106 Sub-ICB locations, ~6,300 practices,
~1,300 PCNs, 40,000 ARRS posts, a month (or a year) of approved claims and, if asked, 500,000
social prescribing referrals.

`build(months=1, referrals=0)` writes in the caller's transaction (the benches roll it back)
through PostgreSQL's COPY with ids chosen here; referrals are made in the database from
generate_series. On the 2-core machine: one month about 7-14 s, twelve months (the earlier
eleven already in paid batches) about a minute, 500,000 referrals about 50 s more; most of the
rest is the foreign-key checks, run at the end rather than never. Names, codes and NHS numbers
are invented (NHS numbers from the 999 range, which is never issued). Money is whole pence,
held as integers and written as two-place decimals, so every total reconciles to the penny.

Run alone: `.venv/bin/python bench/national.py [months] [referrals]` builds and rolls back.

Ten years: bench/decade.py builds 2016-2026-scale history (4.8 million claim lines, 120 batches
per commissioner, ten ePCN vintages, 5 million referrals with contacts and outcomes) once into
its own database (ten_year_url(), pcn_admin_bench10) and keeps it; it uses the register and the
helpers here, and makes the millions of rows in PostgreSQL.
"""

import datetime as dt
import io
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pcn_admin_bench"
# A month with 2025/26 rates and an ARR sum rate in the seeded reference data.
MONTH = dt.date(2025, 9, 1)
PCN_OPEN = dt.date(2019, 7, 1)
BASELINE = dt.date(2019, 3, 31)
COPY_CHUNK = 50_000
UTC = dt.UTC

# Relative numbers of posts per ARRS role (roles without a seeded national rate are left out:
# their lines could not be worked out). Roughly the national workforce mix.
ROLE_MIX = {
    "clinical_pharmacist": 20,
    "care_coordinator": 17,
    "social_prescribing_link_worker": 13,
    "pharmacy_technician": 10,
    "first_contact_physiotherapist": 8,
    "gp": 8,
    "advanced_practitioner": 6,
    "general_practice_nurse": 6,
    "healthcare_support_worker": 5,
    "consultant_nurse": 1,
}
SUBCONTRACTED_ROLES = {"social_prescribing_link_worker", "care_coordinator"}
LONDON_RATE_ROLES = {"clinical_pharmacist", "gp"}

GIVEN = (
    "Amelia Olivia Isla Ava Mia Ivy Lily Grace Freya Emily Sophie Ella Ruby Chloe Aisha Zara "
    "Priya Hannah Megan Ellie Oliver George Noah Arthur Leo Harry Oscar Jack Thomas James "
    "William Daniel Samuel Joseph Mohammed Adam Ryan Ethan Tom Gareth Ravi Kwame Tomasz Ewan"
).split()
FAMILY = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
    "Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis Harris Milburn "
    "Robson Charlton Armstrong Dodd Bell Forster Ahmed Hussain Begum Kaur Singh Nowak Okafor "
    "Campbell Murray Hughes Edwards Turner Hill Moore Cooper Ward Morris"
).split()
# Posts' people have a middle initial (taken from the post id, so the random sequence and
# everything else generated stays the same): without one, 40,000 posts share about 2,300 names
# and the dashboards' people-over-1.0-WTE check, which matches people without a registration
# number by name, finds seven posts for every name.
INITIALS = "ABCDEFGHJKLMNPRSTW"
PLACES = (
    "Ashby Bramley Calder Denby Eastfield Fernhill Garston Hadley Ingleby Kelsall Langley "
    "Marston Netherton Oakwood Pendle Quarry Bank Radley Saltwell Thornbury Upton Valley "
    "Westbury Yarwood Abbeydale Brookside Castlegate Dunmore Elmswell Fairholme Greystone "
    "Highfield Kingsmead Lowther Moorside Northgate Orchard Parkside Queensway Riverside "
    "Stonebridge Tanfield Underhill Wellgate Whitby Road Millbrook Hollins Ravensworth"
).split()
PRACTICE_KINDS = (
    "Surgery",
    "Medical Centre",
    "Medical Practice",
    "Health Centre",
    "Family Practice",
)
AREAS = (
    "Tyne Valley",
    "Wear and Tees",
    "Humber Coast",
    "West Riding",
    "South Pennines",
    "Fylde",
    "Mersey",
    "Cheshire Plain",
    "Peak District",
    "Trent Vale",
    "Fenland",
    "Black Country",
    "Severn Vale",
    "Marches",
    "Cotswold",
    "Chiltern",
    "Thames Valley",
    "Solent",
    "Weald",
    "Downs",
    "Medway",
    "Essex Coast",
    "Suffolk Coast",
    "Broads",
    "Wolds",
    "Dales",
    "Eden",
    "Lune",
    "Ribble",
    "Calder Valley",
    "Avon",
    "Mendip",
    "Exe",
    "Tamar",
    "Dorset Heath",
    "Wessex",
    "North Thames",
    "South Thames",
    "East Thames",
    "West Thames",
    "Lea Valley",
    "Wandle",
)
CHARITIES = (
    "Valley Community Wellbeing Trust",
    "Northgate Voluntary Action",
    "Riverside Connect CIC",
    "Brookside GP Federation",
    "Highfield Community Partnership",
)
REFERRERS = ("Dr A Patel", "Dr S Khan", "Practice nurse", "Care co-ordinator", "Pharmacist")


@dataclass
class National:
    """What build() made: counts, and the ids a bench may want."""

    month: dt.date
    months: list[dt.date]
    commissioners: int = 0
    practices: int = 0
    pcns: int = 0
    posts: int = 0
    claims: int = 0
    claim_lines: int = 0
    approved_lines_in_month: int = 0
    batched_lines: int = 0
    late_lines: int = 0
    referrals: int = 0
    seconds: float = 0.0
    commissioner_ids: list[int] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{self.commissioners} commissioners, {self.practices} practices, {self.pcns} PCNs, "
            f"{self.posts} posts, {self.claims} claims, {self.claim_lines} lines "
            f"({self.approved_lines_in_month} approved for {self.month:%b %Y}, "
            f"{self.batched_lines} already batched, {self.late_lines} late), "
            f"{self.referrals} referrals"
        )

    def timings(self) -> str:
        return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.phases.items())


def connect() -> None:
    """Point Django at the bench database (DATABASE_URL, else pcn_admin_bench, created if
    missing) and migrate it: the same set-up as bench_imports."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        ensure_database(DEFAULT_URL)
        os.environ["DATABASE_URL"] = DEFAULT_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcn_admin.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def ten_year_url() -> str:
    """The ten-year history's database (bench/decade.py): BENCH10_DATABASE_URL, else
    pcn_admin_bench10 beside the one-year bench database."""
    return os.environ.get("BENCH10_DATABASE_URL") or DEFAULT_URL.replace(
        "/pcn_admin_bench", "/pcn_admin_bench10"
    )


def ensure_database(url: str) -> None:
    """Create the bench database if it is missing (the benches share this)."""
    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[1]
    connection = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


# --- writing rows ------------------------------------------------------------------------


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """One value in COPY's text format (a hot path: types tested cheapest first)."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPES)
    if kind is bool:
        return "t" if value else "f"
    if kind is list or kind is dict:
        return json.dumps(value).translate(_ESCAPES)
    return str(value)


def pounds(pence: int) -> str:
    """Whole pence as a two-place decimal string: 123456 is 1234.56, -5 is -0.05."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


class Writer:
    """Bulk inserts with ids chosen here, so rows can point at each other before they are
    written. COPY on PostgreSQL; bulk_create elsewhere (small sizes only)."""

    def __init__(self):
        from django.db import connection
        from django.utils import timezone

        self.connection = connection
        self.now = timezone.now()
        self.next_ids: dict[type, int] = {}
        self.written: set[type] = set()

    def ids(self, model, count: int) -> range:
        if model not in self.next_ids:
            from django.db.models import Max

            self.next_ids[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        start = self.next_ids[model]
        self.next_ids[model] = start + count
        return range(start, start + count)

    def _defaults(self, model, given: list[str]) -> tuple[list[str], list]:
        """Columns the caller left out that cannot be NULL, with the value each row takes."""
        from django.db import models

        names, values = [], []
        for model_field in model._meta.concrete_fields:
            if model_field.attname in given or model_field.null:
                continue
            if getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                value = self.now
            elif model_field.has_default():
                value = model_field.get_default()
            elif isinstance(model_field, models.CharField | models.TextField):
                value = ""
            else:
                raise ValueError(f"{model.__name__}.{model_field.attname} needs a value")
            names.append(model_field.attname)
            values.append(value)
        return names, values

    def write(self, model, columns: list[str], rows) -> int:
        """Insert rows (tuples in `columns` order, ids included) and return how many."""
        extra_names, extra_values = self._defaults(model, columns)
        names = columns + extra_names
        self.written.add(model)
        if self.connection.vendor != "postgresql":
            objects = [
                model(**dict(zip(names, list(row) + extra_values, strict=True))) for row in rows
            ]
            model.objects.bulk_create(objects, batch_size=2000)
            return len(objects)
        fields = {f.attname: f.column for f in model._meta.concrete_fields}
        column_list = ", ".join(f'"{fields[name]}"' for name in names)
        sql = f'COPY "{model._meta.db_table}" ({column_list}) FROM STDIN'
        tail = "\t".join(_text(v) for v in extra_values)
        tail = "\t" + tail if extra_values else ""
        count = 0
        buffer = io.StringIO()
        with self.connection.cursor() as cursor:
            for row in rows:
                buffer.write("\t".join(_text(v) for v in row) + tail + "\n")
                count += 1
                if count % COPY_CHUNK == 0:
                    buffer.seek(0)
                    cursor.copy_expert(sql, buffer)
                    buffer = io.StringIO()
            if buffer.tell():
                buffer.seek(0)
                cursor.copy_expert(sql, buffer)
        return count

    def finish(self) -> None:
        """Check the foreign keys, move each sequence past the ids chosen here, and refresh the
        planner's statistics (ANALYZE counts this transaction's own rows), so queries are
        planned for real sizes."""
        if self.connection.vendor != "postgresql":
            return
        with self.connection.cursor() as cursor:
            # Django's foreign keys are checked at commit; check them now, so bad data fails
            # here rather than never (benches roll back) and later inserts are checked as
            # they would be in a committed build.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for model in self.written:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'GREATEST((SELECT MAX(id) FROM "{table}"), 1))'
                )
                cursor.execute(f'ANALYZE "{table}"')


# --- the register ------------------------------------------------------------------------


def _clear() -> None:
    """Empty the register and everything hanging off it (claims, batches, posts, referrals,
    users). Refused on a database whose name does not say it is for benches or tests."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if "bench" not in name and "test" not in name:
        raise RuntimeError(
            f"Refusing to empty {name}: national.build(clear=True) is for a bench database. "
            "Point DATABASE_URL at one whose name contains 'bench', or pass clear=False."
        )
    from networks.models import Commissioner, Practice
    from referrals.models import Referral
    from reimbursement.models import Batch, Claim

    if connection.vendor == "postgresql":
        tables = [m._meta.db_table for m in (Commissioner, Practice, Claim, Batch, Referral)]
        with connection.cursor() as cursor:
            figures = _keep_figures()
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            _restore_figures(figures)
    else:
        raise RuntimeError("clear=True needs PostgreSQL; on SQLite start from an empty database.")


def _figure_models():
    from reimbursement.models import StreamRate
    from roles.models import EntitlementRate, Rate, ReimbursementPercentage

    return (Rate, ReimbursementPercentage, EntitlementRate, StreamRate)


def _keep_figures() -> dict:
    """The reference figures, which TRUNCATE ... CASCADE would empty with the users (a figure
    names who confirmed it)."""
    return {model: list(model.objects.values()) for model in _figure_models()}


def _restore_figures(figures: dict) -> None:
    from django.db import transaction

    # One transaction: a superseded figure points at its successor, and the database checks
    # those references (deferred) when it commits.
    with transaction.atomic():
        for model, rows in figures.items():
            model.objects.bulk_create(model(**{**row, "confirmed_by_id": None}) for row in rows)


def _commissioner_code(index: int) -> str:
    # Sub-ICB location codes look like 00L, 01A, 99M: two digits and a letter.
    return f"{index // 20:02d}{'ACDEFHJKLMNPQRTVWXYZ'[index % 20]}"


def _allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` in proportion to `weights`, each part at least `minimum`."""
    spare = total - minimum * len(weights)
    shares = [w / sum(weights) * spare for w in weights]
    parts = [minimum + int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass
class _PCN:
    id: int
    commissioner_id: int
    practice_ids: list[int]
    population: int
    london: str  # "", "inner_london" or "outer_london"


def _build_register(
    writer: Writer, rng: random.Random, *, commissioners: int, pcns: int, years, opened=PCN_OPEN
):
    """The register; `opened` is the day the PCNs, memberships, payees and directors start
    (PCN_OPEN; the ten-year history, bench/decade.py, starts them with its first month)."""
    from networks import models

    c_ids = writer.ids(models.Commissioner, commissioners)
    london = dict.fromkeys(c_ids[-6:-3], "outer_london") | dict.fromkeys(c_ids[-3:], "inner_london")
    writer.write(
        models.Commissioner,
        ["id", "code", "name", "icb_code", "icb_name", "clinical_director_must_be_gp"],
        (
            (
                cid,
                _commissioner_code(i),
                f"NHS {AREAS[i * len(AREAS) // commissioners]} ICB - {_commissioner_code(i)}",
                f"Q{i * len(AREAS) // commissioners + 10:02d}",
                f"NHS {AREAS[i * len(AREAS) // commissioners]} Integrated Care Board",
                True,
            )
            for i, cid in enumerate(c_ids)
        ),
    )
    per_commissioner = _allocate(pcns, [rng.uniform(0.3, 2.0) for _ in c_ids], minimum=3)
    pcn_ids = iter(writer.ids(models.PCN, pcns))
    register: list[_PCN] = []
    for cid, count in zip(c_ids, per_commissioner, strict=True):
        for _ in range(count):
            population = int(min(max(rng.gauss(40_000, 5_500), 24_000), 68_000))
            register.append(_PCN(next(pcn_ids), cid, [], population, london.get(cid, "")))
    total_practices = 0
    practice_rows, membership_rows, list_rows = [], [], []
    sizes = [rng.choices((4, 5, 6), weights=(35, 45, 20))[0] for _ in register]
    practice_ids = iter(writer.ids(models.Practice, sum(sizes)))
    membership_ids = iter(writer.ids(models.Membership, sum(sizes)))
    list_ids = iter(writer.ids(models.ListSize, sum(sizes) * len(years)))
    for pcn, size in zip(register, sizes, strict=True):
        split = [rng.uniform(0.5, 1.6) for _ in range(size)]
        for share in split:
            pid = next(practice_ids)
            total_practices += 1
            pcn.practice_ids.append(pid)
            place = rng.choice(PLACES)
            practice_rows.append(
                (
                    pid,
                    f"{'ABCDEFGHJKLMNPY'[pid % 15]}{80_000 + pid:05d}",
                    f"{place} {rng.choice(PRACTICE_KINDS)}",
                    pcn.commissioner_id,
                    f"{rng.randint(1, 199)} {place} Road",
                    f"{'NLMBSE'[pid % 6]}{rng.randint(1, 30)} {rng.randint(1, 9)}AB",
                    "active",
                )
            )
            membership_rows.append((next(membership_ids), pid, pcn.id, opened, None))
            registered = int(pcn.population * share / sum(split))
            for year in years:
                drift = 1 + (year - years[-1]) * 0.01
                weighted = int(registered * drift * rng.uniform(0.85, 1.2) * 100)
                list_rows.append(
                    (
                        next(list_ids),
                        pid,
                        dt.date(year, 1, 1),
                        int(registered * drift),
                        pounds(weighted),
                    )
                )
    writer.write(
        models.PCN,
        ["id", "code", "name", "commissioner_id", "open_date", "postcode"],
        (
            (
                p.id,
                f"U{10_000 + p.id:05d}",
                f"{rng.choice(PLACES)} {p.id} PCN",
                p.commissioner_id,
                opened,
                "",
            )
            for p in register
        ),
    )
    writer.write(
        models.Practice,
        ["id", "code", "name", "commissioner_id", "address", "postcode", "status"],
        practice_rows,
    )
    writer.write(
        models.Membership,
        ["id", "practice_id", "pcn_id", "start_date", "end_date"],
        membership_rows,
    )
    writer.write(
        models.ListSize,
        ["id", "practice_id", "date", "registered_patients", "weighted_patients"],
        list_rows,
    )
    payee_ids = iter(writer.ids(models.NominatedPayee, len(register)))
    writer.write(
        models.NominatedPayee,
        ["id", "pcn_id", "practice_id", "account_name", "start_date"],
        ((next(payee_ids), p.id, p.practice_ids[0], "", opened) for p in register),
    )
    director_ids = iter(writer.ids(models.ClinicalDirector, len(register)))
    writer.write(
        models.ClinicalDirector,
        ["id", "pcn_id", "name", "professional_registration", "is_gp", "practice_id", "start_date"],
        (
            (
                next(director_ids),
                p.id,
                f"Dr {rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                f"{rng.randint(6_000_000, 7_999_999)}",
                True,
                rng.choice(p.practice_ids),
                opened,
            )
            for p in register
        ),
    )
    return list(c_ids), register, total_practices


# --- ARRS posts --------------------------------------------------------------------------


@dataclass
class _Post:
    id: int
    pcn: _PCN
    role_code: str
    role_id: int
    full_time_c: int  # hundredths of an hour (or session): 3750 or 900
    hours_c: int
    region: str
    band: str
    start: dt.date
    end: dt.date | None
    claimable: bool
    subcontracted: bool


def _reference_data():
    """The seeded ARRS reference data (the roles and reimbursement migrations load it with the
    schema: roles, the published maxima, then the pay awards), read through the app's own
    RateBook."""
    from reimbursement.calculations import RateBook
    from roles.models import Rate, Role

    if not Rate.objects.exists():
        raise RuntimeError("No ARRS figures in the bench database: run migrate on a new one.")
    return {r.code: r for r in Role.objects.all()}, RateBook()


def _rate_on(book, post: _Post, day: dt.date) -> tuple[dt.date, int, int]:
    """The rate in force, as a claim line would find it; a London post in a month with no
    London figure takes the national one (the app would refuse it: bench data only)."""
    from django.core.exceptions import ValidationError

    role = book.roles[post.role_code]
    for region in dict.fromkeys((post.region, "national")):
        try:
            rate = book.rate(role, region, day, post.band)
        except ValidationError:
            continue
        return rate.effective_from, int(rate.annual_max * 100), rate.pk
    raise LookupError(f"No seeded rate for {post.role_code} on {day}: choose a later month.")


def _random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _registration(rng: random.Random, role_code: str) -> str:
    if role_code in ("clinical_pharmacist", "pharmacy_technician", "gp"):
        return f"{rng.randint(2_000_000, 7_999_999)}"  # GPhC or GMC: seven digits
    if role_code == "first_contact_physiotherapist":
        return f"PH{rng.randint(100_000, 999_999)}"
    return f"{rng.randint(10, 99)}{rng.choice('ABCDEFGHJ')}{rng.randint(1000, 9999)}E"  # NMC


POST_COLUMNS = [
    "id",
    "pcn_id",
    "role_id",
    "person_name",
    "registration_number",
    "employing_practice_id",
    "subcontractor_name",
    "afc_band",
    "start_date",
    "end_date",
    "region",
    "in_post_at_baseline",
    "transferred_from_national_scheme",
    "cct_date",
    "earlier_post_at_pcn",
]


def post_terms(rng, pcn, code: str, role) -> tuple[int, int, str, str]:
    """A new post's hours and full time (hundredths of an hour or session), its rate region
    and its AfC band, drawn as the national mix has them (the ten-year bench shares this)."""
    sessions = role.unit == "sessions"
    full_time_c = 900 if sessions else 3750
    if sessions:
        hours_c = rng.choice((500, 600, 700, 800, 900))
    else:
        hours_c = rng.choices((3750, 3000, 2250, 1500), weights=(60, 20, 15, 5))[0]
    region = pcn.london if (pcn.london and code in LONDON_RATE_ROLES) else "national"
    band = rng.choice(("5", "6")) if code == "general_practice_nurse" else ""
    return hours_c, full_time_c, region, band


def post_row(rng, pid, pcn, code, role, *, band, start, end, region, baseline, subcontracted):
    """A post's row in POST_COLUMNS' order, with an invented name; draws its subcontractor or
    employer and, for GPs, the CCT date."""
    cct = start - dt.timedelta(days=rng.randint(30, 600)) if role.unit == "sessions" else None
    return (
        pid,
        pcn.id,
        role.pk,
        f"{rng.choice(GIVEN)} {INITIALS[pid % len(INITIALS)]} {rng.choice(FAMILY)}",
        _registration(rng, code) if role.needs_registration else "",
        None if subcontracted else rng.choice(pcn.practice_ids),
        rng.choice(CHARITIES) if subcontracted else "",
        band or role.afc_band[:10],
        start,
        end,
        region,
        baseline,
        False,
        cct,
        False,
    )


def write_posts(writer, rows: list[tuple], hours) -> None:
    """The posts (POST_COLUMNS) and each one's first hours, (post id, from, hundredths)."""
    from roles.models import Post, PostHours

    writer.write(Post, POST_COLUMNS, rows)
    hour_ids = iter(writer.ids(PostHours, len(rows)))
    writer.write(
        PostHours,
        ["id", "post_id", "effective_from", "hours"],
        ((next(hour_ids), pid, start, pounds(hours_c)) for pid, start, hours_c in hours),
    )


def _build_posts(writer, rng, register, *, count, roles, rates, months) -> list[_Post]:
    from roles.models import Post

    last_day = _month_end(months[-1])
    mix = {code: weight for code, weight in ROLE_MIX.items() if code in roles}
    codes, weights = list(mix), list(mix.values())
    chosen_pcns = rng.choices(register, weights=[p.population for p in register], k=count)
    ids = writer.ids(Post, count)
    posts, rows = [], []
    for pid, pcn, code in zip(ids, chosen_pcns, rng.choices(codes, weights, k=count), strict=True):
        role = roles[code]
        hours_c, full_time_c, region, band = post_terms(rng, pcn, code, role)
        baseline = code in ("clinical_pharmacist", "social_prescribing_link_worker") and (
            rng.random() < 0.01
        )
        earliest = max(role.first_reimbursable, PCN_OPEN)
        start = (
            _random_date(rng, dt.date(2015, 1, 1), BASELINE)
            if baseline
            else _random_date(rng, earliest, last_day)
        )
        end = None
        if rng.random() < 0.015 and start < months[-1]:
            end = _random_date(rng, max(start, months[0]), months[-1] - dt.timedelta(days=1))
        subcontracted = code in SUBCONTRACTED_ROLES and rng.random() < 0.3
        post = _Post(
            pid,
            pcn,
            code,
            role.pk,
            full_time_c,
            hours_c,
            region,
            band,
            start,
            end,
            not baseline,
            subcontracted,
        )
        posts.append(post)
        rows.append(
            post_row(
                rng,
                pid,
                pcn,
                code,
                role,
                band=band,
                start=start,
                end=end,
                region=region,
                baseline=baseline,
                subcontracted=subcontracted,
            )
        )
    write_posts(writer, rows, ((p.id, p.start, p.hours_c) for p in posts))
    return posts


# --- claims and batches ------------------------------------------------------------------


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _months_back(month: dt.date, count: int) -> list[dt.date]:
    months = [month.replace(day=1)]
    for _ in range(count - 1):
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return months[::-1]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


@dataclass
class _Line:
    id: int
    claim_id: int
    pcn: _PCN
    month: dt.date
    reimbursable: int  # pence
    approved: bool
    original: "_Line | None" = None
    late: bool = False

    @property
    def due(self) -> int:
        """What a batch pays for the line (reimbursement.calculations.adjustment_due)."""
        if self.original is not None and self.original.approved:
            return self.reimbursable - self.original.reimbursable
        return self.reimbursable


_DECIMAL_CACHE: dict[tuple[int, int], str] = {}


def _ratio(numerator: int, denominator: int) -> str:
    """numerator / denominator to six places, for the WTE and part-of-month fields."""
    key = (numerator, denominator)
    if key not in _DECIMAL_CACHE:
        millionths = (numerator * 1_000_000 + denominator // 2) // denominator
        _DECIMAL_CACHE[key] = f"{millionths // 1_000_000}.{millionths % 1_000_000:06d}"
    return _DECIMAL_CACHE[key]


LINE_COLUMNS = [
    "id",
    "claim_id",
    "post_id",
    "original_line_id",
    "hours",
    "salary",
    "employer_ni",
    "employer_pension",
    "subcontract_fee",
    "cost",
    "wte",
    "days_in_post",
    "days_in_month",
    "fraction",
    "annual_max",
    "rate_effective_from",
    "rate_used_id",
    "rate",
    "cap",
    "fee_max",
    "fee",
    "reimbursable",
    "calculation_error",
    "calculated_at",
    "status",
    "decision_reason",
    "decided_at",
    "approved_at",
]


_STATUS = LINE_COLUMNS.index("status")  # a pending line's row ends here
_DECIDED_AT = LINE_COLUMNS.index("decided_at")  # a late decision replaces the row from here


def _line_row(rng, line: _Line, post: _Post, *, rates, cost_factor=None) -> tuple:
    """A line's breakdown as the calculation would have stored it, in whole pence."""
    month = line.month
    end_of_month = _month_end(month)
    days_in_month = end_of_month.day
    first = max(month, post.start)
    last = min(end_of_month, post.end or end_of_month)
    days = (last - first).days + 1
    effective_from, annual_pence, rate_id = _rate_on(rates, post, month)
    # cap = annual maximum / 12 x WTE x part of the month, rounded once to the penny.
    denominator = 12 * post.full_time_c * days_in_month
    cap = (annual_pence * post.hours_c * days + denominator // 2) // denominator
    factor = cost_factor if cost_factor is not None else rng.randint(82, 104)
    cost = cap * factor // 100
    salary = cost * 78 // 100
    employer_ni = cost * 9 // 100
    fee = fee_max = None
    fee_pence = 0
    if post.subcontracted and post.role_code == "social_prescribing_link_worker":
        fee_max_pence = 20_000 * post.hours_c // post.full_time_c
        fee_pence = rng.randint(10_000, 20_000) * post.hours_c // post.full_time_c
        fee, fee_max = pounds(min(fee_pence, fee_max_pence)), pounds(fee_max_pence)
        fee_pence = min(fee_pence, fee_max_pence)
    line.reimbursable = min(cost, cap) + fee_pence
    decided = _at(end_of_month + dt.timedelta(days=rng.randint(12, 25)), 10)
    status = "approved" if line.approved else "rejected"
    return (
        line.id,
        line.claim_id,
        post.id,
        line.original.id if line.original else None,
        pounds(post.hours_c),
        pounds(salary),
        pounds(employer_ni),
        pounds(cost - salary - employer_ni),
        pounds(fee_pence),
        pounds(cost),
        _ratio(post.hours_c, post.full_time_c),
        days,
        days_in_month,
        _ratio(days, days_in_month),
        pounds(annual_pence),
        effective_from,
        rate_id,
        "1.0000",
        pounds(cap),
        fee_max,
        fee,
        pounds(line.reimbursable),
        "",
        decided - dt.timedelta(days=8),
        status,
        "" if line.approved else "The costs do not match the payslip: send the correct figures.",
        decided,
        decided if line.approved else None,
    )


def _build_claims(
    writer, rng, register, posts, *, months, rates, adjustment_share, late_share, batch_history
):
    from reimbursement.models import Batch, BatchLine, BatchPayee, Claim, ClaimLine

    posts_by_pcn: dict[int, list[_Post]] = {}
    for post in posts:
        posts_by_pcn.setdefault(post.pcn.id, []).append(post)
    claim_rows, line_rows, lines = [], [], []
    month = months[-1]
    for claim_month in months:
        end = _month_end(claim_month)
        claim_ids = iter(writer.ids(Claim, len(register)))
        for pcn in register:
            claim_id = next(claim_ids)
            in_post = [
                p
                for p in posts_by_pcn.get(pcn.id, ())
                if p.claimable and p.start <= end and (p.end is None or p.end >= claim_month)
            ]
            # A few PCNs' latest claims are still with the reviewer: nothing to batch yet.
            pending = claim_month == month and rng.random() < 0.005
            line_ids = writer.ids(ClaimLine, len(in_post))
            rejected_any = False
            claim_lines = []
            for line_id, post in zip(line_ids, in_post, strict=True):
                approved = not pending and rng.random() >= 0.003
                rejected_any |= not approved and not pending
                line = _Line(line_id, claim_id, pcn, claim_month, 0, approved)
                row = _line_row(rng, line, post, rates=rates)
                if pending:
                    row = row[:_STATUS] + ("pending", "", None, None)
                line_rows.append(row)
                claim_lines.append((line, post))
                if approved:
                    lines.append(line)
            status = "submitted" if pending else ("partly_approved" if rejected_any else "approved")
            submitted = _at(end + dt.timedelta(days=rng.randint(3, 10)), 9)
            claim_rows.append(
                (
                    claim_id,
                    pcn.id,
                    claim_month,
                    "normal",
                    None,
                    status,
                    True,
                    True,
                    submitted,
                    submitted,
                )
            )
            if pending or not claim_lines or rng.random() >= adjustment_share:
                continue
            # An adjustment: corrected full figures for one to three approved lines.
            adjustment_id = writer.ids(Claim, 1)[0]
            corrected = [lp for lp in claim_lines if lp[0].approved][: rng.randint(1, 3)]
            if not corrected:
                continue
            submitted = _at(end + dt.timedelta(days=rng.randint(30, 45)), 9)
            claim_rows.append(
                (
                    adjustment_id,
                    pcn.id,
                    claim_month,
                    "adjustment",
                    claim_id,
                    "approved",
                    True,
                    True,
                    submitted,
                    submitted,
                )
            )
            for (original, post), line_id in zip(
                corrected, writer.ids(ClaimLine, len(corrected)), strict=True
            ):
                line = _Line(line_id, adjustment_id, pcn, claim_month, 0, True, original)
                row = _line_row(rng, line, post, rates=rates, cost_factor=rng.randint(60, 104))
                late_decision = _at(end + dt.timedelta(days=rng.randint(46, 55)), 11)
                line_rows.append(row[:_DECIDED_AT] + (late_decision, late_decision))
                lines.append(line)
    writer.write(
        Claim,
        [
            "id",
            "pcn_id",
            "month",
            "kind",
            "original_id",
            "status",
            "declared_additional",
            "declared_costs_paid",
            "submitted_at",
            "created_at",
        ],
        claim_rows,
    )
    writer.write(ClaimLine, LINE_COLUMNS, line_rows)

    batched = 0
    if batch_history and len(months) > 1:
        batched = _build_paid_batches(
            writer,
            rng,
            register,
            lines,
            months=months[:-1],
            late_share=late_share,
            models=(Batch, BatchPayee, BatchLine),
        )
    approved_in_month = sum(1 for line in lines if line.month == month)
    late = sum(1 for line in lines if line.late)
    return len(claim_rows), len(line_rows), approved_in_month, batched, late


def _build_paid_batches(writer, rng, register, lines, *, months, late_share, models):
    """Earlier months were batched and paid when they fell due, all but a few lines approved
    too late for their month's batch (which the next build takes, marked late)."""
    Batch, BatchPayee, BatchLine = models
    commissioners = sorted({p.commissioner_id for p in register})
    from networks.models import Commissioner

    codes = dict(Commissioner.objects.filter(pk__in=commissioners).values_list("pk", "code"))
    last = months[-1]
    batch_of: dict[tuple[int, dt.date], int] = {}
    batch_rows = []
    for month in months:
        ids = writer.ids(Batch, len(commissioners))
        for cid, bid in zip(commissioners, ids, strict=True):
            batch_of[(cid, month)] = bid
    totals: dict[int, list[int]] = {}
    payees: dict[tuple[int, int], list[int]] = {}
    batch_line_rows = []
    line_ids = iter(writer.ids(BatchLine, len(lines)))
    for line in lines:
        if line.month > last:
            continue
        if line.month == last and rng.random() < late_share:
            line.late = True
            continue
        bid = batch_of[(line.pcn.commissioner_id, line.month)]
        due = line.due
        batch_line_rows.append(
            (next(line_ids), bid, line.id, line.pcn.id, line.month, pounds(due), False)
        )
        total = totals.setdefault(bid, [0, 0])
        total[0] += due
        total[1] += 1
        subtotal = payees.setdefault((bid, line.pcn.id), [0, 0])
        subtotal[0] += due
        subtotal[1] += 1
    for month in months:
        end = _month_end(month)
        finalised = _at(end + dt.timedelta(days=28), 14)
        for cid in commissioners:
            bid = batch_of[(cid, month)]
            total, count = totals.get(bid, [0, 0])
            batch_rows.append(
                (
                    bid,
                    cid,
                    month,
                    Batch.reference_for(codes[cid], month),
                    "paid",
                    pounds(total),
                    count,
                    0,
                    finalised,
                    finalised,
                    finalised.date(),
                    f"BACS-{codes[cid]}-{month:%Y%m}",
                )
            )
    writer.write(
        Batch,
        [
            "id",
            "commissioner_id",
            "month",
            "reference",
            "status",
            "total",
            "line_count",
            "late_line_count",
            "built_at",
            "finalised_at",
            "paid_on",
            "payment_reference",
        ],
        batch_rows,
    )
    payee_of = {p.id: p.practice_ids[0] for p in register}
    payee_ids = iter(writer.ids(BatchPayee, len(payees)))
    writer.write(
        BatchPayee,
        ["id", "batch_id", "pcn_id", "payee_practice_id", "payee_name", "amount", "line_count"],
        (
            (
                next(payee_ids),
                bid,
                pcn_id,
                payee_of[pcn_id],
                "Nominated payee practice",
                pounds(amount),
                count,
            )
            for (bid, pcn_id), (amount, count) in payees.items()
        ),
    )
    writer.write(
        BatchLine,
        ["id", "batch_id", "line_id", "pcn_id", "claim_month", "amount", "late"],
        batch_line_rows,
    )
    return len(batch_line_rows)


# --- referrals ---------------------------------------------------------------------------


# NHS numbers 999 000 000x to 999 999 999x (a range never issued to a person), those whose
# modulus 11 check digit exists, numbered from 1. The 999 prefix weighs 9x10 + 9x9 + 9x8 = 243.
_NHS_NUMBERS_SQL = """
    SELECT row_number() OVER (ORDER BY k) AS n,
           '999' || lpad(k::text, 6, '0')
           || ((11 - (243 + k / 100000 %% 10 * 7 + k / 10000 %% 10 * 6 + k / 1000 %% 10 * 5
                      + k / 100 %% 10 * 4 + k / 10 %% 10 * 3 + k %% 10 * 2) %% 11) %% 11)::text
           AS nhs_number
    FROM generate_series(0, 999999) AS k
    WHERE (11 - (243 + k / 100000 %% 10 * 7 + k / 10000 %% 10 * 6 + k / 1000 %% 10 * 5
                 + k / 100 %% 10 * 4 + k / 10 %% 10 * 3 + k %% 10 * 2) %% 11) <> 10
"""

# Older referrals have mostly ended; recent ones are mostly still open (weights out of 100).
_OLDER = {
    "received": 1,
    "contacted": 1,
    "assessment": 1,
    "plan_agreed": 2,
    "connected": 5,
    "closed": 70,
    "declined": 10,
    "did_not_engage": 10,
}
_RECENT = {
    "received": 20,
    "contacted": 20,
    "assessment": 15,
    "plan_agreed": 15,
    "connected": 15,
    "closed": 10,
    "declined": 3,
    "did_not_engage": 2,
}


def _weighted(weights: dict[str, int]) -> list[str]:
    return [value for value, weight in weights.items() for _ in range(weight)]


def _build_referrals(writer, rng, register, *, count, month, span_months=12):
    """Referrals made in the database from generate_series: 500,000 take seconds, not the
    minute that formatting them in Python would. Received over the `span_months` months ending
    with `month`; past about 909,000 (the ten-year history's 5 million) the 999 range's NHS
    numbers come round again: the same people referred again over the years."""
    from django.db import connection

    from networks.models import Membership
    from referrals.models import Referral, ReferralReason, ReferralSource

    if connection.vendor != "postgresql":
        raise RuntimeError("Referrals are generated in PostgreSQL: use a PostgreSQL database.")
    if count > 900_000 and span_months <= 12:
        raise ValueError("The 999 range holds about 909,000 valid NHS numbers: ask for fewer.")
    sources = list(ReferralSource.objects.values_list("pk", flat=True))
    reasons = list(ReferralReason.objects.values_list("pk", flat=True))
    if not sources:
        sources = [ReferralSource.objects.create(name="Primary care (GP practice)").pk]
    if len(reasons) < 2:
        reasons = [
            ReferralReason.objects.get_or_create(name=name)[0].pk
            for name in ("Loneliness and social isolation", "Low-level mental health")
        ]
    first_id = writer.ids(Referral, count)[0]
    end = _month_end(month)
    parameters = {
        "seed": rng.random() * 2 - 1,
        "count": count,
        "first_id": first_id,
        "first_day": _months_back(month, span_months)[0],
        "end": end,
        "days": (end - _months_back(month, span_months)[0]).days + 1,
        "recent_from": end - dt.timedelta(days=120),
        "given": list(GIVEN),
        "family": list(FAMILY),
        "referrers": list(REFERRERS),
        "sources": sources,
        "methods": ["phone", "phone", "text", "email", "letter"],
        "older": _weighted(_OLDER),
        "recent": _weighted(_RECENT),
        "outcomes": ["needs_met", "partly_met", "connected_ongoing", "referred_elsewhere"],
        "accepted": "871731000000106",
        "created_at": writer.now,
    }
    # A year's people are the first `count` numbers; more come round again.
    people_from = (
        "numbers WHERE n <= %(count)s"
        if count <= 900_000
        else "(SELECT series.n::bigint AS n, numbers.nhs_number "
        "FROM generate_series(1, %(count)s) AS series (n) "
        "JOIN numbers ON numbers.n = (series.n - 1) %% (SELECT count(*) FROM numbers) + 1"
        ") AS repeated"
    )
    members = f"""
        SELECT row_number() OVER (ORDER BY id) - 1 AS i, practice_id, pcn_id
        FROM "{Membership._meta.db_table}" WHERE end_date IS NULL
    """
    sql = f"""
        WITH numbers AS ({_NHS_NUMBERS_SQL}),
        members AS ({members}),
        people AS (
            SELECT n, nhs_number,
                   %(first_day)s::date + floor(random() * %(days)s)::int AS received_on,
                   random() AS r_status, random() AS r_name, random() AS r_family,
                   random() AS r_other, random() AS r_later
            FROM {people_from}
        ),
        referrals AS (
            SELECT people.*,
                   CASE WHEN received_on >= %(recent_from)s
                        THEN (%(recent)s::text[])[1 + floor(r_status * 100)::int]
                        ELSE (%(older)s::text[])[1 + floor(r_status * 100)::int] END AS status
            FROM people
        )
        INSERT INTO "{Referral._meta.db_table}" (
            id, given_name, family_name, nhs_number, date_of_birth, email, phone, address,
            postcode, preferred_contact_method, practice_id, pcn_id, source_id, referrer_name,
            what_matters, consent_given, status, received_on, gp_code, outcome, closure_notes,
            closed_on, gp_appointments_before, gp_appointments_after, created_at
        )
        SELECT %(first_id)s + n - 1,
               (%(given)s::text[])[1 + floor(r_name * cardinality(%(given)s::text[]))::int],
               (%(family)s::text[])[1 + floor(r_family * cardinality(%(family)s::text[]))::int],
               nhs_number,
               date '1930-01-01' + floor(r_other * 28000)::int,
               '', '', '',
               'NE' || (1 + n %% 30) || ' ' || (1 + n %% 9) || 'CD',
               (%(methods)s::text[])[1 + n %% 5],
               members.practice_id, members.pcn_id,
               (%(sources)s::int[])[1 + n %% cardinality(%(sources)s::int[])],
               (%(referrers)s::text[])[1 + n %% cardinality(%(referrers)s::text[])],
               '', true, status, received_on,
               CASE WHEN status IN ('received', 'declined') THEN '' ELSE %(accepted)s END,
               CASE WHEN status = 'closed'
                    THEN (%(outcomes)s::text[])[1 + n %% 4] ELSE '' END,
               '',
               CASE WHEN status IN ('closed', 'declined', 'did_not_engage')
                    THEN received_on + 20 + floor(r_later * 90)::int END,
               floor(r_other * 13)::int,
               CASE WHEN status IN ('closed', 'declined', 'did_not_engage')
                    THEN floor(r_later * 9)::int END,
               %(created_at)s
        FROM referrals
        JOIN members ON members.i = (n * 7919) %% (SELECT count(*) FROM members)
    """
    reasons_sql = f"""
        INSERT INTO "{Referral.reasons.through._meta.db_table}" (referral_id, referralreason_id)
        SELECT id, (%(reasons)s::int[])[1 + id %% cardinality(%(reasons)s::int[])]
        FROM "{Referral._meta.db_table}" WHERE id >= %(first_id)s
        UNION ALL
        -- A second, different reason for about a third of people.
        SELECT id, (%(reasons)s::int[])[
            1 + (id + 1 + id %% (cardinality(%(reasons)s::int[]) - 1))
                %% cardinality(%(reasons)s::int[])]
        FROM "{Referral._meta.db_table}" WHERE id >= %(first_id)s AND id %% 3 = 0
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%(seed)s)", parameters)
        cursor.execute(sql, parameters)
        written = cursor.rowcount
        cursor.execute(reasons_sql, {"reasons": reasons, "first_id": first_id})
    writer.written.update({Referral, Referral.reasons.through})
    return written


# --- the whole -----------------------------------------------------------------------------


def build(
    *,
    month: dt.date = MONTH,
    months: int = 1,
    referrals: int = 0,
    commissioners: int = 106,
    pcns: int = 1_300,
    posts: int = 40_000,
    adjustment_share: float = 0.02,
    late_share: float = 0.01,
    batch_history: bool = True,
    clear: bool = True,
    seed: int = 2025,
    verbose: bool = True,
) -> National:
    """Fill the database with a national register, ARRS posts, `months` months of claims
    ending with `month`, and `referrals` referrals, in the caller's transaction.

    With months > 1 the earlier months are already in paid batches (`batch_history`), except
    `late_share` of the month before's lines, approved too late for its batch. A share of PCNs
    (`adjustment_share`) has an approved adjustment claim each month. `clear` first empties the
    register and everything hanging off it (bench databases only).
    """
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        phases[name] = time.perf_counter() - started - sum(phases.values())

    rng = random.Random(seed)
    month = month.replace(day=1)
    claim_months = _months_back(month, months)
    if clear:
        _clear()
    writer = Writer()
    roles, rates = _reference_data()
    years = sorted({(m.year if m.month >= 4 else m.year - 1) for m in claim_months})
    commissioner_ids, register, practices = _build_register(
        writer, rng, commissioners=commissioners, pcns=pcns, years=years
    )
    lap("register")
    made = _build_posts(
        writer, rng, register, count=posts, roles=roles, rates=rates, months=claim_months
    )
    lap("posts")
    claims, lines, approved, batched, late = _build_claims(
        writer,
        rng,
        register,
        made,
        months=claim_months,
        rates=rates,
        adjustment_share=adjustment_share,
        late_share=late_share,
        batch_history=batch_history,
    )
    lap("claims")
    written_referrals = (
        _build_referrals(writer, rng, register, count=referrals, month=month) if referrals else 0
    )
    lap("referrals")
    writer.finish()
    lap("checks")
    result = National(
        month=month,
        months=claim_months,
        commissioners=len(commissioner_ids),
        practices=practices,
        pcns=len(register),
        posts=len(made),
        claims=claims,
        claim_lines=lines,
        approved_lines_in_month=approved,
        batched_lines=batched,
        late_lines=late,
        referrals=written_referrals,
        seconds=time.perf_counter() - started,
        commissioner_ids=commissioner_ids,
        phases=phases,
    )
    if verbose:
        print(f"   generated in {result.seconds:5.1f} s: {result.summary()}", flush=True)
        print(f"   ({result.timings()})", flush=True)
    return result


def main() -> None:
    """`python bench/national.py [months] [referrals]`: build, report and roll back."""
    connect()
    from django.db import transaction

    months = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    referrals = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    with transaction.atomic():
        build(months=months, referrals=referrals)
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
