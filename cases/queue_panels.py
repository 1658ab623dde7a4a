"""Panels that higher apps add to the phone queue (待办) without cases importing them: an app
registers a function in its AppConfig.ready(); the queue page calls each with the request and
shows what it returns (a template name and its context), or nothing when it returns None."""

_PANELS = []


def register(panel):
    """Add a panel function `panel(request) -> {"template": ..., **context} | None`."""
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def panels_for(request) -> list[dict]:
    """The panels to show this user, in registration order."""
    shown = []
    for panel in _PANELS:
        result = panel(request)
        if result:
            shown.append(result)
    return shown
