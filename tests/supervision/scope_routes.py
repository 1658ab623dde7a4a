"""The supervision app's routes as the scope-leak suite registers them (tests/test_scope_leak.py
adds these names to its registry; tests/supervision/test_scope_leak.py checks them, with the
same machinery, against town B's 督办, feedback and letters)."""

# Object routes: route name -> the kind of object each URL kwarg names.
OBJECT_ROUTES = {
    "supervision-detail": {"pk": "supervision"},
    "supervision-feedback": {"pk": "supervision"},
    "supervision-return": {"pk": "supervision"},
    "supervision-feedback-file": {"pk": "supervision", "feedback_id": "feedback"},
    "letter-detail": {"pk": "letter"},
    "letter-file": {"pk": "letter"},
    "web:supervision-detail": {"pk": "supervision"},
    "web:supervision-feedback": {"pk": "supervision"},
    "web:supervision-return": {"pk": "supervision"},
    "web:supervision-unit": {"area_id": "village"},
    "web:supervision-reminder": {"area_id": "village"},
    "web:supervision-bulletin": {"area_id": "town"},
}
# Lists and counts: fetched plainly and with the neighbour's areas and ids as filters.
LIST_ROUTES = {"supervision-list", "supervision-counts", "letter-list", "web:supervision-list"}
# Routes naming the neighbour's case or area in the query or the body (checked one by one).
FORM_ROUTES = {"web:supervision-new", "letter-reminders", "letter-bulletins"}

SUPERVISION_ROUTES = set(OBJECT_ROUTES) | LIST_ROUTES | FORM_ROUTES
