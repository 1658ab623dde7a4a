"""Who may do what to a case: the one answer for the API, the pages, the services, the sweep
and the case page's buttons (as Zulip's `access_stream_by_id` and NetBox's `restrict()`).

`access_case(user, case_id, lock=)` finds a case the user may see, or raises Http404: out of
scope and absent are the same answer. With `lock=True` the case row is locked by a query that
reads the case row alone, so a lost race re-reads the winner's row and is answered 409, never
404 (a join on `holder`, whose value the winner changed, made the locked row vanish).

`CasePolicy(user, case)` answers for one action: first the transition table (the status or
the level forbids it: Conflict, 409, with the current status and level), then the role rules
(NotAllowed, 403). `user=None` is the system (the sweep): the role rules are skipped, the
transition table is not.

Who may act (DESIGN.md §4): the handlers of a case are its assignee and the officers of its
current level over its holder (a superuser counts as one); an officer of a higher level may
pull a case up to their own level; a village mediator may claim a pending village case; the
reporter may add evidence; grid workers otherwise only report. The mediation records of a
case are written by its handlers; a consultant may also answer their own consultation.
"""

from django.http import Http404

from accounts.choices import RoleKind
from accounts.selectors import scope_for
from config.errors import Conflict, NotAllowed

from .choices import LEVEL_RANK, NEXT_LEVEL, OPEN_STATUSES, Level, Status
from .models import Case
from .records import records

WORKING = {Status.ASSIGNED, Status.IN_PROGRESS}
MOVABLE = {Status.PENDING, *WORKING}
EVERY_STATUS = set(Status)
NOT_CLOSED = set(OPEN_STATUSES)

# The lifecycle actions (cases/services.py) and the mediation record writes
# (mediation/services.py). "claim" and "pull_up" are how a village mediator assigns and a
# higher officer escalates; the services ask for "assign" and "escalate" and the policy tells
# which rule applies.
CASE_ACTIONS = (
    "assign",
    "claim",
    "respond",
    "escalate",
    "pull_up",
    "delegate",
    "extend",
    "resolve",
    "reopen",
    "close",
    "reveal",
    "attach",
    "supervise",  # open a 督办 on the case (supervision app): an officer above its holder
    "refer",  # refer the case to an agency (移交, DESIGN.md §15)
    "report_to_police",  # art. 25: report to a police station
    "police_receipt",  # the station's receipt of that report
    "raise_risk",  # raise the case's risk after intake (to red: the art. 25 clock starts)
)
RECORD_ACTIONS = (
    "session",  # a mediation session and its minutes
    "consultation",  # ask one of the 三官一律 for an opinion
    "answer",  # record the consultant's answer
    "agreement",  # record or revise the agreement
    "sign",  # signature and seal dates of a written agreement
    "confirmation",  # judicial confirmation: applied, result, declined
    "follow_up",  # a follow-up visit
    "route",  # the agreement not performed: the parties go to court or arbitration
    "document",  # a paper of the case file
    "reward",  # claim the 以奖代补 award
    "consent",  # a party's consent or refusal and the rights notice (art. 17, 23)
)
ACTIONS = CASE_ACTIONS + RECORD_ACTIONS

