"""The law's gates on the lifecycle (人民调解法, DESIGN.md §16) that need records of the apps
above cases, and the art. 26 routes a failed or refused mediation explains.

`cases` never imports the apps above it (the layers contract): an app whose records a gate
reads registers a check here from its `AppConfig.ready()`, and the lifecycle's services call
`check(action, case, ...)` on the locked case inside their own transaction, so the check and
the change are one. A check raises Conflict (409: a record is missing) or InvalidInput (400)
with a Chinese message naming what is missing; it returns when the action may go ahead."""

from collections.abc import Callable

from django.db import models

from config.errors import InvalidInput


class Route(models.TextChoices):
    """The routes a mediation that failed or was refused tells the parties of (art. 26)."""

    ARBITRATION = "arbitration", "仲裁"
    ADMINISTRATIVE = "administrative", "行政处理"
    LITIGATION = "litigation", "诉讼"


ROUTES_MESSAGE = "请选择已告知当事人的其他解决途径（仲裁、行政处理、诉讼，至少一项）。"


def clean_routes(routes, *, field: str = "routes") -> list[str]:
    """The explained routes, de-duplicated in the table's order; 400 when none or unknown."""
    values = [routes] if isinstance(routes, str) else list(routes or [])
    unknown = [str(v) for v in values if v not in Route.values]
    if unknown:
        raise InvalidInput(
            ROUTES_MESSAGE, fields={field: [f"未知途径：{'、'.join(unknown)}。{ROUTES_MESSAGE}"]}
        )
    if not values:
        raise InvalidInput(ROUTES_MESSAGE, fields={field: [ROUTES_MESSAGE]})
    return [route for route in Route.values if route in values]


def routes_label(routes) -> str:
    return "、".join(Route(route).label for route in routes or [])


_GATES: dict[str, list[Callable]] = {}


def register(action: str, check_fn: Callable) -> None:
    """Add a check to an action (idempotent by function)."""
    checks = _GATES.setdefault(action, [])
    if check_fn not in checks:
        checks.append(check_fn)


def check(action: str, case, **facts) -> None:
    """Run every check registered for `action` on the (locked) case."""
    for check_fn in _GATES.get(action, []):
        check_fn(case, **facts)
