"""Writes to the area tree: the CSV import."""

import csv
import io
from dataclasses import dataclass

from django.db import transaction

from .choices import CODE_LENGTH, LEVEL_RANK, PREFIX_LENGTH, AreaLevel
from .models import Area

CSV_COLUMNS = ["code", "name", "level", "parent_code"]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


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
