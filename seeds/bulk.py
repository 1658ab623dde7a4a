"""Benchmark volumes: N cases over K counties and five years, written with PostgreSQL COPY.

The rows are what the services would have written (cases/services.py, cases/clocks.py,
mediation/services.py), without calling them: each case follows a timeline (report, then per
level assign, respond, escalate or resolve/close) drawn at random and cut at the present, so
recent cases are open. Handling periods carry the same deadlines as `clocks.period_open`
(working days from a precomputed calendar of `cases.calendar.is_workday`), `next_deadline` only
on the open period, whose sweep cursor (`PeriodCursor`) starts on it; one event per transition; numbers per county and year continue the
CaseNumberSequence rows, which are updated to the last number. Parties carry an encrypted ID
number and phone (cases.crypto) drawn from a pool of people per county, or none.

Mediation records follow the same timeline. A case resolved with an agreement has its Agreement
(written ~55%: facts, responsibilities, terms, performance method and date, both parties'
signatures, the mediator's and the seal within two days; oral: terms, in effect when reached;
numbered as `_agreement_number` does with the holder as issuer; no PDF, which is rendered on
request). The agreement in effect opens its JudicialConfirmation window (remind on day 20, due
after day 30): a few written ones are applied for and ruled on, most parties decline when asked,
the rest let the window lapse and stay open, which the sweep no longer reminds of once the
window has closed. ~94% of the resolved are followed up (FollowUp) around the first follow-up's
due date, 10–30 days after resolution, mostly satisfied; only then is the case closed, as
`case_close` requires; the others stay resolved. Each of these writes the record event its
service writes (signature, confirmation, follow-up). Every grid of the generated counties files
its monthly InspectionReport in ~85% of the months (zero reports included; the disputes its
inspection found that month are listed). Steps later than now are not written, so only recent
agreements can be due for a reminder at the first sweep.

Speed: times are local minutes from a base date (Asia/Shanghai has no daylight saving),
formatted through lookup tables; rows go to PostgreSQL with psycopg 3 `cursor.copy` in chunks,
with the ids that other rows point at assigned here (sequences are set afterwards). For a large
load, the secondary indexes of the tables filled are dropped and rebuilt afterwards (measurably
faster than maintaining them row by row), and foreign-key triggers are off for the load's
session (`session_replication_role = replica`): the generator writes only ids it has just
created or read. ANALYZE at the end.
"""

import os
import queue
import random
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from cases import crypto
from cases.calendar import is_workday
from cases.clocks import limits_for
from cases.models import Case, CaseNumberSequence
from grids.models import Area
from grids.services import areas_import
from mediation.agreements import CONFIRMATION_REMIND_DAY, CONFIRMATION_WINDOW_DAYS
from mediation.deadlines import FOLLOW_UP_WORKING_DAYS
from mediation.models import InspectionReport
from seeds.bulk_referrals import add_referrals

from .people import (
    CATEGORIES,
    CATEGORY_TEXTS,
    CATEGORY_WEIGHTS,
    SOURCE_WEIGHTS,
    SOURCES,
    TERMS,
)

CATEGORY_CUM = list(accumulate(CATEGORY_WEIGHTS))
SOURCE_CUM = list(accumulate(SOURCE_WEIGHTS))

DEMO_COUNTY = "610222000000"
FIRST_YEAR = 2022
CHUNK = 20000
DROP_INDEXES_FROM = int(
    os.environ.get("SEED_DROP_INDEXES_FROM", 50000)
)  # rows to load from which rebuilding indexes beats keeping them
TABLES = [
    "cases_case",
    "cases_party",
    "cases_handlingperiod",
    "cases_periodcursor",
    "cases_caseevent",
    "mediation_partyconsent",
    "mediation_mediationsession",
    "mediation_mediationsession_mediators",
    "mediation_filedocument",
    "mediation_agreement",
    "mediation_agreementsignature",
    "mediation_judicialconfirmation",
    "mediation_followup",
    "mediation_inspectionreport",
    "mediation_inspectionreport_cases",
]
# Tables whose ids the generator assigns (rows of other tables point at them).
NUMBERED = [
    "cases_party",
    "mediation_mediationsession",
    "mediation_agreement",
    "mediation_judicialconfirmation",
    "mediation_followup",
    "mediation_inspectionreport",
]
# Generated counties: 11 per generated city (the source article's city: 11 counties,
# 129 towns), 15 villages per town, 2 grids per village.
COUNTIES_PER_CITY = 11
VILLAGES_PER_TOWN = 15
GRIDS_PER_VILLAGE = 2
PROVINCE_CODE = "610000000000"
PEOPLE_POOL = 5000
WITH_ID_SHARE = 0.3
# Cases left where they are, overdue now (a deadline in the past), besides the recent open ones.
STUCK_SHARE = 0.01
# Mediation records (mediation/services.py). Written agreements are signed and sealed within
# two days; oral ones take effect when reached. Either opens the 30-day judicial-confirmation
# window: a few written ones go to court, most parties decline when asked, the rest let the
# window lapse (status stays open; the sweep only reminds while the window is open).
WRITTEN_SHARE = 0.55
PERFORM_DAYS = (10, 10, 15, 20, 30)
CONFIRMATION_APPLY_SHARE = 0.08  # of the written agreements
CONFIRMATION_DECLINE_SHARE = 0.8
# A rejection reopens the case or sends the parties to court (art. 33); the generated timeline
# has neither, so the generated courts confirm every application.
CONFIRMATION_REJECT_SHARE = 0.0  # of the applications
# Resolved cases never followed up (they cannot be closed, so they stay resolved); the others
# are followed up around the first follow-up's due date (`mediation.deadlines.follow_up_due`), 10–30 days
# after resolution, then closed.
NO_FOLLOW_UP_SHARE = 0.06
FOLLOW_UP_METHODS = ("visit", "visit", "phone", "phone", "message", "meeting")
# Grids filing their monthly inspection report (zero reports count).
INSPECTED_SHARE = 0.85

_TOWN_SUFFIX = ["镇", "镇", "镇", "乡", "街道"]
_NAME_A = "东西南北安平和永新宁康泰兴丰长乐富民清河龙凤金石"
_NAME_B = "山川河坪塬岭沟湾堡寨庄桥城集店口"


