"""The station's phone form picks no dispute category for the officer: the first one
(婚姻家庭) chosen by default would skew the statistics, as it did on the intake form."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_refer_in_form_offers_no_category_in_advance(agencies, client):
    client.force_login(agencies.police_a)
    html = client.get("/referrals/new/").content.decode()
    select = html[html.index('name="category"') :]
    select = select[: select.index("</select>")]
    assert '<option value="" selected>请选择</option>' in select
    assert select.count("selected") == 1
