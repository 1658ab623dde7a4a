"""Writes to the agencies (DESIGN.md §15): the CSV import of agencies with their people, and
一村一警 beats. The import is all rows or none, safe to run again, and names each bad row."""

import csv
import io
from dataclasses import dataclass

from django.db import transaction

from grids.choices import LEVEL_RANK, AreaLevel
from grids.models import Area

from .agencies import Agency, AgencyMember, PoliceBeat
from .choices import AgencyKind, RoleKind
from .models import Role, User

CSV_COLUMNS = [
    "code",
    "name",
    "kind",
    "department",
    "area_code",
    "phone",
    "liaison_username",
    "liaison_name",
    "liaison_phone",
    "villages",
]
REQUIRED = ["code", "name", "kind", "area_code"]


@dataclass
class AgencyImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    people: int = 0
    beats: int = 0


class AgencyImportError(Exception):
    """The file has bad rows; `errors` lists them as (line number, {column: message})."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(
            "; ".join(
                f"第{line}行: " + "；".join(f"{k}: {v}" for k, v in fields.items())
                for line, fields in errors
            )
        )


def county_of(area: Area) -> Area | None:
    """The county an area lies in (the area itself for a county)."""
    if area.level == AreaLevel.COUNTY:
        return area
    return next((a for a in area.ancestors() if a.level == AreaLevel.COUNTY), None)


def _read(text: str):
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [f.strip() for f in reader.fieldnames or []]
    if header[: len(REQUIRED)] != CSV_COLUMNS[: len(REQUIRED)] or not set(header) <= set(
        CSV_COLUMNS
    ):
        raise AgencyImportError([(1, {"header": f"表头应为 {','.join(CSV_COLUMNS)}"})])
    for line, raw in enumerate(reader, start=2):
        if None in raw or any(raw.get(k) is None for k in header):
            yield line, None
            continue
        yield line, {k: (raw.get(k) or "").strip() for k in CSV_COLUMNS}


def _check(rows):
    """Validate every row; the areas they name, read in two queries."""
    codes = {r["area_code"] for _l, r in rows if r} | {
        v for _l, r in rows if r for v in r["villages"].split(";") if v.strip()
    }
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    errors, seen = [], {}
    for line, row in rows:
        if row is None:
            errors.append((line, {"row": "列数不对"}))
            continue
        fields = {}
        for column in REQUIRED:
            if not row[column]:
                fields[column] = "必填"
        if row["kind"] and row["kind"] not in AgencyKind.values:
            fields["kind"] = f"未知类型 {row['kind']!r}（应为 {'/'.join(AgencyKind.values)}）"
        area = areas.get(row["area_code"])
        if row["area_code"] and area is None:
            fields["area_code"] = f"区划 {row['area_code']} 不存在"
        elif area is not None and area.rank > LEVEL_RANK[AreaLevel.TOWN]:
            fields["area_code"] = "联动单位应设在县或乡镇"
        elif area is not None and county_of(area) is None:
            fields["area_code"] = "区划不在任何县内"
        if len(row["code"]) > 40 or len(row["name"]) > 100:
            fields["code" if len(row["code"]) > 40 else "name"] = "过长"
        earlier = seen.get(row["code"])
        same = ("name", "kind", "department", "area_code", "phone")
        if earlier and any(earlier[k] != row[k] for k in same):
            fields["code"] = "同一编码的各行单位信息不一致"
        seen.setdefault(row["code"], row)
        if row["villages"] and not row["liaison_username"]:
            fields["villages"] = "包联村须指定民警（liaison_username）"
        for code in filter(None, (v.strip() for v in row["villages"].split(";"))):
            village = areas.get(code)
            if village is None or village.level != AreaLevel.VILLAGE:
                fields["villages"] = f"{code} 不是村（社区）"
            elif area is not None and not village.is_under(county_of(area)):
                fields["villages"] = f"{code} 不在本县"
            elif row["kind"] != AgencyKind.POLICE:
                fields["villages"] = "只有派出所民警包联村（社区）"
        if row["liaison_username"] and len(row["liaison_username"]) > 150:
            fields["liaison_username"] = "过长"
        if fields:
            errors.append((line, fields))
    return areas, errors


@transaction.atomic
def agencies_import(
    *, text: str, password: str | None = None, password_hash: str | None = None
) -> AgencyImportResult:
    """Import agencies (and their liaison people and beats) from CSV text; all rows or none.
    A new liaison gets `password` (or an already hashed `password_hash`) when given, else an
    unusable one (an admin sets it)."""
    rows = list(_read(text))
    areas, errors = _check(rows)
    if errors:
        raise AgencyImportError(errors)
    result = AgencyImportResult()
    agencies = {}
    for _line, row in rows:
        area = areas[row["area_code"]]
        values = {
            "name": row["name"],
            "kind": row["kind"],
            "department": row["department"],
            "area": area,
            "county": county_of(area),
            "phone": row["phone"],
            "active": True,
        }
        if row["code"] not in agencies:
            agency = Agency.objects.filter(code=row["code"]).first()
            if agency is None:
                agency = Agency.objects.create(code=row["code"], **values)
                result.created += 1
            elif any(getattr(agency, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(agency, k, v)
                agency.save()
                result.updated += 1
            else:
                result.unchanged += 1
            agencies[row["code"]] = agency
        agency = agencies[row["code"]]
        if not row["liaison_username"]:
            continue
        member = liaison_add(
            agency=agency,
            username=row["liaison_username"],
            display_name=row["liaison_name"],
            phone=row["liaison_phone"],
            password=password,
            password_hash=password_hash,
        )
        result.people += 1
        for code in filter(None, (v.strip() for v in row["villages"].split(";"))):
            beat_assign(village=areas[code], member=member)
            result.beats += 1
    return result


def liaison_add(
    *,
    agency: Agency,
    username: str,
    display_name: str = "",
    phone: str = "",
    password=None,
    password_hash=None,
) -> AgencyMember:
    """A person of the agency: the user (created when new), the liaison role at the agency's
    area, and the membership; safe to repeat."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=display_name, phone=phone)
        if password_hash:
            user.password = password_hash
        elif password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    Role.objects.get_or_create(user=user, kind=RoleKind.LIAISON, area=agency.area)
    member, _ = AgencyMember.objects.get_or_create(agency=agency, user=user)
    return member


def beat_assign(*, village: Area, member: AgencyMember) -> PoliceBeat:
    """一村一警: `member` (a police station's liaison) 包联 `village` (replacing another)."""
    beat, _ = PoliceBeat.objects.update_or_create(village=village, defaults={"member": member})
    return beat