@dataclass
class County:
    """One county's areas and the people who act there, as ids."""

    id: int
    code: str
    province_id: int
    city_id: int
    officer: int
    mediators: list
    towns: list = field(default_factory=list)  # [Town]
    name: str = ""


@dataclass
class Town:
    id: int
    officer: int
    mediators: list
    villages: list = field(default_factory=list)  # [(village id, name, grids, mediators)]
    name: str = ""


# ---------------------------------------------------------------- areas and people


def _name(seed: int, suffix: str) -> str:
    return _NAME_A[seed % len(_NAME_A)] + _NAME_B[(seed // 7) % len(_NAME_B)] + suffix


def generated_county_codes(k: int) -> list[str]:
    """Codes of the k generated counties: 11 per city, cities 6199, 6198… under 陕西省."""
    codes = []
    for i in range(k):
        city = 99 - i // COUNTIES_PER_CITY
        codes.append(f"61{city:02d}{i % COUNTIES_PER_CITY + 1:02d}000000")
    return codes


def generated_area_csv(codes: list[str]) -> str:
    """The CSV (code, name, level, parent code) of the generated cities and counties."""
    rows = ["code,name,level,parent_code"]
    cities = []
    for code in codes:
        city = code[:4] + "00000000"
        if city not in cities:
            cities.append(city)
            rows.append(f"{city},{_name(int(code[2:4]), '市')},city,{PROVINCE_CODE}")
    for c, code in enumerate(codes):
        index = int(code[4:6])
        rows.append(f"{code},{_name(index * 13 + int(code[2:4]), '县')},county,{code[:4]}00000000")
        towns = 12 if index <= 8 else 11  # 8 × 12 + 3 × 11 = 129 towns a city
        for t in range(towns):
            town = f"{code[:6]}{101 + t:03d}000"
            rows.append(f"{town},{_name(c * 31 + t, _TOWN_SUFFIX[t % 5])},town,{code}")
            for v in range(VILLAGES_PER_TOWN):
                village = f"{town[:9]}{201 + v:03d}"
                rows.append(f"{village},{_name(c * 17 + t * 5 + v, '村')},village,{town}")
                for g in range(GRIDS_PER_VILLAGE):
                    rows.append(f"{village}{g + 1:03d},第{g + 1}网格,grid,{village}")
    return "\n".join(rows) + "\n"


def _ensure_users(specs, password):
    """Users (username, display name, kind, area id) with their roles; {username: id}."""
    User.objects.bulk_create(
        [User(username=u, display_name=n, password=password) for u, n, _, _ in specs],
        ignore_conflicts=True,
        batch_size=2000,
    )
    ids = dict(
        User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", "id")
    )
    Role.objects.bulk_create(
        [Role(user_id=ids[u], kind=k, area_id=a) for u, _, k, a in specs],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return ids


def generated_county(county_area: Area, password: str) -> County:
    """A generated county's tree and its officers and mediators (one per village)."""
    areas = list(
        Area.objects.filter(code__startswith=county_area.code[:6]).values_list(
            "id", "code", "name", "level", "parent_id"
        )
    )
    ancestors = county_area.ancestor_ids_by_level()
    specs = [
        (f"bo{county_area.code[:6]}", f"{county_area.name}综治中心", "officer", county_area.id),
        (f"bm{county_area.code[:6]}", f"{county_area.name}调委会", "mediator", county_area.id),
    ]
    for area_id, code, name, level, _ in areas:
        if level == "town":
            specs.append((f"bo{code[:9]}", f"{name}综治中心", "officer", area_id))
            specs.append((f"bm{code[:9]}", f"{name}调委会", "mediator", area_id))
        elif level == "village":
            specs.append((f"bm{code}", f"{name}调委会", "mediator", area_id))
    ids = _ensure_users(specs, password)
    county = County(
        id=county_area.id,
        code=county_area.code,
        province_id=ancestors["province"],
        city_id=ancestors["city"],
        officer=ids[f"bo{county_area.code[:6]}"],
        mediators=[ids[f"bm{county_area.code[:6]}"]],
        name=county_area.name,
    )
    towns = {}
    grids = {}
    for area_id, _code, _name, level, parent_id in areas:
        if level == "grid":
            grids.setdefault(parent_id, []).append(area_id)
    for area_id, code, name, level, _parent in areas:
        if level == "town":
            towns[area_id] = Town(area_id, ids[f"bo{code[:9]}"], [ids[f"bm{code[:9]}"]], name=name)
            county.towns.append(towns[area_id])
    for area_id, code, name, level, parent_id in areas:
        if level == "village":
            towns[parent_id].villages.append(
                (area_id, name, grids.get(area_id, []), [ids[f"bm{code}"]], {})
            )
    return county


def demo_county() -> County:
    """The demo county with its seeded staff (seed_demo --no-cases must have run)."""
    from mediation.models import MediatorProfile

    county_area = Area.objects.get(code=DEMO_COUNTY)
    ancestors = county_area.ancestor_ids_by_level()
    roles = list(
        Role.objects.filter(area__code__startswith="610222").values_list(
            "user_id", "kind", "area_id", "area__level"
        )
    )

    def of(kind, area_id):
        return sorted(u for u, k, a, _ in roles if k == kind and a == area_id)

    county = County(
        id=county_area.id,
        code=county_area.code,
        province_id=ancestors["province"],
        city_id=ancestors["city"],
        officer=of("officer", county_area.id)[0],
        mediators=of("mediator", county_area.id)
        or list(MediatorProfile.objects.values_list("user_id", flat=True)[:1]),
        name=county_area.name,
    )
    grid_workers = {a: u for u, k, a, lvl in roles if k == "grid_worker" and lvl == "grid"}
    villages = {}
    for area_id, name, parent_id in Area.objects.filter(
        code__startswith="610222", level="village"
    ).values_list("id", "name", "parent_id"):
        villages.setdefault(parent_id, []).append((area_id, name))
    grids = {}
    for area_id, parent_id in Area.objects.filter(
        code__startswith="610222", level="grid"
    ).values_list("id", "parent_id"):
        grids.setdefault(parent_id, []).append(area_id)
    for town_id, town_name in Area.objects.filter(parent=county_area, level="town").values_list(
        "id", "name"
    ):
        officers = of("officer", town_id) or [county.officer]
        town = Town(town_id, officers[0], of("mediator", town_id) or officers, name=town_name)
        for village_id, name in sorted(villages.get(town_id, [])):
            mediators = of("mediator", village_id) or town.mediators
            village_grids = sorted(grids.get(village_id, []))
            town.villages.append(
                (village_id, name, village_grids, mediators, {g: grid_workers.get(g) for g in
                                                               village_grids})
            )  # fmt: skip
        county.towns.append(town)
    return county


# ---------------------------------------------------------------- the calendar in minutes


class Calendar:
    """Local minutes since `base` (00:00 local), with working-day arithmetic by table."""

    def __init__(self, base: date, end: date, offset: str = "+08"):
        self.base = base
        days = (end - base).days + 1
        self.workday = [is_workday(base + timedelta(days=d)) for d in range(days)]
        self.workdays = [d for d in range(days) if self.workday[d]]
        # workdays_upto[d] = number of working days ≤ day d
        count, self.upto = 0, []
        for d in range(days):
            count += self.workday[d]
            self.upto.append(count)
        self.day_text = [(base + timedelta(days=d)).isoformat() for d in range(days)]
        self.minute_text = [f" {m // 60:02d}:{m % 60:02d}:00{offset}" for m in range(1440)]
        self.month_firsts = [d for d in range(days) if (base + timedelta(days=d)).day == 1]

    def add_wd(self, t: int, n: int) -> int:
        """Same local time on the n-th working day after t's day (cases.calendar)."""
        day, minute = divmod(t, 1440)
        return self.workdays[self.upto[day] + n - 1] * 1440 + minute

    def text(self, t: int) -> str:
        day, minute = divmod(t, 1440)
        return self.day_text[day] + self.minute_text[minute]

    def office(self, t: int, rng: random.Random) -> int:
        """t, or the next working morning when outside office hours."""
        day, minute = divmod(t, 1440)
        if self.workday[day] and 510 <= minute <= 1065:
            return t
        if minute > 1065 or not self.workday[day]:
            day += 1
        day = self.workdays[bisect_right(self.workdays, day - 1)]
        return day * 1440 + 510 + rng.randrange(90)

    def year(self, t: int) -> int:
        return (self.base + timedelta(days=t // 1440)).year

    def month_first(self, day: int) -> int:
        """The first day of the month holding `day` (base is a first of a month)."""
        return self.month_firsts[bisect_right(self.month_firsts, day) - 1]


# ---------------------------------------------------------------- rows

NULL = "\\N"
LEVELS = ["village", "town", "county"]


class Writer:
    """Buffers COPY text per table and flushes it in chunks."""

    COLUMNS = {
        "cases_case": (
            "id, number, title, facts, category, source, risk, occurred_on, amount, "
            "people_involved, origin_id, province_id, city_id, county_id, town_id, village_id, "
            "grid_id, level, peak_level, holder_id, status, assignee_id, outcome, outcome_note, "
            "supervised, repeat_dispute, reported_by_id, reported_at, resolved_at, closed_at, "
            "concluded_at, updated_at"
        ),
        "cases_party": (
            "id, case_id, name, role, id_number_encrypted, id_number_hash, id_number_masked, "
            "phone_encrypted, phone_masked, phone_hash, address, area_id"
        ),
        "cases_handlingperiod": (
            "case_id, level, area_id, entered_by, red, arrived_at, assign_due, assigned_at, "
            "respond_due, responded_at, resolve_due, ended_at, end_reason, next_deadline, "
            "next_deadline_kind"
        ),
        "cases_caseevent": (
            "case_id, kind, actor_id, from_status, to_status, from_level, to_level, note, data, "
            "created_at"
        ),
        "mediation_agreement": (
            "id, case_id, number, form, committee_id, mediator_id, facts, responsibilities, "
            "terms, performance_method, perform_by, reached_on, mediator_signed_on, sealed_on, "
            "effective_on, recorded_by_id, created_at, updated_at"
        ),
        "mediation_agreementsignature": "agreement_id, party_id, signed_on",
        "mediation_partyconsent": (
            "case_id, party_id, decision, decided_on, notified_on, notice_method, note, "
            "recorded_by_id, recorded_at"
        ),
        "mediation_mediationsession": (
            "id, case_id, held_at, place, attendees, minutes, recorded_by_id, created_at"
        ),
        "mediation_mediationsession_mediators": "mediationsession_id, user_id",
        "mediation_filedocument": (
            "case_id, kind, attachment_id, note, recorded_by_id, recorded_at"
        ),
        "mediation_judicialconfirmation": (
            "id, case_id, agreement_id, status, opened_on, remind_at, due_at, court, applied_on, "
            "result_on, ruling_number, note, updated_at, applicants, route"
        ),
        "mediation_followup": (
            "id, case_id, method, performed_on, performed, satisfaction, remaining_risk, note, "
            "recorded_by_id, created_at"
        ),
        "mediation_inspectionreport": (
            "id, grid_id, period, zero, note, reporter_id, submitted_at, province_id, city_id, "
            "county_id, town_id, village_id"
        ),
        "mediation_inspectionreport_cases": "inspectionreport_id, case_id",
    }

    def __init__(self, cursor):
        self.cursor = cursor
        self.buffers = {table: [] for table in TABLES}
        self.rows = dict.fromkeys(TABLES, 0)
        self.copy_seconds = 0.0
        # COPY runs in a thread (psycopg releases the GIL while PostgreSQL works), so the
        # next chunk is generated while the server ingests the last one.
        self.queue = queue.Queue(maxsize=2)
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            item = self.queue.get()
            if item is None:
                return
            if self.error is not None:
                continue
            started = time.perf_counter()
            try:
                for table, text in item:
                    with self.cursor.copy(
                        f"COPY {table} ({self.COLUMNS[table]}) FROM STDIN"
                    ) as copy:
                        copy.write(text)
            except Exception as exc:  # re-raised in the generating thread
                self.error = exc
            self.copy_seconds += time.perf_counter() - started

    def flush(self):
        item = []
        for table in TABLES:
            lines = self.buffers[table]
            if lines:
                item.append((table, "".join(lines)))
                self.rows[table] += len(lines)
                self.buffers[table] = []
        if self.error is not None:
            raise self.error
        if item:
            self.queue.put(item)

    def close(self):
        """Wait for the last COPY; raise what failed."""
        self.flush()
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


class Generator:
    """Draws the timelines of one county's cases and writes their rows."""

    def __init__(
        self,
        calendar: Calendar,
        now_t: int,
        writer: Writer,
        limits,
        seed: int,
        next_ids: dict | None = None,
        inspected: set | None = None,
    ):
        self.cal = calendar
        self.now = now_t
        self.w = writer
        self.limits = limits  # level -> (assign wd, respond wd, resolve wd)
        self.rng = random.Random(seed)
        self.counts = {"open": 0, "cases": 0}
        # The next id of each table whose rows others point at (NUMBERED).
        ids = next_ids or {}
        self.next_party = ids.get("cases_party", 1)
        self.next_session = ids.get("mediation_mediationsession", 1)
        self.next_agreement = ids.get("mediation_agreement", 1)
        self.next_confirmation = ids.get("mediation_judicialconfirmation", 1)
        self.next_follow_up = ids.get("mediation_followup", 1)
        self.next_report = ids.get("mediation_inspectionreport", 1)
        self.inspected = inspected or set()  # (county id, month's first day) with reports
        self.found = {}  # (grid id, month's first day) -> [(case id, reported day)]

    def people_pool(self, county: County, size: int):
        """Encrypted ID numbers and phones of `size` people registered in the county."""
        rng = self.rng
        pool = []
        for _ in range(size):
            birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
            first17 = f"{county.code[:6]}{birth:%Y%m%d}{rng.randrange(1000):03d}"
            number = first17 + crypto.id_check_digit(first17)
            phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            pool.append(
                (
                    "\\\\x" + crypto.encrypt(number, field="party.id_number").hex(),
                    crypto.id_number_hash(number),
                    crypto.mask_id_number(number),
                    "\\\\x" + crypto.encrypt(phone, field="party.phone").hex(),
                    crypto.mask_phone(phone),
                    crypto.phone_hash(phone),
                )
            )
        return pool

    def county(self, county: County, count: int, first_id: int, sequences: dict) -> int:
        """Write `count` cases of the county from id `first_id`; returns the next id."""
        rng, cal = self.rng, self.cal
        start_day = (date(FIRST_YEAR, 1, 1) - cal.base).days
        today = self.now // 1440
        times = []
        span = today + 1 - start_day
        for _ in range(count):
            # Intake grows year on year (more villages use the system): half uniform, half
            # on a rising ramp.
            day = start_day + int(span * (rng.random() if rng.random() < 0.5 else
                                          rng.random() ** 0.5))  # fmt: skip
            if not cal.workday[day] and rng.random() < 0.6:
                day = rng.randrange(start_day, today + 1)
            t = day * 1440 + 480 + rng.randrange(600)
            if t >= self.now - 30:
                t = self.now - 30 - rng.randrange(600)
            times.append(t)
        times.sort()
        pool = self.people_pool(county, min(PEOPLE_POOL, max(count // 2, 50)))
        villages = [(town, v) for town in county.towns for v in town.villages]
        self.found = {}
        self.court = f"{county.name}人民法院"
        case_id = first_id
        buffered = 0
        for t in times:
            town, village = rng.choice(villages)
            year = cal.year(t)
            key = (county.id, year)
            sequences[key] = sequences.get(key, 0) + 1
            number = f"{county.code[:6]}-{year}-{sequences[key]:06d}"
            self.case(case_id, number, t, county, town, village, pool)
            case_id += 1
            buffered += 1
            if buffered >= CHUNK:
                self.w.flush()
                buffered = 0
        self.inspections(county)
        self.w.flush()
        return case_id

    def case(self, case_id, number, t, county, town, village, pool):
        rng, cal, w = self.rng, self.cal, self.w
        rnd = rng.random
        village_id, village_name, grids, village_mediators, grid_workers = village
        category = rng.choices(CATEGORIES, cum_weights=CATEGORY_CUM)[0]
        source = rng.choices(SOURCES, cum_weights=SOURCE_CUM)[0]
        grid_id = _pick(rnd, grids) if grids and rnd() < 0.6 else None
        reporter = (grid_workers.get(grid_id) if grid_id else None) or village_mediators[0]
        if grid_id and source == "grid_inspection":
            # Found by the grid's monthly inspection: its report lists the case.
            day = t // 1440
            self.found.setdefault((grid_id, cal.month_first(day)), []).append((case_id, day))
        party_id = self.next_party
        self.next_party += 2
        a = _person(rnd)
        b = _person(rnd)
        _, titles, facts = CATEGORY_TEXTS[category]
        title = _pick(rnd, titles).format(a=a, b=b)
        facts = facts.format(a=a, b=b)
        cs = str(case_id)

        # The path: rejected at intake, withdrawn, or settled at village/town/county.
        r = rnd()
        if r < 0.007:
            path = "rejected"
        elif r < 0.017:
            path = "withdrawn"
        else:
            r = rnd()
            path = "county" if r < 0.03 else "town" if r < 0.15 else "village"
        stuck = rnd() < STUCK_SHARE
        levels = {"county": 3, "town": 2}.get(path, 1)
        holders = [village_id, town.id, county.id]
        events = []
        periods = []
        session_at = None  # the first session: consent and notice come before it
        now = self.now
        status, level, assignee = "pending", "village", None
        resolved_at = closed_at = concluded_at = None
        outcome = note = ""
        last = t
        events.append(
            (t, "report", reporter, "", "pending", "", "village",
             "", '{"level": "village", "level_reasons": []}')
        )  # fmt: skip

        if path == "rejected":
            status, outcome = "closed", "rejected"
            note = "不予受理：法院已受理或已判决"
            closed_at = concluded_at = t
            events[0] = (t, "report", reporter, "", "closed", "", "village", note,
                         '{"level": "village", "level_reasons": [], "screening": "court"}')  # fmt: skip
        else:
            arrived = t
            entered = "report"
            for i in range(levels):
                level = LEVELS[i]
                holder = holders[i]
                lim = self.limits[level]
                assign_due = cal.add_wd(arrived, lim[0])
                respond_due = cal.add_wd(arrived, lim[1])
                resolve_due = cal.add_wd(arrived, lim[2])
                period = [level, holder, entered, arrived, assign_due, None, respond_due, None,
                          resolve_due, None, ""]  # fmt: skip
                periods.append(period)
                status, assignee = "pending", None
                if stuck and i == levels - 1 and rnd() < 0.3:
                    break
                # assign
                if rnd() < 0.05:
                    at = assign_due + _between(rnd, 60, 1200)
                else:
                    at = min(cal.office(arrived + _between(rnd, 10, 300), rng), assign_due - 5)
                at = max(at, arrived + 5)
                if at > now:
                    break
                if level == "village":
                    actor = who = _pick(rnd, village_mediators)
                    data = f'{{"assignee": {who}, "claimed": true}}'
                else:
                    actor = town.officer if level == "town" else county.officer
                    who = _pick(rnd, town.mediators if level == "town" else county.mediators)
                    data = f'{{"assignee": {who}, "claimed": false}}'
                status, assignee = "assigned", who
                period[5] = at
                events.append((at, "assign", actor, "pending", "assigned", level, level,
                               "认领案件" if level == "village" else "分派", data))  # fmt: skip
                last = at
                if stuck and i == levels - 1 and rnd() < 0.4:
                    break
                # respond
                if rnd() < 0.04:
                    rt = respond_due + _between(rnd, 60, 1800)
                else:
                    rt = min(cal.office(at + _between(rnd, 30, 1200), rng), respond_due - 5)
                rt = max(rt, at + 10)
                if rt > now:
                    break
                status = "in_progress"
                period[7] = rt
                if session_at is None:
                    session_at = rt
                    self.consents(cs, party_id, rt, who)
                self.session(cs, rt, who, level)
                events.append((rt, "respond", who, "assigned", "in_progress", level, level,
                               "首次调解", "{}"))  # fmt: skip
                last = rt
                if stuck and i == levels - 1:
                    break
                if i < levels - 1:
                    # escalate: by the sweep at the missed deadline, or by the handler
                    if rnd() < 0.3:
                        et, actor, system = resolve_due + 1, None, "true"
                        reason = "办结期限已过，系统自动上报。"
                    else:
                        et = cal.office(cal.add_wd(arrived, _between(rnd, 2, 9)), rng)
                        et = min(max(et, rt + 60), resolve_due - 10)
                        actor, system = who, "false"
                        reason = "矛盾较大，申请上级调处。"
                    if et > now:
                        break
                    period[9], period[10] = et, "escalated"
                    nxt = LEVELS[i + 1]
                    events.append((et, "escalate", actor, "in_progress", "pending", level, nxt,
                                   reason, f'{{"system": {system}, "holder": {holders[i + 1]}}}'))  # fmt: skip
                    last = arrived = et
                    entered = "escalate"
                    status, assignee = "pending", None
                    continue
                # conclude at this level
                budget = {"village": 13, "town": 18, "county": 27}[level]
                if path == "withdrawn":
                    ct = cal.office(rt + _between(rnd, 600, 3000), rng)
                    if ct > now:
                        break
                    status, outcome, note = "closed", "withdrawn", "当事人自行和解，申请撤回。"
                    closed_at = concluded_at = ct
                    period[9], period[10] = ct, "closed"
                    events.append((ct, "close", who, "in_progress", "closed", level, level, note,
                                   '{"outcome": "withdrawn"}'))  # fmt: skip
                    last = ct
                    break
                wd = min(int(rng.expovariate(0.25)) + 1, budget)
                ct = cal.office(cal.add_wd(arrived, wd) - int(rnd() * 360), rng)
                ct = min(max(ct, rt + 60), resolve_due - 10)
                if ct > now:
                    break
                if rnd() < 0.03:
                    outcome = _pick(rnd, ("failed", "failed", "referred"))
                    note = "调解不成，告知当事人通过诉讼途径解决。"
                    status, closed_at, concluded_at = "closed", ct, ct
                    period[9], period[10] = ct, "closed"
                    # Art. 26: the routes explained when mediation fails.
                    data = (f'{{"outcome": "{outcome}", "routes": ["litigation"]}}'
                            if outcome == "failed" else f'{{"outcome": "{outcome}"}}')  # fmt: skip
                    if outcome == "failed":
                        note += "（已告知其他途径：诉讼）"
                    events.append((ct, "close", who, "in_progress", "closed", level, level, note,
                                   data))  # fmt: skip
                    last = ct
                    break
                status, resolved_at, concluded_at = "resolved", ct, ct
                period[9], period[10] = ct, "resolved"
                last = ct
                issuer = (village_name, town.name, county.name)[i]
                followed = self.agreement(cs, number, ct, who, level, issuer, county, party_id,
                                          a, b, facts, events)  # fmt: skip
                if followed is None:
                    break  # not followed up (yet): the case cannot be closed
                close = cal.office(followed + _between(rnd, 30, 1800), rng)
                if close > now:
                    break
                status, outcome, closed_at = "closed", "agreement", close
                note = "协议履行完毕，回访满意，结案归档。"
                events.append((close, "close", who, "resolved", "closed", level, level, note,
                               '{"outcome": "agreement"}'))  # fmt: skip
                last = close
                break

        peak = LEVELS[max(len(periods) - 1, 0)] if periods else "village"
        holder = holders[LEVELS.index(level)]
        open_case = status in ("pending", "assigned", "in_progress")
        self.counts["cases"] += 1
        self.counts["open"] += status != "closed"
        text = cal.text
        # The case row.
        w.buffers["cases_case"].append(
            "\t".join(
                (
                    cs, number, title, facts, category, source,
                    "yellow" if rnd() < 0.2 else "green",
                    cal.day_text[max(t // 1440 - int(rnd() * 20), 0)],
                    _pick(rnd, (NULL, NULL, "800.00", "2000.00", "5000.00", "12000.00")),
                    "2", str(grid_id or village_id), str(county.province_id),
                    str(county.city_id), str(county.id), str(town.id), str(village_id),
                    str(grid_id) if grid_id else NULL, level, peak, str(holder), status,
                    str(assignee) if assignee else NULL, outcome, note, "f", "f", str(reporter),
                    text(t), text(resolved_at) if resolved_at else NULL,
                    text(closed_at) if closed_at else NULL,
                    text(concluded_at) if concluded_at else NULL, text(last),
                )
            )
            + "\n"
        )  # fmt: skip
        # Parties: from the county's pool of people (encrypted ID and phone) or name only.
        party = w.buffers["cases_party"]
        without_id = False
        for n, (name, role) in enumerate(((a, "applicant"), (b, "respondent"))):
            if rnd() < WITH_ID_SHARE:
                enc, digest, masked, phone, phone_masked, phone_digest = _pick(rnd, pool)
            else:
                enc, digest, masked, phone, phone_masked, phone_digest = NULL, "", "", NULL, "", ""
                without_id = True
            party.append(
                f"{party_id + n}\t{cs}\t{name}\t{role}\t{enc}\t{digest}\t{masked}\t{phone}\t"
                f"{phone_masked}\t{phone_digest}\t{village_name}\t{village_id}\n"
            )
        if session_at is not None and without_id:
            # Art. 27: the file holds an identity paper for a party without an ID number.
            w.buffers["mediation_filedocument"].append(
                f"{cs}\tidentity\t{NULL}\t当事人身份证复印件\t{assignee or reporter}\t"
                f"{text(session_at)}\n"
            )
        # Handling periods: next_deadline only on the open one.
        rows = w.buffers["cases_handlingperiod"]
        for n, p in enumerate(periods):
            lvl, area, entered, arrived, a_due, a_at, r_due, r_at, s_due, ended, reason = p
            is_open = open_case and n == len(periods) - 1 and ended is None
            if is_open:
                if a_at is None:
                    nd, kind = min((a_due, "assign"), (r_due, "respond"), (s_due, "resolve"))
                elif r_at is None:
                    nd, kind = min((r_due, "respond"), (s_due, "resolve"))
                else:
                    nd, kind = s_due, "resolve"
                next_deadline = text(nd)
            else:
                next_deadline, kind = NULL, ""
            rows.append(
                f"{cs}\t{lvl}\t{area}\t{entered}\tf\t{text(arrived)}\t{text(a_due)}\t"
                f"{text(a_at) if a_at is not None else NULL}\t{text(r_due)}\t"
                f"{text(r_at) if r_at is not None else NULL}\t{text(s_due)}\t"
                f"{text(ended) if ended is not None else NULL}\t{reason}\t{next_deadline}\t"
                f"{kind}\n"
            )
        rows = w.buffers["cases_caseevent"]
        for at, kind, actor, fs, ts, fl, tl, enote, data in events:
            rows.append(
                f"{cs}\t{kind}\t{actor if actor else NULL}\t{fs}\t{ts}\t{fl}\t{tl}\t{enote}\t"
                f"{data}\t{text(at)}\n"
            )

    def consents(self, cs, party_id, t, who):
        """Each party's consent and rights notice (art. 17, 23), before the first session."""
        day = self.cal.day_text[t // 1440]
        rows = self.w.buffers["mediation_partyconsent"]
        for n in (0, 1):
            rows.append(
                f"{cs}\t{party_id + n}\tconsent\t{day}\t{day}\twritten\t\t{who}\t"
                f"{self.cal.text(t)}\n"
            )

    def session(self, cs, t, who, level):
        """A mediation session with its minutes (art. 27), the first contact at a level."""
        sid = self.next_session
        self.next_session += 1
        place = "村委会调解室" if level == "village" else "综治中心调解室"
        self.w.buffers["mediation_mediationsession"].append(
            f"{sid}\t{cs}\t{self.cal.text(t)}\t{place}\t双方当事人\t"
            f"告知权利义务后，双方陈述，调解员释法说理。\t{who}\t{self.cal.text(t)}\n"
        )
        self.w.buffers["mediation_mediationsession_mediators"].append(f"{sid}\t{who}\n")

    def agreement(self, cs, number, ct, who, level, issuer, county, party_id, a, b, facts,
                  events):  # fmt: skip
        """The agreement reached at `ct` and what the mediation services write after it: the
        signatures and seal of a written one, the judicial-confirmation window its taking effect
        opens, the follow-up; their record events go into `events`. Returns the follow-up's
        time, or None when there is none (never, or not yet)."""
        rng, cal, w, now = self.rng, self.cal, self.w, self.now
        rnd = rng.random
        text, day_text = cal.text, cal.day_text
        aid = self.next_agreement
        self.next_agreement += 1
        written = rnd() < WRITTEN_SHARE
        form = "written" if written else "oral"
        events.append((ct, "resolve", who, "in_progress", "resolved", level, level,
                       "达成书面协议" if written else "达成口头协议",
                       f'{{"agreement": {aid}, "form": "{form}"}}'))  # fmt: skip
        reached = ct // 1440
        terms = _pick(rnd, TERMS).format(a=a, b=b, amount=_pick(rnd, AMOUNTS))
        # mediation.agreements._agreement_number: the issuer is the holder (no committee given).
        head = (
            f"{aid}\t{cs}\t{issuer}调字〔{cal.year(ct)}〕第{number[-6:]}号\t{form}\t{NULL}\t{who}"
        )
        effective = None
        if written:
            perform_by = reached + _pick(rnd, PERFORM_DAYS)
            due_day = perform_by
            sign_day = reached + _pick(rnd, (0, 0, 1, 2))
            in_effect = max(ct, sign_day * 1440 + 960)
            if in_effect <= now:
                effective = sign_day
                signed = day_text[sign_day]
                rows = w.buffers["mediation_agreementsignature"]
                rows.append(f"{aid}\t{party_id}\t{signed}\n")
                rows.append(f"{aid}\t{party_id + 1}\t{signed}\n")
                events.append((in_effect, "record", who, "resolved", "resolved", level, level,
                               "记录协议签名盖章，协议生效",
                               f'{{"record": "signature", "id": {aid}, "effective_on": "{signed}"}}'))  # fmt: skip
            else:
                signed = NULL
            w.buffers["mediation_agreement"].append(
                f"{head}\t{facts}\t{b}对纠纷的发生负主要责任，{a}负次要责任。\t{terms}\t"
                f"现金或银行转账支付，调委会见证履行。\t{day_text[perform_by]}\t{day_text[reached]}\t"
                f"{signed}\t{signed}\t{signed}\t{who}\t{text(ct)}\t"
                f"{text(in_effect if effective is not None else ct)}\n"
            )
        else:
            effective, in_effect = reached, ct  # an oral agreement is effective when reached
            due_day = cal.add_wd(ct, FOLLOW_UP_WORKING_DAYS) // 1440
            reached_text = day_text[reached]
            w.buffers["mediation_agreement"].append(
                f"{head}\t\t\t{terms}\t\t{NULL}\t{reached_text}\t{NULL}\t{NULL}\t{reached_text}\t"
                f"{who}\t{text(ct)}\t{text(ct)}\n"
            )

        # The judicial-confirmation window (mediation.agreements.sync_confirmation_clock).
        settled = reached
        if effective is not None:
            jid = self.next_confirmation
            self.next_confirmation += 1
            status, court, applied, result, ruling, note, updated = (
                "open", "", NULL, NULL, "", "", in_effect
            )  # fmt: skip
            applicants = "[]"
            data = f'{{"record": "confirmation", "id": {jid}, "status": "'
            if written and rnd() < CONFIRMATION_APPLY_SHARE:
                applied_day = effective + _between(rnd, 1, 4)
                ruled = applied_day + _between(rnd, 2, 6)
                settled = ruled
                at = applied_day * 1440 + 600
                if at <= now:
                    status, court, updated = "applied", self.court, at
                    applied = day_text[applied_day]
                    # Both parties apply jointly (art. 33).
                    applicants = f"[{party_id}, {party_id + 1}]"
                    events.append((at, "record", who, "resolved", "resolved", level, level,
                                   f"申请司法确认：{court}", data + 'applied"}'))  # fmt: skip
                    # Art. 27: the application (and later the ruling) go into the file.
                    w.buffers["mediation_filedocument"].append(
                        f"{cs}\tconfirmation\t{NULL}\t司法确认申请书及民事裁定书\t{who}\t"
                        f"{text(at)}\n"
                    )
                    at = ruled * 1440 + 900
                    if at <= now:
                        rejected = rnd() < CONFIRMATION_REJECT_SHARE
                        status = "rejected" if rejected else "confirmed"
                        result, updated = day_text[ruled], at
                        ruling = (
                            f"（{cal.year(at)}）陕{county.code[2:6]}民特{_between(rnd, 1, 400)}号"
                        )
                        events.append((at, "record", who, "resolved", "resolved", level, level,
                                       "司法确认结果：" + ("驳回申请" if rejected else "确认有效"),
                                       data + status + '"}'))  # fmt: skip
            elif rnd() < CONFIRMATION_DECLINE_SHARE:
                at = max(in_effect, effective * 1440 + 1020)
                if at <= now:
                    status, note, updated = "declined", "当事人表示自觉履行，不申请。", at
                    events.append((at, "record", who, "resolved", "resolved", level, level,
                                   "当事人不申请司法确认", data + 'declined"}'))  # fmt: skip
            w.buffers["mediation_judicialconfirmation"].append(
                f"{jid}\t{cs}\t{aid}\t{status}\t{day_text[effective]}\t"
                f"{text((effective + CONFIRMATION_REMIND_DAY) * 1440)}\t"
                f"{text((effective + CONFIRMATION_WINDOW_DAYS + 1) * 1440)}\t{court}\t{applied}\t"
                f"{result}\t{ruling}\t{note}\t{text(updated)}\t{applicants}\t\n"
            )

        # The follow-up, around its due date (mediation.deadlines.follow_up_due), 10–30 days
        # after resolution and after the court's ruling.
        if rnd() < NO_FOLLOW_UP_SHARE:
            return None
        # Never before the performance date (art. 31: the first follow-up is scheduled then).
        day = max(due_day + _between(rnd, 0, 3), reached + 10, settled + 1)
        at = cal.office(day * 1440 + 540 + _between(rnd, 0, 420), rng)
        if at > now:
            return None
        fid = self.next_follow_up
        self.next_follow_up += 1
        r = rnd()
        satisfaction = "satisfied" if r < 0.84 else "basically" if r < 0.97 else "dissatisfied"
        w.buffers["mediation_followup"].append(
            f"{fid}\t{cs}\t{_pick(rnd, FOLLOW_UP_METHODS)}\t{day_text[at // 1440]}\tt\t"
            f"{satisfaction}\t{'low' if r >= 0.97 else 'none'}\t协议已履行完毕，双方关系缓和。\t"
            f"{who}\t{text(at)}\n"
        )
        events.append((at, "record", who, "resolved", "resolved", level, level, "回访：协议已履行",
                       f'{{"record": "follow_up", "id": {fid}, "performed": true, '
                       f'"satisfaction": "{satisfaction}"}}'))  # fmt: skip
        return at

    def inspections(self, county: County):
        """Each grid's monthly inspection report (mediation.services.inspection_file) from the
        first generated month to now, for most grids and months: filed on the 20th–28th,
        listing the disputes the inspection found that month, else a zero report. Months the
        county already has reports for are left alone."""
        rng, cal, w, now = self.rng, self.cal, self.w, self.now
        rnd = rng.random
        text, day_text = cal.text, cal.day_text
        first = (date(FIRST_YEAR, 1, 1) - cal.base).days
        months = [
            d
            for d in cal.month_firsts
            if first <= d <= now // 1440 and (county.id, d) not in self.inspected
        ]
        reports = w.buffers["mediation_inspectionreport"]
        links = w.buffers["mediation_inspectionreport_cases"]
        found = self.found
        for town in county.towns:
            for village_id, _, grids, mediators, workers in town.villages:
                tail = f"{county.province_id}\t{county.city_id}\t{county.id}\t{town.id}\t{village_id}\n"
                for grid in grids:
                    reporter = workers.get(grid) or mediators[0]
                    for month in months:
                        if rnd() >= INSPECTED_SHARE:
                            continue
                        day = month + _between(rnd, 19, 28)
                        at = day * 1440 + 1020 + _between(rnd, 0, 60)
                        if at > now:
                            continue
                        rid = self.next_report
                        self.next_report += 1
                        cases = [c for c, d in found.get((grid, month), ()) if d <= day]
                        for case_id in cases:
                            links.append(f"{rid}\t{case_id}\n")
                        zero = "f\t排查发现纠纷已登记。" if cases else "t\t本月排查未发现矛盾纠纷。"
                        reports.append(
                            f"{rid}\t{grid}\t{day_text[month]}\t{zero}\t{reporter}\t{text(at)}\t{tail}"
                        )


_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
_GIVEN = "建国华明丽伟芳娜秀英敏静强磊军洋勇艳杰娟涛超霞平刚桂兰玉梅红凤珍海燕志文学春生"


AMOUNTS = (500, 800, 1200, 2000, 3000, 5000, 8000)


def _pick(rnd, seq):
    return seq[int(rnd() * len(seq))]


def _between(rnd, low, high):
    """random.randrange(low, high), without its argument checks (hot path)."""
    return low + int(rnd() * (high - low))


def _person(rnd):
    given = _pick(rnd, _GIVEN) + (_pick(rnd, _GIVEN) if rnd() < 0.6 else "")
    return _pick(rnd, _SURNAMES) + given


# ---------------------------------------------------------------- indexes


def _secondary_indexes(cursor) -> list[tuple[str, str]]:
    """(name, definition) of the four tables' indexes that no constraint owns."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname
          )
        ORDER BY i.indexname
        """,
        [TABLES],
    )
    return cursor.fetchall()


# ---------------------------------------------------------------- the whole load


def bulk_seed(*, n: int, counties: int, out, password: str) -> dict:
    """Make the database hold at least n cases over `counties` counties (the demo one first)."""
    started = time.perf_counter()
    existing = Case.objects.count()
    if existing >= n:
        out.write(f"bulk: the database already holds {existing:,} cases (≥ {n:,}); nothing to do")
        return {"created": 0}
    to_make = n - existing

    # Areas and staff of the generated counties.
    codes = generated_county_codes(counties - 1)
    if codes:
        result = areas_import(text=generated_area_csv(codes))
        out.write(f"bulk: areas created {result.created}, unchanged {result.unchanged}")
    with transaction.atomic():
        staff = [demo_county()] + [
            generated_county(Area.objects.get(code=code), password) for code in codes
        ]
    prepared = time.perf_counter()

    now = timezone.now()
    local_now = timezone.localtime(now)
    base = date(FIRST_YEAR - 1, 12, 1)
    hours = int(local_now.utcoffset().total_seconds() // 3600)
    cal = Calendar(base, local_now.date() + timedelta(days=200), offset=f"{hours:+03d}")
    now_t = (local_now.date() - base).days * 1440 + local_now.hour * 60 + local_now.minute
    limits = {}
    for level in LEVELS:
        policy = limits_for(level, False)
        values = []
        for value, unit in (policy.assign, policy.respond, policy.resolve):
            values.append(value if unit == "working_days" else max(1, value // 8))
        limits[level] = tuple(values)

    shares = [to_make // counties + (1 if i < to_make % counties else 0) for i in range(counties)]
    drop = to_make >= DROP_INDEXES_FROM
    stats = {}
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg 3 cursor, for COPY
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(
            f"LOCK TABLE cases_case, cases_casenumbersequence, {', '.join(NUMBERED)} "
            "IN EXCLUSIVE MODE"
        )
        dropped = []
        if drop:
            dropped = _secondary_indexes(cursor)
            for name, _ in dropped:
                cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
        next_id = cursor.fetchone()[0] + 1
        next_ids = {}
        for table in NUMBERED:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
            next_ids[table] = cursor.fetchone()[0]
        inspected = {
            (county_id, (period - base).days)
            for county_id, period in InspectionReport.objects.filter(
                county_id__in=[county.id for county in staff]
            )
            .values_list("county_id", "period")
            .distinct()
        }
        sequences = {(s.county_id, s.year): s.last for s in CaseNumberSequence.objects.all()}
        before = dict(sequences)
        writer = Writer(cursor)
        generator = Generator(
            cal,
            now_t,
            writer,
            limits,
            seed=n * 31 + counties,
            next_ids=next_ids,
            inspected=inspected,
        )
        try:
            for county, share in zip(staff, shares, strict=True):
                next_id = generator.county(county, share, next_id, sequences)
        finally:
            writer.close()
        # The sweep's cursor of each open period loaded, on its next deadline (clocks.new_cursor).
        cursor.execute(
            """
            INSERT INTO cases_periodcursor (period_id, next_deadline, next_deadline_kind)
            SELECT p.id, p.next_deadline, p.next_deadline_kind FROM cases_handlingperiod p
            WHERE p.ended_at IS NULL AND p.next_deadline IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM cases_periodcursor c WHERE c.period_id = p.id)
            """
        )
        stats["referrals_in_out"] = add_referrals(cursor, staff, password)  # 三调联动
        loaded = time.perf_counter()
        for (county_id, year), last in sequences.items():
            if before.get((county_id, year)) != last:
                CaseNumberSequence.objects.update_or_create(
                    county_id=county_id, year=year, defaults={"last": last}
                )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [next_id - 1]
        )
        for table in NUMBERED:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE(MAX(id), 0) + 1, false) FROM {table}"
            )
        for _, definition in dropped:
            cursor.execute(definition)
        indexed = time.perf_counter()
    with connection.cursor() as cursor:
        # The areas and accounts were created in bulk too: the planner needs their sizes.
        for table in [*TABLES, "grids_area", "accounts_user", "accounts_role"]:
            cursor.execute(f"ANALYZE {table}")
    finished = time.perf_counter()
    stats = {
        **stats,
        "created": generator.counts["cases"],
        "open": generator.counts["open"],
        "rows": writer.rows,
        "prepare_s": round(prepared - started, 1),
        "generate_and_copy_s": round(loaded - prepared, 1),
        "copy_wait_s": round(writer.copy_seconds, 1),
        "indexes_s": round(indexed - loaded, 1),
        "analyze_s": round(finished - indexed, 1),
        "total_s": round(finished - started, 1),
        "indexes_rebuilt": len(dropped),
    }
    rows = writer.rows
    out.write(
        f"bulk: {stats['created']:,} cases ({stats['open']:,} open) in {counties} counties, "
        f"{rows['cases_party']:,} parties, {rows['cases_handlingperiod']:,} periods, "
        f"{rows['cases_caseevent']:,} events, {rows['mediation_agreement']:,} agreements "
        f"({rows['mediation_judicialconfirmation']:,} confirmation windows), "
        f"{rows['mediation_followup']:,} follow-ups, {rows['mediation_inspectionreport']:,} "
        f"inspection reports; {stats['total_s']}s "
        f"(prepare {stats['prepare_s']}s, generate+COPY {stats['generate_and_copy_s']}s of which "
        f"COPY {stats['copy_wait_s']}s, indexes {stats['indexes_s']}s "
        f"[{len(dropped)} rebuilt], ANALYZE {stats['analyze_s']}s)"
    )
    return stats