# The transition table: the statuses each action starts from.
TRANSITIONS = {
    "assign": {Status.PENDING},
    "claim": {Status.PENDING},
    "respond": {Status.ASSIGNED},
    "escalate": MOVABLE,
    "pull_up": MOVABLE,
    "delegate": {Status.PENDING},
    "resolve": {Status.IN_PROGRESS},
    "extend": WORKING,
    "reopen": {Status.RESOLVED},
    "close": NOT_CLOSED,
    "reveal": EVERY_STATUS,
    "attach": NOT_CLOSED,
    "supervise": NOT_CLOSED,
    "refer": NOT_CLOSED,
    "session": NOT_CLOSED,
    "consultation": NOT_CLOSED,
    "answer": EVERY_STATUS,
    "agreement": NOT_CLOSED,
    "sign": EVERY_STATUS,
    "confirmation": EVERY_STATUS,
    "follow_up": EVERY_STATUS,
    "route": {Status.RESOLVED},
    "document": EVERY_STATUS,
    "reward": EVERY_STATUS,
    "report_to_police": NOT_CLOSED,
    "police_receipt": EVERY_STATUS,
    "raise_risk": NOT_CLOSED,
    "consent": MOVABLE,
}
# What a closed case says when an action needs it open (the general message otherwise).
CLOSED_MESSAGES = {
    "attach": "案件已办结，不能再上传附件。",
    "session": "案件已办结，不能再记录调解。",
    "consultation": "案件已办结，不能再征询意见。",
    "agreement": "案件已办结，不能修改调解协议。",
    "report_to_police": "案件已办结，不能再报告公安机关。",
    "raise_risk": "案件已办结，不能再调整风险等级。",
}

HANDLER_ONLY = "只有承办人或本级工作人员可以执行该操作。"
RECORDS_ONLY = "只有承办人和本级工作人员可以记录。"
ROLE_MESSAGES = {
    "assign": "只有本级工作人员可以分派案件。",
    "claim": "只有本村（社区）调解员可以认领村级案件。",
    "escalate": "只有承办人或本级工作人员可以上报，上级工作人员可以提级。",
    "pull_up": "只有上级工作人员可以提级。",
    "delegate": "只有本级工作人员可以交办案件。",
    "reveal": "只有承办人和本级工作人员可以查看完整个人信息。",
    "attach": "只有登记人、承办人和本级工作人员可以上传附件。",
    "reward": "只有承办人和本级工作人员可以申报以奖代补。",
    "supervise": "只有上级工作人员可以督办。",
    "refer": "只有承办人或本级工作人员可以移交联动单位。",
    "raise_risk": "只有承办人或本级工作人员可以调整风险等级。",
}


def access_case(user, case_id, *, lock: bool = False) -> Case:
    """The case `case_id` if `user` may see it (`None`: the system sees every case), else
    Http404. `lock=True` locks the case row (inside the caller's transaction) and joins
    nothing: the related rows are read after the lock, as the winner of a race left them."""
    queryset = Case.objects.all() if user is None else Case.objects.visible_to(user)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    else:
        queryset = queryset.select_related("holder", "origin", "village", "town", "assignee")
    case = queryset.filter(pk=case_id).first()
    if case is None:
        raise Http404("案件不存在。")
    return case


