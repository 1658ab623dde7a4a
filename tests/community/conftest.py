"""Helpers for the village self-governance tests: volunteers of village A1 (one with a light
account) and of village B1, built through the services users call."""

from types import SimpleNamespace

import pytest

from community import services


@pytest.fixture
def village(cast):
    """Two volunteers in A1 (雷锋 has a light account), one in A2, one in B1."""
    a = cast.areas
    lei = services.volunteer_add(
        actor=cast.village_mediator_a, grid=a.grid_a1, name="雷锋", phone="13800001111"
    )
    wang = services.volunteer_add(actor=cast.village_mediator_a, grid=a.grid_a1_2, name="王芳")
    other = services.volunteer_add(
        actor=cast.village_mediator_a2, grid=a.grid_a2, name="后村志愿者"
    )
    b = services.volunteer_add(actor=cast.village_mediator_b, grid=a.grid_b1, name="五里志愿者")
    user = services.volunteer_account(
        actor=cast.village_mediator_a, volunteer_id=lei.id, username="lei", password="volunteer-1"
    )
    b_user = services.volunteer_account(
        actor=cast.village_mediator_b, volunteer_id=b.id, username="wuli", password="volunteer-2"
    )
    lei.refresh_from_db()
    b.refresh_from_db()
    return SimpleNamespace(
        lei=lei, wang=wang, a2=other, b=b, lei_user=user, b_user=b_user, cast=cast, areas=a
    )
