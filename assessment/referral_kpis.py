"""Referral KPIs (三调联动, DESIGN.md §8, §15): for an area's subtree and a period, by the case's
origin — referrals in and out by agency kind, answered, answered on time, and their results.

One GROUP BY query per level over the referrals of the period, the same for the PostgreSQL
single pass and the portable path of `kpis.compute_period` (both call `add`), so the two agree
by construction.

- referrals_in / referrals_out: referrals sent in the period, by direction (and by agency kind
  in `referrals_by_kind`);
- referral_answer_measured: answers that fell due in the period (answered or not by the end of
  the assessment period) plus those answered in the period; referral_answer_met: answered in the
  period by their due; referral_on_time_rate = met / measured (in kpis._finish);
- referrals_answered / referrals_mediated: answered in the period / with the result 调解成功.
"""

from django.db.models import Count, F, Q

from cases.models import Referral

FIELDS = (
    "referrals_in",
    "referrals_out",
    "referrals_answered",
    "referrals_mediated",
    "referral_answer_measured",
    "referral_answer_met",
)


def referral_rows(level: str, period, root, as_of):
    """Per (area of `level`, agency kind, direction): the counts of the module docstring."""
    start, end = period.start, period.end
    due_in_period = Q(answer_due__gte=start, answer_due__lt=min(end, as_of))
    answered_in_period = Q(answered_at__gte=start, answered_at__lt=end)
    queryset = Referral.objects.filter(
        Q(sent_at__gte=start, sent_at__lt=end) | answered_in_period | due_in_period
    )
    if root is not None:
        queryset = queryset.filter(**{f"case__{root.level}_id": root.id})
    group = f"case__{level}_id"
    return (
        queryset.exclude(**{f"{group}__isnull": True})
        .values(group, "agency__kind", "direction")
        .annotate(
            sent=Count("pk", filter=Q(sent_at__gte=start, sent_at__lt=end)),
            answered=Count("pk", filter=answered_in_period),
            mediated=Count("pk", filter=answered_in_period & Q(result="mediated")),
            measured=Count(
                "pk",
                filter=answered_in_period
                | (due_in_period & (Q(answered_at__isnull=True) | Q(answered_at__gte=end))),
            ),
            met=Count("pk", filter=answered_in_period & Q(answered_at__lte=F("answer_due"))),
        )
        .order_by()
    )


def add(results: dict, levels, period, root, as_of) -> None:
    """Add the referral counts of every area of `levels` to `results` ({area id: raw})."""
    for raw in results.values():
        for name in FIELDS:
            raw.setdefault(name, 0)
        raw.setdefault("referrals_by_kind", {})
    for level in levels:
        for row in referral_rows(level, period, root, as_of):
            raw = results.get(row[f"case__{level}_id"])
            if raw is None:
                continue
            direction = "in" if row["direction"] == "in" else "out"
            raw[f"referrals_{direction}"] += row["sent"]
            raw["referrals_answered"] += row["answered"]
            raw["referrals_mediated"] += row["mediated"]
            raw["referral_answer_measured"] += row["measured"]
            raw["referral_answer_met"] += row["met"]
            kind = raw["referrals_by_kind"].setdefault(row["agency__kind"], {"in": 0, "out": 0})
            kind[direction] += row["sent"]
