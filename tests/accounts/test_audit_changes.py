"""Every change that is not a case event leaves an audit row in its own transaction: users,
roles, committees and mediators, and every save or delete made in Django admin."""

import pytest
from django.contrib import admin

from accounts.admin_audit import AuditedAdmin
from accounts.models import AuditEntry, Role, User
from cases.models import Case, CaseEvent
from mediation.models import Committee, MediatorProfile, RewardRate
from tests.cases.conftest import report

pytestmark = pytest.mark.django_db


def _rows(kind):
    return list(AuditEntry.objects.filter(kind=kind).order_by("id"))


def test_granting_a_role_through_the_api_writes_an_audit_row_the_admin_can_read(cast, api):
    response = api(cast.town_admin_a).post(
        f"/api/v1/users/{cast.village_mediator_a.id}/roles/",
        {"kind": "grid_worker", "area": cast.areas.grid_a1_2.id},
        format="json",
    )
    assert response.status_code == 201, response.content
    (row,) = _rows("role")
    role = Role.objects.get(pk=response.json()["id"])
    assert row.actor == cast.town_admin_a
    assert row.area == cast.areas.grid_a1_2
    assert row.target == f"accounts.role:{role.pk}"
    assert row.params["username"] == "village_mediator_a"
    assert row.params["kind"] == "grid_worker"

    listed = api(cast.town_admin_a).get("/api/v1/audit/?kind=role").json()["results"]
    assert [(r["actor"], r["data"]["target"]) for r in listed] == [
        ("town_admin_a", f"accounts.role:{role.pk}")
    ]
    # The neighbouring town's admin does not see it; the county's does.
    assert api(cast.town_admin_b).get("/api/v1/audit/?kind=role").json()["results"] == []
    assert len(api(cast.county_admin).get("/api/v1/audit/?kind=role").json()["results"]) == 1


def test_granting_a_role_twice_changes_nothing_and_audits_once(cast, api):
    url = f"/api/v1/users/{cast.village_mediator_a.id}/roles/"
    body = {"kind": "grid_worker", "area": cast.areas.grid_a1_2.id}
    api(cast.town_admin_a).post(url, body, format="json")
    api(cast.town_admin_a).post(url, body, format="json")
    assert len(_rows("role")) == 1


def test_revoking_a_role_is_audited(cast, api):
    role = cast.village_mediator_a.roles.get()
    response = api(cast.town_admin_a).delete(
        f"/api/v1/users/{cast.village_mediator_a.id}/roles/{role.id}/"
    )
    assert response.status_code == 204
    (row,) = _rows("role")
    assert row.what.startswith("撤销")
    assert row.target == f"accounts.role:{role.id}"
    assert row.area == cast.areas.village_a1


def test_a_refused_grant_writes_no_audit_row(cast, api):
    response = api(cast.town_admin_a).post(
        f"/api/v1/users/{cast.village_mediator_a.id}/roles/",
        {"kind": "officer", "area": cast.areas.county.id},
        format="json",
    )
    assert response.status_code in (400, 403)
    assert _rows("role") == []


def test_deactivating_and_activating_a_user_are_audited(cast, api):
    client = api(cast.town_admin_a)
    user = cast.village_mediator_a
    assert client.post(f"/api/v1/users/{user.id}/deactivate/").status_code == 200
    user.refresh_from_db()
    assert not user.is_active
    response = client.post(f"/api/v1/users/{user.id}/activate/")
    assert response.status_code == 200
    assert response.json()["is_active"] is True
    rows = _rows("user")
    assert [r.what for r in rows] == ["停用用户 village_mediator_a", "启用用户 village_mediator_a"]
    assert rows[0].params == {"is_active": {"before": True, "after": False}}
    assert rows[0].area == cast.areas.village_a1
    assert all(r.actor == cast.town_admin_a for r in rows)


def test_creating_a_user_is_audited_with_their_roles(cast, api):
    response = api(cast.town_admin_a).post(
        "/api/v1/users/",
        {
            "username": "new_mediator",
            "password": "a-long-password-1",
            "roles": [{"kind": "mediator", "area": cast.areas.village_a2.id}],
        },
        format="json",
    )
    assert response.status_code == 201
    (row,) = _rows("user")
    user = User.objects.get(username="new_mediator")
    assert row.target == f"accounts.user:{user.pk}"
    assert row.params["roles"] == [
        {"kind": "mediator", "area": cast.areas.village_a2.id, "area_code": "610222101201"}
    ]
    assert "password" not in str(row.params)


