"""The sweep drives deadlines that other apps own through its registry, and knows nothing of
them otherwise: the mediation records' deadlines reach it only by `MediationConfig.ready()`."""

import ast
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

import cases
from cases import sweep
from cases.models import Breach
from notifications.models import Notification

from .conftest import at, report

CASES_DIR = Path(cases.__file__).parent


def _imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_sweep_and_the_ledger_name_no_mediation_model():
    for name in ("sweep.py", "breaches.py", "selectors.py"):
        path = CASES_DIR / name
        text = path.read_text(encoding="utf-8")
        assert not {m for m in _imports_of(path) if m.split(".")[0] == "mediation"}, name
        assert "get_model" not in text, name
        for model in ("JudicialConfirmation", "Consultation", "FollowUp", "Agreement"):
            assert model not in text, (name, model)


def test_no_module_of_cases_looks_up_a_mediation_model_by_name():
    for path in CASES_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert 'get_model("mediation' not in text and "get_model('mediation" not in text, path


def test_mediation_registers_its_deadlines_with_the_sweep():
    every_sweep = {s.name for s in sweep.deadline_sources(hourly=False)}
    hourly = {s.name for s in sweep.deadline_sources(hourly=True)}
    assert {"mediation.judicial_confirmation", "mediation.consultation"} <= every_sweep
    assert "mediation.follow_up" in hourly
    # The report names the figures of the registered sources, zero when nothing was done.
    figures = sweep.SweepReport(now=timezone.now()).as_dict()
    assert figures["judicial_reminders"] == figures["consultation_reminders"] == 0
    assert figures["follow_up_reminders"] == 0


def _case_with_a_consultation(cast):
    """A village case being mediated, with a question to the town's lawyer due in a day."""
    from cases import services
    from mediation.models import Consultation

    now = timezone.now()
    mediator = cast.village_mediator_a
    case = report(cast, when=now - timedelta(hours=3))
    services.case_assign(
        actor=cast.village_officer_a,
        case_id=case.pk,
        assignee=mediator,
        at=now - timedelta(hours=2),
    )
    services.case_respond(actor=mediator, case_id=case.pk, at=now - timedelta(hours=1))
    consultation = Consultation.objects.create(
        case=case,
        consultant_kind="lawyer",
        consultant_name="王律师",
        consultant=cast.town_officer_a,
        asked_by=mediator,
        question="宅基地边界如何认定？",
        asked_at=now,
        due_at=now + timedelta(days=1),
    )
    return case, consultation


def test_a_due_consultation_is_reminded_only_through_the_registered_source(cast, monkeypatch):
    from mediation.deadlines import consultation_candidates, consultation_overdue

    case, consultation = _case_with_a_consultation(cast)
    later = consultation.due_at + timedelta(minutes=5)
    # The API's `overdue` of a consultation and what the sweep finds are the same rule.
    for moment, due in ((consultation.due_at - timedelta(seconds=1), False), (later, True)):
        assert consultation_overdue(consultation, moment) is due
        assert consultation_candidates(moment).filter(pk=consultation.pk).exists() is due

    # Without the mediation sources the sweep does not see the consultation at all.
    registered = dict(sweep._SOURCES)
    monkeypatch.setattr(
        sweep, "_SOURCES", {k: v for k, v in registered.items() if not k.startswith("mediation.")}
    )
    assert sweep.sweep_run(now=later).breaches == 0
    assert not Breach.objects.exists()

    # Registered, the sweep drives it: one breach, one reminder to the consultant and the asker.
    from mediation import deadlines

    deadlines.register()
    result = sweep.sweep_run(now=later)
    assert (result.breaches, result.consultation_reminders) == (1, 1)
    assert Breach.objects.get().subject == f"consultation:{consultation.pk}"
    assert sorted(
        Notification.objects.filter(kind="consultation_due").values_list(
            "user__username", flat=True
        )
    ) == ["town_officer_a", "village_mediator_a"]
    assert case.events.filter(kind="remind", actor=None, data__system=True).count() == 1
    assert sweep.sweep_run(now=later + timedelta(minutes=1)).breaches == 0


def test_a_source_is_acted_on_only_when_its_indexed_look_finds_rows(cast, monkeypatch):
    """Every sweep asks each registered source its indexed look, after the handling periods;
    `act` (a transaction, locks) only runs when the look finds rows."""
    asked = []

    def due(now):
        asked.append(now)
        return Breach.objects.none()

    def act(**kwargs):
        raise AssertionError("nothing was due")

    monkeypatch.setattr(sweep, "_SOURCES", dict(sweep._SOURCES))
    sweep.register(sweep.DeadlineSource(name="test.nothing", counter="nothing", due=due, act=act))
    report(cast)
    result = sweep.sweep_run(now=at(3, 9, 1))
    assert result.reminded == 1 and asked == [at(3, 9, 1)]
    assert result.nothing == 0
