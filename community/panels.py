"""What this app adds to the phone queue (待办): the person on duty sees today's duty."""

from django.utils import timezone

from . import selectors


def todays_duty(request):
    """Today's duty of a volunteer's light account, with its check-in state and log count."""
    shift = selectors.todays_shift(request.user, timezone.localdate())
    if shift is None:
        return None
    return {"template": "community/_today_panel.html", "shift": shift}
