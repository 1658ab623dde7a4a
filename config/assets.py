"""`{% vendor_script "htmx/htmx.min.js" %}`: a script tag for a browser library installed from
npm, or nothing when it is not there (a clone or image without node_modules). The pages then
work without it (no live badge, no charts) instead of failing on a missing manifest entry."""

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


def vendor_url(path: str) -> str | None:
    """The URL of `vendor/<path>`, or None when it was never installed or collected."""
    name = f"vendor/{path}"
    try:
        url = static(name)
    except ValueError:  # the manifest of collected files has no such entry
        return None
    if settings.DEBUG and finders.find(name) is None:
        return None
    return url


@register.simple_tag
def vendor_script(path: str):
    url = vendor_url(path)
    if url is None:
        return ""
    return format_html('<script src="{}" defer></script>', url)
