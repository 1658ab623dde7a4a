"""A row of a case list as the pages show it (the queue, the inbox, the case list, the overdue
lists, the dashboard's panel), worked out once per row in Python: its link, the labels of its
choices, what is late and the next deadline in words.

A page renders each row twice (the phone's card and the desktop's table, one of them hidden by
CSS); the template then prints values instead of reversing the URL, looking up choice labels
and formatting deadlines twice per row (at 1,000,000 cases that was a third of a list page's
time, bench/RESULTS.md)."""

from datetime import datetime

from django.urls import reverse

from . import selectors
from .choices import Category, Level, Risk, Status
from .templatetags.cases_web import due_label, late_label

LABELS = {
    "level": dict(Level.choices),
    "status": dict(Status.choices),
    "category": dict(Category.choices),
    "risk": dict(Risk.choices),
}
# A case id no case has: reversed once per page, then the row's id put in its place.
_PLACEHOLDER = 987654321012


def present(rows, now: datetime) -> list:
    """Set on each case of a page in hand: `late` (the one overdue rule, one query per source
    for the page), `url`, `labels` ({field: label}), `late_labels` ([(kind, words)]) and
    `due_text` (the next deadline still ahead, in words, or "")."""
    rows = selectors.attach_late(rows, now)
    pattern = reverse("web:case-detail", args=[_PLACEHOLDER])
    for row in rows:
        row.url = pattern.replace(str(_PLACEHOLDER), str(row.pk))
        row.labels = {field: LABELS[field].get(getattr(row, field), "") for field in LABELS}
        row.late_labels = [(item.kind, late_label(item, now)) for item in row.late]
        due_at = getattr(row, "due_at", None)
        row.due_text = due_label(due_at, getattr(row, "due_kind", None), now)
    return rows
