from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from mediation.agreements import agreement_record
from mediation.pdf import agreement_pdf
from tests.builders import id_number

from .helpers import make_case

pytestmark = pytest.mark.django_db

TERMS = "李四于十日内拆除越界围墙，并赔偿张三损失人民币贰仟元。"


def _fonts(reader):
    fonts = {}
    for page in reader.pages:
        resources = page["/Resources"]
        for name, ref in resources.get("/Font", {}).items():
            font = ref.get_object()
            descriptors = []
            if "/FontDescriptor" in font:
                descriptors.append(font["/FontDescriptor"].get_object())
            for descendant in font.get("/DescendantFonts", []):
                descendant = descendant.get_object()
                if "/FontDescriptor" in descendant:
                    descriptors.append(descendant["/FontDescriptor"].get_object())
            fonts[name] = (font, descriptors)
    return fonts


def test_agreement_pdf_holds_the_parties_and_terms_in_chinese_with_the_font_embedded(cast):
    case = make_case(cast)
    today = timezone.localdate()
    agreement = agreement_record(
        at=timezone.now(),
        case=case,
        actor=cast.village_mediator_a,
        form="written",
        terms=TERMS,
        perform_by=today + timedelta(days=10),
        facts="张三与李四因宅基地东侧界址发生争执。",
        responsibilities="李四负主要责任。",
        performance_method="当面拆除，现金一次付清。",
    )
    content = agreement_pdf(agreement)
    assert content.startswith(b"%PDF")
    reader = PdfReader(BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    assert "人民调解协议书" in text
    assert "张三" in text and "李四" in text
    assert TERMS in text
    assert "（盖章）" in text
    fonts = _fonts(reader)
    assert fonts, "the page uses fonts"
    for name, (_font, descriptors) in fonts.items():
        assert descriptors, f"{name} has no font descriptor (a non-embedded standard font)"
        for descriptor in descriptors:
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, f"{name} not embedded"


def test_agreement_pdf_shows_masked_id_numbers_only(cast, api):
    case = make_case(cast, with_ids=True)
    agreement_record(
        at=timezone.now(), case=case, actor=cast.village_mediator_a, form="oral", terms=TERMS
    )
    response = api(cast.village_mediator_a).get(f"/api/v1/cases/{case.id}/agreement.pdf")
    assert response.status_code == 200
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text().replace(" ", "")
    assert id_number(1) not in text
    assert f"{id_number(1)[:6]}********{id_number(1)[-4:]}" in text
    assert "口头调解协议" in text
