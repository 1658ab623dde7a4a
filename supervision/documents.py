"""The two documents of DESIGN.md §18, as data read once and a PDF drawn from it (A4, Chinese,
the font of mediation/fonts embedded):

- 提醒函: to a lagging town or village, its overdue cases (the overdue rule of
  `cases.overdue`), its overdue 督办 and its KPIs for the period (the snapshot the dashboard
  reads, `assessment.selectors.area_snapshot`);
- 工作通报: the county's month: its KPIs, the towns ranked, the best and worst villages, the
  units that missed deadlines, the overdue and supervised cases, the 督办 per unit and the
  grades of the year so far, every figure from the selectors the dashboard reads.

Figures are formatted as the dashboard shows them (a rate as a percentage to one decimal, the
safety index to one decimal), so the documents and the dashboard can be held to each other."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from assessment import selectors as kpi
from assessment.periods import year_of
from cases import overdue
from cases.choices import OPEN_STATUSES, Level
from cases.models import Case
from mediation.pdf import FONT_NAME, _footer, _register_font, chinese_date

from . import selectors
from .models import Supervision

# The KPIs a document shows, in the dashboard's order and with its labels.
KPI_ROWS = [
    ("safety_index", "平安指数", False),
    ("intake", "受理数", False),
    ("concluded", "化解结案数", False),
    ("resolution_rate", "化解率", True),
    ("village_retention", "小事不出村", True),
    ("town_retention", "大事不出镇", True),
    ("assignment_on_time_rate", "按期分派率", True),
    ("response_on_time_rate", "按期响应率", True),
    ("closure_on_time_rate", "按期办结率", True),
    ("follow_up_rate", "回访率", True),
    ("satisfaction_rate", "满意率", True),
]
CASES_SHOWN = 60
UNITS_SHOWN = 5


def pct(value) -> str:
    """A rate as the dashboard shows it: 85.7%, or — when nothing was measured."""
    return "—" if value is None else f"{round(float(value) * 100, 1)}%"


def index_text(value) -> str:
    return "—" if value is None else f"{round(float(value), 1)}"


def count_text(value) -> str:
    return "—" if value is None else str(value)


def kpi_text(name: str, value, rate: bool) -> str:
    if name == "safety_index":
        return index_text(value)
    return pct(value) if rate else count_text(value)


def _kpis(snapshot) -> list[tuple[str, str]]:
    metrics = dict(snapshot.metrics)
    metrics["safety_index"] = snapshot.safety_index
    return [(label, kpi_text(name, metrics.get(name), rate)) for name, label, rate in KPI_ROWS]


def _late_cases(area, now, limit=CASES_SHOWN):
    """Open cases under `area` that are overdue by the one rule, most overdue first, each with
    what is late; and how many there are in all."""
    column = f"{area.level}_id"
    overdue_ids = Case.objects.filter(
        **{column: area.id}, status__in=OPEN_STATUSES, pk__in=overdue.overdue_case_ids(now)
    )
    total = overdue_ids.count()
    cases = list(
        overdue_ids.select_related("holder", "assignee").order_by("reported_at", "id")[:500]
    )
    items = overdue.late_items([c.pk for c in cases], now)
    rows = []
    for case in cases:
        late = items.get(case.pk, [])
        if not late:
            continue
        first = late[0]
        rows.append(
            {
                "case": case,
                "stages": "、".join(item.label for item in late),
                "due": first.due,
                "days": max(0, (now - first.due).days),
            }
        )
    rows.sort(key=lambda row: row["due"])
    return rows[:limit], total


def _overdue_supervisions(area, now):
    column = f"{area.level}_id"
    return list(
        Supervision.objects.filter(selectors.overdue_q(now), **{column: area.id})
        .select_related("unit", "case")
        .order_by("due_at", "id")[:CASES_SHOWN]
    )


# ---------------------------------------------------------------- 提醒函


def reminder_data(unit, period, now) -> dict:
    snapshot = kpi.area_snapshot(unit, period)
    cases, total = _late_cases(unit, now)
    return {
        "unit": unit,
        "parent": unit.parent,
        "period": period,
        "now": now,
        "snapshot": snapshot,
        "kpis": _kpis(snapshot),
        "cases": cases,
        "cases_total": total,
        "supervisions": _overdue_supervisions(unit, now),
        "counts": selectors.counts_under(unit, now),
    }


def reminder_figures(data) -> dict:
    return {
        "period": data["period"].key,
        "kpis": dict(data["kpis"]),
        "overdue_cases": data["cases_total"],
        "overdue_supervisions": data["counts"]["overdue"],
        "computed_at": data["snapshot"].computed_at.isoformat(),
    }


def _styles():
    base = {"fontName": FONT_NAME, "wordWrap": "CJK"}
    return {
        "title": ParagraphStyle(
            "title", **base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=2 * mm
        ),
        "number": ParagraphStyle("number", **base, fontSize=11, leading=16, alignment=TA_CENTER),
        "heading": ParagraphStyle(
            "heading",
            **base,
            fontSize=12.5,
            leading=19,
            spaceBefore=3 * mm,
            spaceAfter=1.5 * mm,
            keepWithNext=1,
        ),
        "body": ParagraphStyle("body", **base, fontSize=11, leading=18, firstLineIndent=22),
        "plain": ParagraphStyle("plain", **base, fontSize=11, leading=18),
        "lead": ParagraphStyle("lead", **base, fontSize=11, leading=18, keepWithNext=1),
        "cell": ParagraphStyle("cell", **base, fontSize=9, leading=12),
        "right": ParagraphStyle("right", **base, fontSize=11, leading=18, alignment=TA_RIGHT),
        "small": ParagraphStyle("small", **base, fontSize=8.5, leading=12, textColor=colors.grey),
    }


def _table(rows, widths, styles, *, header=True):
    cells = [[Paragraph(escape(str(value)), styles["cell"]) for value in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")))
    table.setStyle(TableStyle(commands))
    return table


def _document(title, author):
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=author,
        creator="矛盾纠纷调解案件管理系统",
        initialFontName=FONT_NAME,
    )
    return buffer, doc


def _as_of(now) -> str:
    return timezone.localtime(now).strftime("%Y-%m-%d %H:%M")


def reminder_pdf(data, *, number, title, issued_at, issued_by) -> bytes:
    """The 提醒函 as a PDF (bytes)."""
    _register_font()
    styles = _styles()
    unit, parent, period = data["unit"], data["parent"], data["period"]
    issuer = parent.name if parent is not None else ""
    buffer, doc = _document(f"提醒函 {number}", issuer)
    width = doc.width
    story = [
        Paragraph("提 醒 函", styles["title"]),
        Paragraph(escape(number), styles["number"]),
        Spacer(1, 3 * mm),
        Paragraph(f"{escape(unit.name)}：", styles["plain"]),
        Paragraph(
            f"截至{_as_of(data['now'])}，你单位尚有超期未办结（未按期办理）的矛盾纠纷案件"
            f"<b>{data['cases_total']}</b>件、超期未反馈的督办事项<b>{data['counts']['overdue']}</b>件；"
            f"{escape(period.label)}考核指标如下。请对照问题清单，逐件落实责任人，"
            "限期办结并将办理情况报送上级。",
            styles["body"],
        ),
        Paragraph(f"一、{escape(period.label)}考核指标", styles["heading"]),
        _table([["指标", "数值"], *data["kpis"]], [width * 0.5, width * 0.5], styles),
        Paragraph(
            f"数据截至{_as_of(data['snapshot'].computed_at)}（与考核看板同一快照）。",
            styles["small"],
        ),
        Paragraph("二、超期案件清单", styles["heading"]),
    ]
    if data["cases"]:
        rows = [["案件编号", "案件名称", "承办单位", "超期环节", "期限", "超期天数"]]
        for row in data["cases"]:
            case = row["case"]
            rows.append(
                [
                    case.number,
                    case.title[:40],
                    case.holder.name,
                    row["stages"],
                    timezone.localtime(row["due"]).strftime("%Y-%m-%d"),
                    row["days"],
                ]
            )
        story.append(_table(rows, [w * width for w in (0.24, 0.26, 0.12, 0.14, 0.14, 0.1)], styles))
        if data["cases_total"] > len(data["cases"]):
            story.append(
                Paragraph(
                    f"（另有{data['cases_total'] - len(data['cases'])}件，略。）", styles["small"]
                )
            )
    else:
        story.append(Paragraph("无超期案件。", styles["plain"]))
    story.append(Paragraph("三、超期未反馈的督办事项", styles["heading"]))
    if data["supervisions"]:
        rows = [["督办对象", "责任单位", "事由", "反馈期限"]]
        for item in data["supervisions"]:
            rows.append(
                [
                    item.case.number if item.case_id else "单位督办",
                    item.unit.name,
                    item.reason[:60],
                    timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
                ]
            )
        story.append(_table(rows, [w * width for w in (0.22, 0.16, 0.42, 0.2)], styles))
    else:
        story.append(Paragraph("无。", styles["plain"]))
    story += [
        Spacer(1, 10 * mm),
        Paragraph(escape(issuer), styles["right"]),
        Paragraph(chinese_date(timezone.localdate(issued_at)), styles["right"]),
        Paragraph(f"签发：{escape(str(issued_by))}", styles["small"]),
    ]
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


# ---------------------------------------------------------------- 工作通报


def _unit_row(snapshot) -> list:
    metrics = snapshot.metrics
    return [
        snapshot.rank,
        snapshot.area.name,
        index_text(snapshot.safety_index),
        pct(metrics.get("resolution_rate")),
        pct(metrics.get("closure_on_time_rate")),
        count_text(metrics.get("intake")),
        snapshot.get_grade_display() if snapshot.grade else "—",
    ]


def bulletin_data(county, period, now) -> dict:
    snapshot = kpi.area_snapshot(county, period)
    towns = kpi.children_snapshots(county, period)
    # Villages with work to measure: one with no case and no report is not "best" or "worst".
    villages = [
        s
        for s in kpi.ranking(county, "village", period)
        if s.safety_index is not None and (s.metrics.get("intake") or s.metrics.get("concluded"))
    ]
    year = year_of(period.start)
    year_towns = kpi.ranking(county, "town", year)
    cases, total = _late_cases(county, now)
    supervised = list(
        Case.objects.filter(county_id=county.id, status__in=OPEN_STATUSES, supervised=True)
        .select_related("holder")
        .order_by("reported_at", "id")[:CASES_SHOWN]
    )
    return {
        "county": county,
        "period": period,
        "now": now,
        "snapshot": snapshot,
        "kpis": _kpis(snapshot),
        "towns": towns,
        "best": villages[:UNITS_SHOWN],
        "worst": list(reversed(villages[-UNITS_SHOWN:])) if len(villages) > UNITS_SHOWN else [],
        "late_units": kpi.late_units(county, period)[:10],
        "cases": cases,
        "cases_total": total,
        "supervised": supervised,
        "supervision_units": selectors.counts_by_unit(county, now)[:15],
        "supervision_counts": selectors.counts_under(county, now),
        "year": year,
        "year_towns": year_towns,
    }


def bulletin_figures(data) -> dict:
    return {
        "period": data["period"].key,
        "kpis": dict(data["kpis"]),
        "towns": [
            {"name": s.area.name, "rank": s.rank, "safety_index": index_text(s.safety_index)}
            for s in data["towns"]
        ],
        "overdue_cases": data["cases_total"],
        "supervision": data["supervision_counts"],
        "computed_at": data["snapshot"].computed_at.isoformat(),
    }


def _ranking_chart(towns, width):
    """The towns' safety index as horizontal bars (a reportlab drawing, embedded as vectors)."""
    shown = [s for s in towns if s.safety_index is not None][:20]
    if not shown:
        return None
    height = 14 * len(shown) + 30
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 70, 15
    chart.width, chart.height = width - 100, height - 25
    ordered = list(reversed(shown))
    chart.data = [[round(float(s.safety_index), 1) for s in ordered]]
    chart.categoryAxis.categoryNames = [s.area.name for s in ordered]
    chart.categoryAxis.labels.fontName = FONT_NAME
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = FONT_NAME
    chart.valueAxis.labels.fontSize = 7
    low = min(float(s.safety_index) for s in shown)
    chart.valueAxis.valueMin = max(0, int(low // 10) * 10 - 10)
    chart.valueAxis.valueMax = 100
    chart.bars[0].fillColor = colors.HexColor("#2F6FB3")
    chart.barLabelFormat = "%.1f"
    chart.barLabels.fontName = FONT_NAME
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 10
    drawing.add(chart)
    return drawing


def bulletin_pdf(data, *, number, title, issued_at, issued_by) -> bytes:
    """The monthly 工作通报 as a PDF (bytes)."""
    _register_font()
    styles = _styles()
    county, period = data["county"], data["period"]
    buffer, doc = _document(title, county.name)
    width = doc.width
    unit_widths = [w * width for w in (0.08, 0.26, 0.13, 0.13, 0.14, 0.12, 0.14)]
    unit_header = ["名次", "单位", "平安指数", "化解率", "按期办结率", "受理数", "等级"]
    counts = data["supervision_counts"]
    story = [
        Paragraph("矛盾纠纷多元化解工作通报", styles["title"]),
        Paragraph(f"{escape(number)}　{escape(period.label)}", styles["number"]),
        Spacer(1, 3 * mm),
        Paragraph(
            f"现将{escape(county.name)}{escape(period.label)}矛盾纠纷多元化解工作情况通报如下。"
            f"本期受理矛盾纠纷<b>{count_text(data['snapshot'].metrics.get('intake'))}</b>件，"
            f"化解率{pct(data['snapshot'].metrics.get('resolution_rate'))}，"
            f"平安指数{index_text(data['snapshot'].safety_index)}。"
            f"截至{_as_of(data['now'])}，全县超期未办结案件{data['cases_total']}件，"
            f"督办事项{counts['total']}件（超期未反馈{counts['overdue']}件）。",
            styles["body"],
        ),
        Paragraph("一、全县主要指标", styles["heading"]),
        _table([["指标", "数值"], *data["kpis"]], [width * 0.5, width * 0.5], styles),
        Paragraph(
            f"数据截至{_as_of(data['snapshot'].computed_at)}（与考核看板同一快照）。",
            styles["small"],
        ),
        Paragraph("二、乡镇（街道）排名", styles["heading"]),
    ]
    if data["towns"]:
        story.append(
            _table([unit_header, *[_unit_row(s) for s in data["towns"]]], unit_widths, styles)
        )
        chart = _ranking_chart(data["towns"], width)
        if chart is not None:
            story += [Spacer(1, 2 * mm), chart]
    else:
        story.append(Paragraph("无。", styles["plain"]))
    story.append(Paragraph("三、先进与后进村（社区）", styles["heading"]))
    if data["best"]:
        story.append(Paragraph("平安指数前五名：", styles["lead"]))
        story.append(
            _table([unit_header, *[_unit_row(s) for s in data["best"]]], unit_widths, styles)
        )
    if data["worst"]:
        story.append(Paragraph("平安指数后五名：", styles["lead"]))
        story.append(
            _table([unit_header, *[_unit_row(s) for s in data["worst"]]], unit_widths, styles)
        )
    if not data["best"]:
        story.append(Paragraph("本期无可比较的村（社区）。", styles["plain"]))
    story.append(Paragraph("四、超期办理单位", styles["heading"]))
    if data["late_units"]:
        rows = [["单位", "分派超期", "响应超期", "办结超期", "合计"]]
        for row in data["late_units"]:
            rows.append(
                [row["area"]["name"], row["assign"], row["respond"], row["resolve"], row["total"]]
            )
        story.append(_table(rows, [w * width for w in (0.32, 0.17, 0.17, 0.17, 0.17)], styles))
    else:
        story.append(Paragraph("本期无超期办理单位。", styles["plain"]))
    story.append(Paragraph("五、超期与督办案件", styles["heading"]))
    if data["cases"]:
        rows = [["案件编号", "案件名称", "承办单位", "超期环节", "超期天数"]]
        for row in data["cases"]:
            case = row["case"]
            rows.append(
                [case.number, case.title[:40], case.holder.name, row["stages"], row["days"]]
            )
        story.append(_table(rows, [w * width for w in (0.22, 0.34, 0.16, 0.16, 0.12)], styles))
        if data["cases_total"] > len(data["cases"]):
            story.append(
                Paragraph(
                    f"（另有{data['cases_total'] - len(data['cases'])}件，略。）", styles["small"]
                )
            )
    else:
        story.append(Paragraph("无超期案件。", styles["plain"]))
    if data["supervised"]:
        story.append(Paragraph("列入督办的案件：", styles["lead"]))
        rows = [["案件编号", "案件名称", "承办单位", "当前层级"]]
        for case in data["supervised"]:
            rows.append([case.number, case.title[:40], case.holder.name, Level(case.level).label])
        story.append(_table(rows, [w * width for w in (0.24, 0.42, 0.2, 0.14)], styles))
    story.append(Paragraph("六、督办事项办理情况", styles["heading"]))
    if data["supervision_units"]:
        rows = [["责任单位", "办理中", "超期未反馈", "按期反馈", "逾期反馈"]]
        for row in data["supervision_units"]:
            rows.append(
                [row["unit"]["name"], row["open"], row["overdue"], row["on_time"], row["late"]]
            )
        story.append(_table(rows, [w * width for w in (0.32, 0.17, 0.17, 0.17, 0.17)], styles))
    else:
        story.append(Paragraph("本期无督办事项。", styles["plain"]))
    story.append(
        Paragraph(
            f"七、{data['year'].start_date.year}年度平安创建等级（截至本期）", styles["heading"]
        )
    )
    if data["year_towns"]:
        story.append(
            _table([unit_header, *[_unit_row(s) for s in data["year_towns"]]], unit_widths, styles)
        )
    story += [
        Spacer(1, 10 * mm),
        Paragraph(f"{escape(county.name)}矛盾纠纷多元化解工作领导小组办公室", styles["right"]),
        Paragraph(chinese_date(timezone.localdate(issued_at)), styles["right"]),
        Paragraph(f"签发：{escape(str(issued_by))}", styles["small"]),
    ]
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