def test_committee_and_member_changes_are_audited(cast, api):
    client = api(cast.town_admin_a)
    response = client.post(
        "/api/v1/committees/",
        {"name": "后村人民调解委员会", "kind": "peoples", "area": cast.areas.village_a2.id},
        format="json",
    )
    assert response.status_code == 201, response.content
    committee_id = response.json()["id"]
    response = client.patch(
        f"/api/v1/committees/{committee_id}/", {"phone": "0919-1234567"}, format="json"
    )
    assert response.status_code == 200, response.content
    response = client.post(
        f"/api/v1/committees/{committee_id}/members/",
        {"user": cast.village_mediator_a2.id, "specialty": "婚姻家庭"},
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    rows = _rows("committee")
    assert [r.what.split(" ")[0] for r in rows] == ["新建调解组织", "修改调解组织", "添加调解员"]
    assert rows[1].params["changes"] == {"phone": {"before": "", "after": "0919-1234567"}}
    profile = MediatorProfile.objects.get(committee_id=committee_id)
    assert rows[2].target == f"mediation.mediatorprofile:{profile.pk}"
    assert all(r.area == cast.areas.village_a2 for r in rows)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "x" * 12)


def test_every_admin_class_is_audited():
    assert admin.site._registry
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedAdmin), model


def test_an_admin_site_save_writes_a_row_with_before_and_after(cast, client, superuser):
    committee = Committee.objects.create(
        name="彭村调委会", kind="peoples", area=cast.areas.village_a1
    )
    client.force_login(superuser)
    url = f"/admin/mediation/committee/{committee.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    data = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }
    data.update(
        {
            "name": "彭村人民调解委员会",
            f"{prefix}-TOTAL_FORMS": 0,
            f"{prefix}-INITIAL_FORMS": 0,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    committee.refresh_from_db()
    assert committee.name == "彭村人民调解委员会"
    (row,) = _rows("admin")
    assert row.actor == superuser
    assert row.area == cast.areas.village_a1
    assert row.target == f"mediation.committee:{committee.pk}"
    assert row.params["action"] == "change"
    assert row.params["changes"] == {
        "name": {"before": "彭村调委会", "after": "彭村人民调解委员会"}
    }


def test_an_admin_list_edit_and_delete_write_rows(client, superuser, db):
    rate = RewardRate.objects.filter(active=True).first() or RewardRate.objects.create(
        difficulty="ordinary", amount=100
    )
    client.force_login(superuser)
    response = client.post(
        "/admin/mediation/rewardrate/",
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-0-id": rate.pk,
            "form-0-amount": "150.00",
            "form-0-active": "on",
            "_save": "保存",
        },
    )
    assert response.status_code == 302
    rate.refresh_from_db()
    assert str(rate.amount) == "150.00"
    response = client.post(
        f"/admin/mediation/rewardrate/{rate.pk}/delete/", {"post": "yes"}, follow=False
    )
    assert response.status_code == 302
    assert not RewardRate.objects.filter(pk=rate.pk).exists()
    changed, deleted = _rows("admin")
    assert changed.params["changes"]["amount"]["after"] == "150.00"
    assert deleted.params["action"] == "delete"
    assert deleted.target == f"mediation.rewardrate:{rate.pk}"
    assert deleted.params["before"]["amount"] == "150.00"


def test_a_case_risk_change_in_admin_is_refused_and_changes_nothing(cast, client, superuser):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    events = CaseEvent.objects.filter(case=case).count()
    client.force_login(superuser)
    page = client.get(f"/admin/cases/case/{case.id}/change/")
    assert page.status_code == 200  # shown, read-only
    response = client.post(
        f"/admin/cases/case/{case.id}/change/",
        {
            "title": case.title,
            "facts": case.facts,
            "category": case.category,
            "source": case.source,
            "risk": "red",
            "people_involved": 2,
        },
    )
    assert response.status_code == 403
    case = Case.objects.get(pk=case.id)
    assert case.risk != "red"
    assert CaseEvent.objects.filter(case=case).count() == events
    assert _rows("admin") == []


def test_an_inline_row_added_in_admin_is_audited(cast, client, superuser):
    committee = Committee.objects.create(
        name="彭村调委会", kind="peoples", area=cast.areas.village_a1
    )
    client.force_login(superuser)
    url = f"/admin/mediation/committee/{committee.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    inline = page.context["inline_admin_formsets"][0].formset
    prefix = inline.prefix
    data = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": 1,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-0-user": cast.village_mediator_a.pk,
            f"{prefix}-0-position": inline.empty_form["position"].value() or "member",
            f"{prefix}-0-employment": inline.empty_form["employment"].value() or "part_time",
            f"{prefix}-0-active": "on",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    profile = MediatorProfile.objects.get(committee=committee)
    (row,) = _rows("admin")
    assert row.params["action"] == "add"
    assert row.target == f"mediation.mediatorprofile:{profile.pk}"
    assert row.area == cast.areas.village_a1


def test_a_password_set_in_admin_is_audited_without_the_password(cast, client, superuser):
    client.force_login(superuser)
    user = cast.village_mediator_a
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {
            "password1": "Another-pass-2027",
            "password2": "Another-pass-2027",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-pass-2027")
    (row,) = _rows("admin")
    assert row.target == f"accounts.user:{user.pk}"
    assert "Another-pass-2027" not in str(row.params)
    assert row.area == cast.areas.village_a1
