"""`{% case_progress case events as steps %}`: the reporter's tracker (cases/progress.py)."""

from django import template

from cases.progress import case_progress as build

register = template.Library()


@register.simple_tag
def case_progress(case, events):
    return build(case, events)
