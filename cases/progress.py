"""The reporter's view of a case (进度): the steps it has passed, from its event log."""

from dataclasses import dataclass
from datetime import datetime

from .choices import EventKind, Level, Outcome, Status


@dataclass
class Step:
    """One step of the tracker: done, the current one, or still ahead."""

    label: str
    state: str  # "done" | "current" | "todo"
    at: datetime | None = None
    note: str = ""


def case_progress(case, events) -> list[Step]:
    """登记 → 分派 → 调解中 (with the escalations) → 调解成功 → 结案, from `events` (oldest
    first); a case closed without agreement ends at 结案 with its outcome."""
    last: dict[str, object] = {}
    escalations = []
    for event in events:
        last[event.kind] = event
        if event.kind == EventKind.ESCALATE:
            escalations.append(Level(event.to_level).label)
    status = case.status
    closed = status == Status.CLOSED
    reported = last.get(EventKind.REPORT)
    assigned = last.get(EventKind.ASSIGN)
    responded = last.get(EventKind.RESPOND)
    resolved = last.get(EventKind.RESOLVE)
    closing = last.get(EventKind.CLOSE)

    def state(done: bool, current: bool) -> str:
        return "done" if done else "current" if current else "todo"

    steps = [Step("已登记", "done", reported.created_at if reported else case.reported_at)]
    where = f"{Level(case.level).label}受理" if case.level else ""
    if escalations:
        where = f"已上报至{escalations[-1]}"
    steps.append(
        Step(
            "已分派",
            state(
                bool(case.assignee_id) or status not in (Status.PENDING,),
                status == Status.PENDING and not closed,
            ),
            assigned.created_at if assigned else None,
            f"承办人：{case.assignee}" if case.assignee_id else where,
        )
    )
    mediating = status in (Status.ASSIGNED, Status.IN_PROGRESS)
    steps.append(
        Step(
            "调解中",
            state(status in (Status.RESOLVED,) or (closed and bool(responded)), mediating),
            responded.created_at if responded else None,
            where if escalations else "",
        )
    )
    if not closed or case.outcome == Outcome.AGREEMENT:
        steps.append(
            Step(
                "调解成功",
                state(bool(resolved) and status in (Status.RESOLVED, Status.CLOSED), False),
                resolved.created_at if resolved and status != Status.IN_PROGRESS else None,
                "待回访后结案" if status == Status.RESOLVED else "",
            )
        )
    steps.append(
        Step(
            "已结案",
            state(closed, status == Status.RESOLVED),
            closing.created_at if closing and closed else None,
            Outcome(case.outcome).label if closed and case.outcome else "",
        )
    )
    return steps
