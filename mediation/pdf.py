"""The agreement printed as a 人民调解协议书 (A4, Chinese) with its font embedded, so it renders
on a machine with no Chinese fonts installed."""

from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from cases.choices import PartyRole

from .choices import AgreementForm

FONT_NAME = "WenQuanYiMicroHei"
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"

CN_DIGITS = "〇一二三四五六七八九"


def _register_font():
    """Register the vendored TrueType font once; reportlab embeds a subset of it."""
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
        # The font has no bold face: <b> stays in the same (embedded) font.
        registerFontFamily(
            FONT_NAME, normal=FONT_NAME, bold=FONT_NAME, italic=FONT_NAME, boldItalic=FONT_NAME
        )


def _styles():
    base = {"fontName": FONT_NAME, "wordWrap": "CJK"}
    return {
        "title": ParagraphStyle(
            "title", **base, fontSize=22, leading=28, alignment=TA_CENTER, spaceAfter=2 * mm
        ),
        "number": ParagraphStyle("number", **base, fontSize=11, leading=16, alignment=TA_RIGHT),
        "heading": ParagraphStyle(
            "heading", **base, fontSize=12, leading=19, spaceBefore=2.5 * mm, spaceAfter=1 * mm
        ),
        "body": ParagraphStyle(
            "body", **base, fontSize=11.5, leading=19, alignment=TA_JUSTIFY, firstLineIndent=23
        ),
        "party": ParagraphStyle("party", **base, fontSize=11.5, leading=19, alignment=TA_JUSTIFY),
        "sign": ParagraphStyle("sign", **base, fontSize=12, leading=22),
        "small": ParagraphStyle("small", **base, fontSize=9, leading=13, textColor=colors.grey),
    }


def chinese_date(day) -> str:
    """2026年11月23日, or a blank line to be filled by hand."""
    if day is None:
        return "　　　　年　　月　　日"
    return f"{day.year}年{day.month}月{day.day}日"


def _party_line(party) -> str:
    role = PartyRole(party.role).label if party.role in PartyRole.values else "当事人"
    bits = [f"<b>{escape(party.name)}</b>"]
    if party.id_number_masked:
        bits.append(f"身份证号码：{escape(party.id_number_masked)}")
    if party.address:
        bits.append(f"住址：{escape(party.address)}")
    if party.phone_masked:
        bits.append(f"联系电话：{escape(party.phone_masked)}")
    return f"当事人（{role}）：" + "，".join(bits) + "。"


def agreement_pdf(agreement) -> bytes:
    """The agreement as a PDF document (bytes)."""
    _register_font()
    styles = _styles()
    case = agreement.case
    parties = list(case.parties.order_by("role", "id"))
    signed = {s.party_id: s.signed_on for s in agreement.signatures.all()}
    committee_name = (
        agreement.committee.name if agreement.committee else f"{case.holder.name}人民调解委员会"
    )
    mediator_name = str(agreement.mediator) if agreement.mediator else ""

    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"人民调解协议书 {agreement.number}",
        author=committee_name,
        subject=case.title,
        creator="矛盾纠纷调解案件管理系统",
        initialFontName=FONT_NAME,
        initialFontSize=12,
    )
    story = [
        Paragraph("人民调解协议书", styles["title"]),
        Paragraph(f"编号：{escape(agreement.number)}", styles["number"]),
        Paragraph(f"案件编号：{escape(case.number)}", styles["number"]),
        Spacer(1, 2 * mm),
    ]
    for party in parties:
        story.append(Paragraph(_party_line(party), styles["party"]))

    def section(heading, body):
        story.append(Paragraph(heading, styles["heading"]))
        lines = [line.strip() for line in (body or "").splitlines() if line.strip()]
        for line in lines or ["（无）"]:
            story.append(Paragraph(escape(line), styles["body"]))

    if agreement.form == AgreementForm.ORAL:
        story.append(Paragraph("（本协议为口头调解协议，由人民调解员记录在案。）", styles["small"]))
    section("纠纷主要事实、争议事项：", agreement.facts or case.facts)
    section("各方当事人的责任：", agreement.responsibilities)
    section("经调解，各方当事人自愿达成如下协议：", agreement.terms)
    performance = agreement.performance_method or ""
    if agreement.perform_by:
        performance = (performance + "\n" if performance else "") + (
            f"履行期限：{chinese_date(agreement.perform_by)}前履行完毕。"
        )
    section("履行方式、时限：", performance)
    copies = len(parties) + 1
    copies_text = CN_DIGITS[copies] if copies < 10 else str(copies)
    story.append(Spacer(1, 2 * mm))
    story.append(
        Paragraph(
            "本协议自各方当事人签名（盖章或按指印）、人民调解员签名并加盖人民调解委员会印章之日起"
            f"生效。本协议一式{copies_text}份，当事人各执一份，人民调解委员会留存一份。"
            "当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。",
            styles["body"],
        )
    )
    story.append(Spacer(1, 5 * mm))

    rows = [
        [
            Paragraph("当事人（签名、盖章或按指印）：", styles["sign"]),
            Paragraph("人民调解员（签名）：", styles["sign"]),
        ]
    ]
    signature_rows = max(len(parties), 1)
    for index in range(signature_rows):
        left = ""
        if index < len(parties):
            party = parties[index]
            left = f"{escape(party.name)}＿＿＿＿＿　<font size=10>{chinese_date(signed.get(party.id))}</font>"
        right = ""
        if index == 0:
            right = (
                f"{escape(mediator_name)}＿＿＿＿＿　"
                f"<font size=10>{chinese_date(agreement.mediator_signed_on)}</font>"
            )
        rows.append([Paragraph(left, styles["sign"]), Paragraph(right, styles["sign"])])
    table = Table(rows, colWidths=[doc.width * 0.52, doc.width * 0.48])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    seal = [
        Spacer(1, 6 * mm),
        Paragraph(f"{escape(committee_name)}（盖章）", _right(styles["sign"])),
        Paragraph(chinese_date(agreement.sealed_on), _right(styles["sign"])),
    ]
    story.append(KeepTogether([table, *seal]))
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _footer(canvas, doc):
    canvas.saveState()
    canvas.setFont(FONT_NAME, 9)
    canvas.setFillColor(colors.grey)
    canvas.drawCentredString(A4[0] / 2, 12 * mm, f"第 {doc.page} 页")
    canvas.restoreState()


def _right(style):
    return ParagraphStyle(f"{style.name}-right", parent=style, alignment=TA_RIGHT)
