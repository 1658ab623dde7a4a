"""What supervision adds to the phone queue (待办): the 督办 the user's unit must answer."""

from django.utils import timezone

from . import selectors


def awaiting_feedback(request):
    """Open 督办 of the user's units, earliest deadline first (at most 10)."""
    if not request.user.is_authenticated:
        return None
    rows = list(selectors.awaiting(request.user)[:10])
    if not rows:
        return None
    return {
        "template": "supervision/_queue_panel.html",
        "supervisions": rows,
        "now": timezone.now(),
    }
