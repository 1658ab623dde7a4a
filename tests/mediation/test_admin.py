import pytest
from django.contrib import admin

from accounts.models import User
from mediation import services

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