class CasePolicy:
    """What `user` (None: the system) may do to `case` now."""

    def __init__(self, user, case: Case):
        self.user = user
        self.case = case
        self._roles = None

    # ------------------------------------------------------------ who the user is here

    @property
    def system(self) -> bool:
        return self.user is None

    def _scope_roles(self):
        if self._roles is None:
            self._roles = [] if self.user is None else list(scope_for(self.user).roles)
        return self._roles

    def _at_level(self, kind) -> bool:
        case = self.case
        return any(
            role.kind == kind
            and role.area.level == case.level
            and (role.area_id == case.holder_id or case.holder.is_under(role.area))
            for role in self._scope_roles()
        )

    @property
    def superuser(self) -> bool:
        return self.user is not None and self.user.is_superuser

    @property
    def assignee(self) -> bool:
        assignee_id = self.case.assignee_id
        return self.user is not None and assignee_id is not None and assignee_id == self.user.pk

    @property
    def officer_here(self) -> bool:
        """An officer of the case's current level over its holder (or a superuser)."""
        return self.superuser or (self.user is not None and self._at_level(RoleKind.OFFICER))

    @property
    def mediator_here(self) -> bool:
        return self.user is not None and self._at_level(RoleKind.MEDIATOR)

    @property
    def handler(self) -> bool:
        """The assignee or an officer of the current level."""
        return self.assignee or self.officer_here

    def pull_up_level(self) -> str | None:
        """The nearest level above the case where the user is an officer over its holder."""
        rank = LEVEL_RANK[Level(self.case.level)]
        levels = [
            role.area.level
            for role in self._scope_roles()
            if role.kind == RoleKind.OFFICER
            and role.area.level in Level.values
            and LEVEL_RANK[Level(role.area.level)] > rank
            and self.case.holder.is_under(role.area)
        ]
        return min(levels, key=lambda level: LEVEL_RANK[Level(level)]) if levels else None

    def supervisor_above(self) -> bool:
        """An officer of any level above the case's holder, over it (a city's too), or a
        superuser: who may open a 督办 on the case."""
        holder = self.case.holder
        return self.superuser or any(
            role.kind == RoleKind.OFFICER
            and role.area.rank < holder.rank
            and holder.is_under(role.area)
            for role in self._scope_roles()
        )

    def escalation_level(self) -> str:
        """Where `escalate` sends the case for this user: the next level for a handler (and
        the system), the user's own level for an officer above who pulls it up."""
        if self.system or self.handler:
            return NEXT_LEVEL[Level(self.case.level)]
        return self.pull_up_level() or NEXT_LEVEL[Level(self.case.level)]

    # ------------------------------------------------------------ the two checks

    def _conflict(self, message: str, code: str = "illegal_transition") -> Conflict:
        return Conflict(message, code=code, status=self.case.status, level=self.case.level)

    def check_transition(self, action: str, *, level: str | None = None) -> None:
        """Conflict (409) when the case's status or level forbids `action` now; `level` is
        the level the actor saw the case at (a case that has moved since is a lost race)."""
        case = self.case
        if level and level != case.level:
            raise self._conflict(
                f"案件已转至{Level(case.level).label}办理，请刷新后重试。", code="case_moved"
            )
        if case.status not in TRANSITIONS[action]:
            if case.status == Status.CLOSED and action in CLOSED_MESSAGES:
                raise self._conflict(CLOSED_MESSAGES[action])
            raise self._conflict(f"案件当前状态为「{Status(case.status).label}」，不能执行该操作。")
        if action in {"escalate", "pull_up"} and case.level == Level.COUNTY:
            raise self._conflict("案件已在县级，不能再上报。")
        if action == "delegate" and case.level == Level.VILLAGE:
            raise self._conflict("村级案件不能再下派。")
        if action == "claim" and case.level != Level.VILLAGE:
            raise self._conflict("只有村级案件可以认领。")
        if action == "close" and case.status == Status.RESOLVED:
            # Art. 28–31: closing with the agreement needs it in effect and performed.
            blocker = records().close_blocker and records().close_blocker(case)
            if blocker:
                raise self._conflict(blocker[1], code=blocker[0])

    def role_error(self, action: str, *, assignee=None, consultant_id=None) -> str | None:
        """Why the user may not do `action` (None: they may); the system always may."""
        if self.system:
            return None
        if action == "assign":
            if self.officer_here:
                return None
            if self.case.level == Level.VILLAGE and self.mediator_here:
                if assignee is not None and assignee.pk != self.user.pk:
                    return "调解员只能认领给自己。"
                return None
            return ROLE_MESSAGES["assign"]
        if action == "claim":
            ok = not self.officer_here and self.mediator_here
            return None if ok else ROLE_MESSAGES["claim"]
        if action == "escalate":
            ok = self.handler or self.pull_up_level() is not None
            return None if ok else ROLE_MESSAGES["escalate"]
        if action == "pull_up":
            ok = not self.handler and self.pull_up_level() is not None
            return None if ok else ROLE_MESSAGES["pull_up"]
        if action == "delegate":
            return None if self.officer_here else ROLE_MESSAGES["delegate"]
        if action == "supervise":
            return None if self.supervisor_above() else ROLE_MESSAGES["supervise"]
        if action == "attach":
            reporter = self.case.reported_by_id == self.user.pk
            return None if reporter or self.handler else ROLE_MESSAGES["attach"]
        if action == "answer" and consultant_id is not None and consultant_id == self.user.pk:
            return None
        if self.handler:
            return None
        if action in RECORD_ACTIONS:
            return ROLE_MESSAGES.get(action, RECORDS_ONLY)
        return ROLE_MESSAGES.get(action, HANDLER_ONLY)

    def require(
        self, action: str, *, level: str | None = None, assignee=None, consultant_id=None
    ) -> None:
        """Raise Conflict (409) if the transition table forbids `action` now, else
        NotAllowed (403) if the user may not do it; return when they may."""
        if action not in TRANSITIONS:
            raise ValueError(f"unknown case action {action!r}")
        self.check_transition(action, level=level)
        message = self.role_error(action, assignee=assignee, consultant_id=consultant_id)
        if message is not None:
            raise NotAllowed(message)

    def allows(self, action: str) -> bool:
        try:
            self.require(action)
        except (Conflict, NotAllowed):
            return False
        return True

    def allowed_actions(self) -> set[str]:
        """Every action the user may do to the case now (the case page shows these)."""
        allowed = {action for action in ACTIONS if self.allows(action)}
        # A village mediator claims rather than assigns; a handler escalates, an officer
        # above pulls up: each user is offered one of the pair.
        if "claim" in allowed:
            allowed.discard("assign")
        if "pull_up" in allowed:
            allowed.discard("escalate")
        return allowed


