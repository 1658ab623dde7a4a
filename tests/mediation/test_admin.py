import pytest
from django.contrib import admin

from accounts.models import User
from mediation import services
from mediation.models import Committee, MediatorProfile

from .helpers import make_case

pytestmark = pytest.mark.django_db


def test_every_mediation_admin_page_opens_in_chinese(cast, client):
    case = make_case(cast, status="resolved")
    services.session_record(
        actor=cast.village_mediator_a,
        case_id=case.pk,
        held_at=case.reported_at,
        place="调解室",
        minutes="笔录",
    )
    superuser = User.objects.create_superuser("root", password="x-pass-2026-long")
    client.force_login(superuser)
    models = [m for m in admin.site._registry if m._meta.app_label == "mediation"]
    assert len(models) == 11  # signatures are edited inline with the agreement
    for model in models:
        name = model._meta.model_name
        response = client.get(f"/admin/mediation/{name}/")
        assert response.status_code == 200, name
        assert model._meta.verbose_name_plural in response.content.decode()
        row = model.objects.first()
        if row is not None:
            assert client.get(f"/admin/mediation/{name}/{row.pk}/change/").status_code == 200


def _form_data(response):
    """The POST body the admin change page would send unchanged: the form's and every inline's
    current values, with the inlines' management forms."""
    context = response.context
    data = {}

    def put(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            data[key] = "on" if value is True else value

    put(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            put(form)
    return data


def test_a_committee_edited_in_admin_is_saved_with_its_members(cast, client):
    committee = Committee.objects.create(
        name="彭村人民调解委员会", kind="peoples", area=cast.areas.village_a1
    )
    MediatorProfile.objects.create(user=cast.village_mediator_a, committee=committee)
    client.force_login(User.objects.create_superuser("root", password="x-pass-2026-long"))
    url = f"/admin/mediation/committee/{committee.pk}/change/"
    data = {**_form_data(client.get(url)), "name": "彭村调委会", "phone": "0919-1234567"}
    response = client.post(url, data)
    # Saved: a rejected form answers 200 with its errors and changes nothing.
    assert response.status_code == 302, response.context["adminform"].form.errors
    committee.refresh_from_db()
    assert (committee.name, committee.phone) == ("彭村调委会", "0919-1234567")
    assert list(committee.members.values_list("user__username", flat=True)) == [
        "village_mediator_a"
    ]

    # The same form with a required field emptied is refused and changes nothing.
    response = client.post(url, {**data, "name": ""})
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    committee.refresh_from_db()
    assert committee.name == "彭村调委会"
