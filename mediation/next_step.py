"""The one next step of a case, as the mediator's case page shows it ("回访（12-09 前）",
"待张三、李四签字", "待调委会盖章", "申请司法确认（12-20 前）"), computed in one place.

`next_step(case)` asks each rule of `RULES` in turn; the first that has something to say
wins. A gate of the law that must come first (say, the parties' consent before the first
session) is one more function put into the list with `register(rule, first=True)`."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from cases.choices import Status

from .agreements import missing_marks
from .choices import AgreementForm, ConfirmationStatus
from .deadlines import follow_up_due
from .models import Agreement, FollowUp, JudicialConfirmation


@dataclass(frozen=True)
class NextStep:
    """What the case waits for: a label, the page action that does it, and by when."""

    label: str
    action: str | None = None
    due: date | None = None
    overdue: bool = False
    # How the date reads: "前" (by then) or "起" (from then: a follow-up at the performance
    # date may not be earlier).
    when: str = "前"

    @property
    def text(self) -> str:
        if self.due is None:
            return self.label
        return f"{self.label}（{self.due:%m-%d} {self.when}）"


@dataclass
class StepContext:
    """What the rules read, loaded once per page."""

    case: object
    agreement: Agreement | None
    last_follow_up: FollowUp | None
    confirmation: JudicialConfirmation | None
    today: date


Rule = Callable[[StepContext], NextStep | None]


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def _step(label, action=None, due=None, today=None, when="前") -> NextStep:
    due = _day(due)
    return NextStep(label, action, due, bool(due and today and due < today), when)


def closed(ctx: StepContext) -> NextStep | None:
    if ctx.case.status == Status.CLOSED:
        return NextStep("已结案")
    return None


def before_resolution(ctx: StepContext) -> NextStep | None:
    status = ctx.case.status
    if status == Status.PENDING:
        return NextStep("待分派调解员", "assign")
    if status == Status.ASSIGNED:
        return NextStep("待联系当事人（首次响应）", "respond")
    if status == Status.IN_PROGRESS:
        return NextStep("调解中：记录调解，达成协议后记录协议", "session")
    return None


def signatures(ctx: StepContext) -> NextStep | None:
    """Art. 29: a written agreement waits for every signature and the seal."""
    agreement = ctx.agreement
    if agreement is None or agreement.form != AgreementForm.WRITTEN:
        return None
    if agreement.effective_on is not None:
        return None
    missing = missing_marks(agreement)
    parties = [m.removesuffix("签字") for m in missing if m not in {"调解员签字", "调委会盖章"}]
    if parties:
        label = "待双方签字" if len(parties) >= 2 else f"待{parties[0]}签字"
        if 2 < len(parties):
            label = f"待{'、'.join(parties)}签字"
        return NextStep(label, "sign")
    if "调解员签字" in missing:
        return NextStep("待调解员签字", "sign")
    return NextStep("待盖章", "seal")


def performance(ctx: StepContext) -> NextStep | None:
    """Art. 31: not performed → reopen or route; else the follow-up at the performance date;
    art. 33: the confirmation application when its window closes first."""
    if ctx.case.status != Status.RESOLVED:
        return None
    last = ctx.last_follow_up
    if last is not None and not last.performed:
        return NextStep("协议未履行：重新调解，或引导诉讼、仲裁", "reopen")
    confirmation = ctx.confirmation
    window_last_day = None
    if confirmation is not None and confirmation.status == ConfirmationStatus.OPEN:
        window_last_day = timezone.localdate(confirmation.due_at) - timedelta(days=1)
    if last is None:
        due = _day(follow_up_due(ctx.case))
        if window_last_day is not None and (due is None or window_last_day < due):
            return _step("申请司法确认", "confirmation", window_last_day, ctx.today)
        at_performance = ctx.agreement is not None and ctx.agreement.perform_by is not None
        return _step("回访", "follow_up", due, ctx.today, "起" if at_performance else "前")
    if confirmation is not None and confirmation.status == ConfirmationStatus.APPLIED:
        return NextStep("待法院司法确认裁定", "confirmation")
    return NextStep("回访完成，可以结案", "close")


RULES: list[Rule] = [closed, before_resolution, signatures, performance]


def register(rule: Rule, *, first: bool = False) -> None:
    """Add a rule (first: ahead of every other, for a gate that comes before the rest)."""
    if rule in RULES:
        return
    if first:
        RULES.insert(1, rule)  # after "closed": nothing is due on a closed case
    else:
        RULES.append(rule)


def context_for(case, *, now: datetime | None = None) -> StepContext:
    agreement = Agreement.objects.filter(case=case).first()
    last = FollowUp.objects.filter(case=case).order_by("-performed_on", "-id").first()
    confirmation = JudicialConfirmation.objects.filter(case=case).first()
    today = timezone.localdate(now or timezone.now())
    return StepContext(case, agreement, last, confirmation, today)


def next_step(case, *, now: datetime | None = None) -> NextStep | None:
    """The case's one next step, or None when no rule has anything to say."""
    ctx = context_for(case, now=now)
    for rule in RULES:
        step = rule(ctx)
        if step is not None:
            return step
    return None
