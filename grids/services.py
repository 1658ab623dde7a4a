"""Writes to the area tree: the CSV import and the national division list."""

import csv
import io
from dataclasses import dataclass

from django.db import connection, transaction

from .choices import CODE_LENGTH, LEVEL_ORDER, LEVEL_RANK, PREFIX_LENGTH, AreaLevel
from .division import DivisionRow
from .models import Area

CSV_COLUMNS = ["code", "name", "level", "parent_code"]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0


class AreaImportError(Exception):
    """The file has bad rows; `errors` lists them as (line number, message)."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"第{line}行: {msg}" for line, msg in errors))


def _validate_code(code, level):
    if not code.isdigit():
        return "区划代码只能包含数字"
    if len(code) != CODE_LENGTH[level]:
        return f"{AreaLevel(level).label}的区划代码应为{CODE_LENGTH[level]}位"
    significant = PREFIX_LENGTH[level]
    if code[significant:].strip("0"):
        return f"{AreaLevel(level).label}的区划代码第{significant + 1}位起应为0"
    return None


def areas_import(*, text: str) -> ImportResult:
    """Import areas from CSV text (code,name,level,parent_code); all rows or none."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != CSV_COLUMNS:
        raise AreaImportError([(1, f"表头应为 {','.join(CSV_COLUMNS)}")])

    errors = []
    rows = {}
    for line, raw in enumerate(reader, start=2):
        if None in raw or any(raw.get(k) is None for k in CSV_COLUMNS):
            errors.append((line, "列数不对"))
            continue
        code, name = raw["code"].strip(), raw["name"].strip()
        level, parent_code = raw["level"].strip(), raw["parent_code"].strip()
        if level not in AreaLevel.values:
            errors.append((line, f"未知层级 {level!r}"))
            continue
        problem = _validate_code(code, level)
        if problem:
            errors.append((line, problem))
            continue
        if not name or len(name) > 100:
            errors.append((line, "名称不能为空，且不超过100字"))
            continue
        if code in rows:
            errors.append((line, f"区划代码 {code} 重复（第{rows[code]['line']}行）"))
            continue
        rows[code] = {"line": line, "name": name, "level": level, "parent_code": parent_code}

    existing = {
        a.code: a
        for a in Area.objects.filter(
            code__in=set(rows) | {r["parent_code"] for r in rows.values() if r["parent_code"]}
        )
    }
    for code, row in rows.items():
        parent_code = row["parent_code"]
        if not parent_code:
            if row["level"] != AreaLevel.PROVINCE:
                errors.append((row["line"], "只有省级可以没有上级"))
            continue
        if parent_code in rows:
            parent_level = rows[parent_code]["level"]
        elif parent_code in existing:
            parent_level = existing[parent_code].level
        else:
            errors.append((row["line"], f"上级区划 {parent_code} 不存在"))
            continue
        if LEVEL_RANK[parent_level] >= LEVEL_RANK[row["level"]]:
            errors.append((row["line"], "上级的层级必须高于本级"))
            continue
        if not code.startswith(parent_code[: PREFIX_LENGTH[parent_level]]):
            errors.append((row["line"], f"区划代码 {code} 不在上级 {parent_code} 之下"))
    if errors:
        raise AreaImportError(sorted(errors))

    result = ImportResult()
    with transaction.atomic():
        for code, row in sorted(rows.items(), key=lambda item: LEVEL_RANK[item[1]["level"]]):
            parent = existing.get(row["parent_code"]) if row["parent_code"] else None
            current = existing.get(code)
            if current is None:
                existing[code] = Area.objects.create(
                    code=code, name=row["name"], level=row["level"], parent=parent
                )
                result.created += 1
            elif (current.name, current.level, current.parent_id) != (
                row["name"],
                row["level"],
                parent.id if parent else None,
            ):
                current.name, current.level, current.parent = row["name"], row["level"], parent
                current.save(update_fields=["name", "level", "parent"])
                result.updated += 1
            else:
                result.unchanged += 1
    return result


