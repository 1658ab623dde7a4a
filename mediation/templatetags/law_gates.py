"""The case page's law panel (mediation/_case_law.html) computes its own context, so the case
page includes it with one line."""

from django import template

from ..law_views import law_context

register = template.Library()


@register.simple_tag(takes_context=True)
def law_panel(context):
    request = context["request"]
    return law_context(request.user, context["case"], getattr(request, "law_bound", None))
