"""The community app's routes as the scope-leak suite registers them (tests/test_scope_leak.py
adds these names to its registry; tests/community/test_scope_leak.py checks them, with the
same machinery, against town B's objects and for the volunteer role)."""

# Object routes: route name -> the kind of object each URL kwarg names.
OBJECT_ROUTES = {
    "consultation-day-detail": {"pk": "day"},
    "consultation-day-items": {"pk": "day"},
    "consultation-item-case": {"pk": "item"},
    "volunteer-detail": {"pk": "volunteer"},
    "volunteer-account": {"pk": "volunteer"},
    "duty-shift-detail": {"pk": "shift"},
    "duty-shift-check-in": {"pk": "shift"},
    "duty-shift-log": {"pk": "shift"},
    "duty-log-case": {"pk": "log"},
    "grid-duty-team": {"grid_id": "grid"},
    "village-rota": {"village_id": "village"},
    "village-rota-generate": {"village_id": "village"},
    "campaign-detail": {"pk": "campaign"},
    "campaign-reports": {"pk": "campaign"},
    "campaign-coverage": {"pk": "campaign"},
    "web:duty-check-in": {"pk": "shift"},
    "web:duty-log": {"pk": "shift"},
    "web:duty-log-case": {"pk": "log"},
    "web:rota": {"village_id": "village"},
    "web:rota-generate": {"village_id": "village"},
    "web:consultation-day": {"pk": "day"},
    "web:consultation-item-add": {"pk": "day"},
    "web:consultation-item-case": {"pk": "item"},
    "web:campaign": {"pk": "campaign"},
    "web:campaign-report": {"pk": "campaign"},
    "web:grid-team": {"grid_id": "grid"},
}
# Lists, counts and pages without an object: fetched plainly and with the neighbour's area.
LIST_ROUTES = {
    "consultation-day-list",
    "consultation-day-coverage",
    "volunteer-list",
    "duty-shift-list",
    "duty-shift-today",
    "duty-shift-missed",
    "campaign-list",
    "web:duty",
    "web:consultation-days",
    "web:consultation-day-new",
    "web:campaigns",
}
# Form posts naming an area in the body (checked in tests/community/test_scope_leak.py).
FORM_ROUTES = {"web:campaign-new"}

COMMUNITY_ROUTES = set(OBJECT_ROUTES) | LIST_ROUTES | FORM_ROUTES