# Rows per INSERT / UPDATE: large enough for few round trips, small enough for SQLite's limits.
BATCH = 2000
DIVISION_LEVELS = [level for level in LEVEL_ORDER if level != AreaLevel.GRID]


def areas_sync_division(*, rows: list[DivisionRow], prefix: str) -> ImportResult:
    """Bring the tree in line with an edition of the national division list, all or nothing.

    `rows` hold the division whose code starts with `prefix` ("" for the country) and its
    ancestors. Areas are matched by code: a renamed area keeps its id (and its cases); a code
    the edition no longer has under `prefix` (merged away, 撤并) is kept and marked retired,
    since cases, roles and committees may point at it; a code that comes back is un-retired.
    Grids are ours, not the list's, and are left alone.
    """
    by_level = {level: [] for level in DIVISION_LEVELS}
    for row in rows:
        by_level[row.level].append(row)
    codes = {row.code for row in rows}
    result = ImportResult()
    with transaction.atomic():
        # code -> (id, name, level, parent id, retired) of what is there now.
        existing = {}
        scope = Area.objects.exclude(level=AreaLevel.GRID)
        if prefix:
            scope = scope.filter(code__startswith=prefix)
        fields = ("code", "id", "name", "level", "parent_id", "retired")
        ancestors = [row.code for row in rows if not row.code.startswith(prefix)]
        for queryset in (scope, Area.objects.filter(code__in=ancestors)):
            for code, *rest in queryset.values_list(*fields).iterator(chunk_size=BATCH):
                existing[code] = rest
        ids = {code: values[0] for code, values in existing.items()}
        for level in DIVISION_LEVELS:
            new, changed = [], []
            for row in by_level[level]:
                parent_id = ids[row.parent_code] if row.parent_code else None
                current = existing.get(row.code)
                if current is None:
                    new.append((row.code, row.name, row.level, parent_id))
                elif current[1:] != [row.name, row.level, parent_id, False]:
                    changed.append(
                        Area(
                            id=current[0],
                            code=row.code,
                            name=row.name,
                            level=row.level,
                            parent_id=parent_id,
                            retired=False,
                        )
                    )
                else:
                    result.unchanged += 1
            result.created += _create(new, ids, level=level, prefix=prefix)
            Area.objects.bulk_update(
                changed, ["name", "level", "parent", "retired"], batch_size=BATCH
            )
            result.updated += len(changed)
        gone = [
            values[0]
            for code, values in existing.items()
            if code not in codes and code.startswith(prefix) and not values[4]
        ]
        for start in range(0, len(gone), BATCH):
            Area.objects.filter(id__in=gone[start : start + BATCH]).update(retired=True)
        result.retired = len(gone)
    return result


def _create(rows: list, ids: dict, *, level: str, prefix: str) -> int:
    """Insert the level's new areas, (code, name, level, parent id) each, and note their ids by
    code. On PostgreSQL a country's 620,000 villages go in by COPY (seconds, where INSERTs of
    model objects take minutes)."""
    if not rows:
        return 0
    if connection.vendor != "postgresql" or len(rows) < BATCH:
        areas = [Area(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in rows]
        Area.objects.bulk_create(areas, batch_size=BATCH)
        ids.update((area.code, area.id) for area in areas)
        return len(rows)
    table = Area._meta.db_table
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY {table} (code, name, level, parent_id, retired) FROM STDIN"
        ) as copy:
            for code, name, row_level, parent_id in rows:
                copy.write_row((code, name, str(row_level), parent_id, False))
    new = {row[0] for row in rows}
    scope = Area.objects.filter(level=level, code__startswith=prefix)
    ids.update(
        (code, pk)
        for code, pk in scope.values_list("code", "id").iterator(chunk_size=10 * BATCH)
        if code in new
    )
    return len(rows)
