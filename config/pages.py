"""Helpers shared by the server-rendered pages: pagination without COUNT, domain errors
shown as messages, and the query-string of a list's filters."""

from dataclasses import dataclass

from django.contrib import messages

from config.errors import Conflict, DomainError, InvalidInput, NotAllowed

PAGE_SIZE = 20


@dataclass
class Page:
    """One page of a list: its rows and whether a neighbour page exists (no COUNT query)."""

    rows: list
    number: int
    has_next: bool
    query: str

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def next_url(self):
        return f"?{self.query}{'&' if self.query else ''}page={self.number + 1}"

    @property
    def previous_url(self):
        return f"?{self.query}{'&' if self.query else ''}page={self.number - 1}"


def page_of(request, queryset, size=PAGE_SIZE) -> Page:
    """Slice one page plus one row more, so the next-page link needs no COUNT."""
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    number = min(number, 10_000)
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return Page(rows=rows[:size], number=number, has_next=len(rows) > size, query=query.urlencode())


# Conflicts that say a record is missing (人民调解法 gates), not that the case moved.
MISSING_RECORD_CODES = {
    "consent_required",
    "session_required",
    "file_incomplete",
    "follow_up_required",
    "police_unreported",
    "police_reported",
}


def flash_domain_error(request, error: DomainError):
    """Show a refused action to the user in words (the form keeps its input)."""
    if isinstance(error, Conflict) and error.code in MISSING_RECORD_CODES:
        # A gate of the law: nothing changed under the user, a record is missing.
        messages.error(request, f"操作未完成：{error.message}")
    elif isinstance(error, Conflict):
        messages.error(request, f"操作未完成：{error.message}（案件状态已变化，请刷新后重试）")
    elif isinstance(error, NotAllowed):
        messages.error(request, f"无权操作：{error.message}")
    elif isinstance(error, InvalidInput):
        details = []
        for problems in error.fields.values():
            if isinstance(problems, (list, tuple)):
                details.extend(str(p) for p in problems)
            elif isinstance(problems, dict):
                details.extend(str(p) for p in problems.values())
            else:
                details.append(str(problems))
        text = error.message + ("：" + "；".join(details) if details else "")
        messages.error(request, text)
    else:
        messages.error(request, error.message)


def form_errors_from(form, error: InvalidInput):
    """Put a service's field messages next to the form's fields (unknown names: on top)."""
    for name, problems in error.fields.items():
        if isinstance(problems, str):
            problems = [problems]
        elif isinstance(problems, dict):
            problems = [str(p) for p in problems.values()]
        field = name if name in form.fields else None
        for problem in problems:
            form.add_error(field, str(problem))
    if not error.fields:
        form.add_error(None, error.message)
