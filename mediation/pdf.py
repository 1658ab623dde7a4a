"""The agreement printed as a 人民调解协议书 (A4, Chinese) with its font embedded, so it renders
on a machine with no Chinese fonts installed.

Two forms: the archive copy (存档本) shows the parties' ID numbers and phones masked, as every
page does; the parties' copy (当事人签署本) carries their full identities, because a signed legal
document needs them. The parties' copy is printed only through `services.agreement_print`,
which decrypts the identities for those the case policy allows to reveal them and records
each print as a reveal in the audit trail. Both leave room to sign, seal and date by hand."""

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
    Image,
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
        "sign": ParagraphStyle("sign", **base, fontSize=12, leading=24),
        # Dates written by hand: large type, generous line height.
        "date": ParagraphStyle("date", **base, fontSize=13, leading=30),
        "small": ParagraphStyle("small", **base, fontSize=9, leading=13, textColor=colors.grey),
    }


ARCHIVE, PARTIES = "archive", "parties"
COPIES = {ARCHIVE: "存档本", PARTIES: "当事人签署本"}
# A blank date wide enough to write in by hand: at 13 pt, about 23 mm for the year and 14 mm
# for the month and the day (full-width low lines: spaces would collapse in a paragraph).
BLANK_DATE = "＿＿＿＿＿年＿＿＿月＿＿＿日"
SIGN_LINE = "＿＿＿＿＿＿＿＿"


def chinese_date(day) -> str:
    """2026年11月23日, or blanks to be filled by hand."""
    if day is None:
        return BLANK_DATE
    return f"{day.year}年{day.month}月{day.day}日"


def _party_line(party, identity: dict | None = None) -> str:
    """One party's basic information (art. 29); `identity` holds the full ID number and phone
    on the parties' copy, the masked values are used otherwise."""
    identity = identity or {}
    role = PartyRole(party.role).label if party.role in PartyRole.values else "当事人"
    bits = [f"<b>{escape(party.name)}</b>"]
    id_number = identity.get("id_number") or party.id_number_masked
    phone = identity.get("phone") or party.phone_masked
    if id_number:
        bits.append(f"身份证号码：{escape(id_number)}")
    if party.address:
        bits.append(f"住址：{escape(party.address)}")
    if phone:
        bits.append(f"联系电话：{escape(phone)}")
    return f"当事人（{role}）：" + "，".join(bits) + "。"


def _signature_image(data, width=32 * mm, height=12 * mm):
    """A signature drawn on screen, scaled into the space beside the name."""
    if not data:
        return None
    image = Image(BytesIO(bytes(data)))
    ratio = min(width / image.imageWidth, height / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * ratio, image.imageHeight * ratio
    image.hAlign = "LEFT"
    return image


def agreement_pdf(agreement, *, copy: str = ARCHIVE, identities: dict | None = None) -> bytes:
    """The agreement as a PDF document (bytes): the archive copy (masked identities) or, with
    `identities` ({party id: {"id_number", "phone"}}), the parties' copy."""
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
        Paragraph(f"（{COPIES.get(copy, COPIES[ARCHIVE])}）", styles["number"]),
        Spacer(1, 2 * mm),
    ]
    identities = identities if copy == PARTIES else None
    for party in parties:
        identity = (identities or {}).get(party.pk)
        story.append(Paragraph(_party_line(party, identity), styles["party"]))

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

    marks = {s.party_id: s for s in agreement.signatures.all()}
    header = [
        Paragraph("当事人（签名、盖章或按指印）：", styles["sign"]),
        Paragraph("人民调解员（签名）：", styles["sign"]),
    ]
    rows = [header]
    signature_rows = max(len(parties), 1)
    for index in range(signature_rows):
        left = [Paragraph("", styles["sign"])]
        if index < len(parties):
            party = parties[index]
            mark = marks.get(party.id)
            drawn = _signature_image(mark.image if mark else None)
            left = [
                Paragraph(f"{escape(party.name)}：{'' if drawn else SIGN_LINE}", styles["sign"])
            ]
            if drawn:
                left.append(drawn)
            left.append(Paragraph(chinese_date(signed.get(party.id)), styles["date"]))
        right = [Paragraph("", styles["sign"])]
        if index == 0:
            drawn = _signature_image(agreement.mediator_signature)
            right = [
                Paragraph(f"{escape(mediator_name)}：{'' if drawn else SIGN_LINE}", styles["sign"])
            ]
            if drawn:
                right.append(drawn)
            right.append(Paragraph(chinese_date(agreement.mediator_signed_on), styles["date"]))
        rows.append([left, right])
    table = Table(rows, colWidths=[doc.width * 0.52, doc.width * 0.48])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 1), (-1, -1), 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    seal = [
        Spacer(1, 10 * mm),
        Paragraph(f"{escape(committee_name)}（盖章）", _right(styles["sign"])),
        Spacer(1, 4 * mm),
        Paragraph(chinese_date(agreement.sealed_on), _right(styles["date"])),
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
