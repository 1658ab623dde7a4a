"""The dates a user types about a case, checked against the case (DESIGN.md §16): nothing
that happened is dated before the case was reported or in the future; an occurred date is
not more than 20 years back. Each wrong date is an InvalidInput naming its field, so the API
answers 400 and the pages show the message beside the field.

Any app's service calls these on the locked case: `happened_on` / `happened_at` for a day or a
moment that already happened (a session, a follow-up, a consent, a receipt), `occurred_on` for
the day a dispute arose."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from config.errors import InvalidInput

OCCURRED_YEARS_BACK = 20
# A phone's clock runs a little ahead of the server's: a moment this far ahead is "now".
CLOCK_SKEW = timedelta(minutes=5)


def _fail(field: str, message: str):
    raise InvalidInput(message, fields={field: [message]})


def reported_on(case) -> date:
    """The local day the case was reported."""
    return timezone.localdate(case.reported_at)


def happened_on(case, value: date, *, field: str, label: str, now: datetime | None = None):
    """`value` (a day) lies between the day the case was reported and today."""
    now = now or timezone.now()
    if value is None:
        _fail(field, f"请填写{label}。")
    if isinstance(value, datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    first = reported_on(case)
    if value < first:
        _fail(field, f"{label}不能早于案件登记日期（{first.isoformat()}）。")
    if value > timezone.localdate(now):
        _fail(field, f"{label}不能晚于今天。")
    return value


def happened_at(case, value: datetime, *, field: str, label: str, now: datetime | None = None):
    """`value` (a moment) lies between the day the case was reported and now."""
    now = now or timezone.now()
    if value is None:
        _fail(field, f"请填写{label}。")
    first = reported_on(case)
    start = timezone.make_aware(datetime.combine(first, time.min))
    if value < start:
        _fail(field, f"{label}不能早于案件登记日期（{first.isoformat()}）。")
    if value > now + CLOCK_SKEW:
        _fail(field, f"{label}不能晚于现在。")
    return value


def not_before(value, earliest, *, field: str, message: str):
    """`value` is not before `earliest` (e.g. a receipt before its report)."""
    if value is not None and earliest is not None and value < earliest:
        _fail(field, message)
    return value


def occurred_on(value: date | None, *, today: date | None = None, field: str = "occurred_on"):
    """The day a dispute arose: not in the future, not more than 20 years back."""
    if value is None:
        return None
    today = today or timezone.localdate()
    if value > today:
        _fail(field, "发生日期不能晚于今天。")
    try:
        earliest = today.replace(year=today.year - OCCURRED_YEARS_BACK)
    except ValueError:  # 29 February
        earliest = today.replace(year=today.year - OCCURRED_YEARS_BACK, day=28)
    if value < earliest:
        _fail(field, f"发生日期不能早于{OCCURRED_YEARS_BACK}年前（{earliest.isoformat()}）。")
    return value


def not_after(value, latest, *, field: str, message: str):
    """`value` is not after `latest` (a deadline beyond what the rules allow)."""
    if value is not None and latest is not None and value > latest:
        _fail(field, message)
    return value