# ---------------------------------------------------------------- referrals (DESIGN.md §15)

# Each step of a referral: the status it starts from and which side takes it. "agency" is a
# person of the referral's agency (a liaison); "committee" the case's handlers (and, to
# receive a referral in, the mediators of the case's level, who may claim it).
REFERRAL_STEPS = {
    # action: (from status, side for an outbound referral, side for an inbound one)
    "receive": ("sent", "agency", "committee"),
    "answer": ("received", "agency", "committee"),
    "close": ("answered", "committee", "agency"),
}
REFERRAL_STATUS_LABELS = {"sent": "已移交", "received": "已签收", "answered": "已答复"}


class ReferralPolicy:
    """What `user` may do to a referral now: Conflict (409) when its status forbids the step,
    NotAllowed (403) when the user is not on the side that takes it. Whether the user sees the
    referral at all (404) is `Referral.objects.visible_to`."""

    def __init__(self, user, referral):
        self.user = user
        self.referral = referral

    def side(self, action: str) -> str:
        _from, out_side, in_side = REFERRAL_STEPS[action]
        return out_side if self.referral.direction == "out" else in_side

    def on_agency_side(self) -> bool:
        if self.user is None:
            return False
        scope = scope_for(self.user)
        return scope.is_superuser or self.referral.agency_id in scope.agency_ids

    def on_committee_side(self, action: str) -> bool:
        case_policy = CasePolicy(self.user, self.referral.case)
        if case_policy.handler:
            return True
        return action == "receive" and case_policy.mediator_here

    def require(self, action: str) -> None:
        from_status, _out, _in = REFERRAL_STEPS[action]
        status = self.referral.status
        if status != from_status:
            raise Conflict(
                f"移交当前状态为「{REFERRAL_STATUS_LABELS.get(status, '已办结')}」，不能执行该操作。",
                code="illegal_transition",
                status=status,
            )
        side = self.side(action)
        ok = self.on_agency_side() if side == "agency" else self.on_committee_side(action)
        if not ok:
            raise NotAllowed(
                "只有接收单位的联络人可以执行该操作。"
                if side == "agency"
                else "只有承办人或本级工作人员可以执行该操作。"
            )

    def allows(self, action: str) -> bool:
        try:
            self.require(action)
        except (Conflict, NotAllowed):
            return False
        return True

    def allowed_actions(self) -> set[str]:
        return {action for action in REFERRAL_STEPS if self.allows(action)}
