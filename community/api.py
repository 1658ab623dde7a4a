"""Village self-governance over the API: consultation days and their items, volunteers and
duty teams, the rota with check-ins and the duty log, campaigns with their reports and
coverage. Every object is found through the scoped selectors (out of scope: 404); writes call
the services (400 naming the field, 403 in scope but not allowed, 409 a repeated step)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.models import User
from cases.choices import Category, Risk
from config.errors import InvalidInput
from grids.api import AreaBriefSerializer
from grids.choices import AreaLevel
from mediation.api.common import MonthField, parse_month

from . import selectors, services
from .choices import DEFAULT_DAYS_PER_TURN, ItemOutcome, LogKind
from .models import (
    Campaign,
    CampaignReport,
    ConsultationDay,
    ConsultationItem,
    DutyLogEntry,
    DutyShift,
    Volunteer,
)


def _area_in_scope(user, area_id, field, *levels):
    """An area the user's records may name; absent or out of scope is a 404."""
    try:
        area_id = int(area_id)
    except (TypeError, ValueError):
        raise InvalidInput("须指定区划。", fields={field: ["须指定区划。"]})
    area = get_object_or_404(selectors.areas_in_scope(user), pk=area_id)
    if levels and area.level not in levels:
        raise InvalidInput("区划层级不对。", fields={field: ["区划层级不对。"]})
    return area


class PartySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, label="姓名")
    role = serializers.ChoiceField(choices=["applicant", "respondent"], default="applicant")


def _case_brief(case) -> dict | None:
    if case is None:
        return None
    return {"id": case.id, "number": case.number, "status": case.status}


# ---------------------------------------------------------------- 说事日


class ItemSerializer(serializers.ModelSerializer):
    case = serializers.SerializerMethodField(label="纠纷案件")

    class Meta:
        model = ConsultationItem
        fields = ["id", "text", "is_dispute", "outcome", "outcome_note", "parties", "case"]

    def get_case(self, item) -> dict | None:
        return _case_brief(item.case)


class ConsultationDaySerializer(serializers.ModelSerializer):
    village = AreaBriefSerializer(read_only=True)
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = ConsultationDay
        fields = ["id", "village", "held_on", "chair", "attendance", "note", "items", "created_at"]


class ItemInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000, allow_blank=True, label="议题")
    is_dispute = serializers.BooleanField(default=False)
    outcome = serializers.ChoiceField(choices=ItemOutcome.choices, default=ItemOutcome.PENDING)
    outcome_note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    parties = PartySerializer(many=True, required=False)


class ConsultationDayInputSerializer(serializers.Serializer):
    village = serializers.IntegerField(label="村（社区）")
    held_on = serializers.DateField(label="日期")
    chair = serializers.CharField(max_length=50, label="主持人")
    attendance = serializers.IntegerField(min_value=1, max_value=100000, label="参加人数")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    items = ItemInputSerializer(many=True, required=False)


class ToCaseInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices, label="纠纷类型")
    risk = serializers.ChoiceField(choices=Risk.choices, default=Risk.GREEN)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    parties = PartySerializer(many=True, required=False)


class ConsultationDayViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Consultation days (说事日) of the villages in scope, with their items."""

    serializer_class = ConsultationDaySerializer
    filterset_fields = {"village": ["exact"], "month": ["exact"]}

    def get_queryset(self):
        return (
            selectors.consultation_days_visible_to(self.request.user)
            .select_related("village")
            .prefetch_related("items__case")
            .order_by("-held_on", "-id")
        )

    @extend_schema(
        request=ConsultationDayInputSerializer, responses={201: ConsultationDaySerializer}
    )
    def create(self, request):
        data = ConsultationDayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        village = _area_in_scope(request.user, values.pop("village"), "village")
        day = services.consultation_day_record(actor=request.user, village=village, **values)
        return Response(self.get_serializer(self.get_queryset().get(pk=day.pk)).data, 201)

    @extend_schema(request=ItemInputSerializer, responses={201: ItemSerializer})
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        """Add an item raised at this consultation day."""
        day = self.get_object()
        data = ItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.consultation_item_add(
            actor=request.user, day_id=day.pk, data=data.validated_data
        )
        return Response(ItemSerializer(item).data, 201)

    @extend_schema(
        parameters=[
            OpenApiParameter("area", int, required=True),
            OpenApiParameter("period", str, required=True, description="YYYY-MM"),
        ],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def coverage(self, request):
        """Villages that held a consultation day in the month, for the area and its children."""
        month = parse_month(request.query_params.get("period"), "period")
        area = _area_in_scope(request.user, request.query_params.get("area"), "area")
        rows = selectors.consultation_coverage_by_child(area, month)
        return Response(
            {
                "area": AreaBriefSerializer(area).data,
                "period": f"{month:%Y-%m}",
                **selectors.consultation_coverage(area, month),
                "children": [{**r, "area": AreaBriefSerializer(r["area"]).data} for r in rows],
            }
        )


class ConsultationItemCaseView(GenericAPIView):
    """Turn a consultation item into a case in one step (source 说事日)."""

    serializer_class = ToCaseInputSerializer

    @extend_schema(request=ToCaseInputSerializer, responses={201: ItemSerializer})
    def post(self, request, pk):
        items = ConsultationItem.objects.filter(
            day__in=selectors.consultation_days_visible_to(request.user)
        )
        item = get_object_or_404(items, pk=pk)
        data = ToCaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.consultation_item_to_case(
            actor=request.user, item_id=item.pk, **data.validated_data
        )
        return Response(ItemSerializer(item).data, 201)


# ---------------------------------------------------------------- volunteers and teams


class VolunteerSerializer(serializers.ModelSerializer):
    grid = AreaBriefSerializer(read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True, label="手机号（遮蔽）")
    has_account = serializers.SerializerMethodField()

    class Meta:
        model = Volunteer
        fields = ["id", "name", "phone", "grid", "active", "has_account"]

    def get_has_account(self, volunteer) -> bool:
        return volunteer.user_id is not None


class VolunteerInputSerializer(serializers.Serializer):
    grid = serializers.IntegerField(label="网格")
    name = serializers.CharField(max_length=50, label="姓名")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class AccountInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True)


class VolunteerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """红袖章 volunteers of the grids in scope (phones masked)."""

    serializer_class = VolunteerSerializer
    filterset_fields = {"grid": ["exact"], "village": ["exact"], "active": ["exact"]}

    def get_queryset(self):
        return selectors.volunteers_visible_to(self.request.user).select_related("grid")

    @extend_schema(request=VolunteerInputSerializer, responses={201: VolunteerSerializer})
    def create(self, request):
        data = VolunteerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        grid = _area_in_scope(request.user, values.pop("grid"), "grid")
        volunteer = services.volunteer_add(actor=request.user, grid=grid, **values)
        return Response(self.get_serializer(volunteer).data, 201)

    @extend_schema(request=AccountInputSerializer, responses={201: VolunteerSerializer})
    @action(detail=True, methods=["post"])
    def account(self, request, pk=None):
        """Give the volunteer a light account to check in and log on duty."""
        volunteer = self.get_object()
        data = AccountInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.volunteer_account(
            actor=request.user, volunteer_id=volunteer.pk, **data.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=volunteer.pk)).data, 201)


class TeamInputSerializer(serializers.Serializer):
    cadre_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    cadre_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)
    grid_worker = serializers.IntegerField(required=False, allow_null=True)


class DutyTeamView(GenericAPIView):
    """A grid's 1+1+N duty team: its cadre, its grid worker and its volunteers."""

    serializer_class = TeamInputSerializer
    pagination_class = None
    filter_backends = []

    def _grid(self):
        return _area_in_scope(self.request.user, self.kwargs["grid_id"], "grid", AreaLevel.GRID)

    def _answer(self, grid):
        team = selectors.teams_visible_to(self.request.user).filter(grid=grid).first()
        volunteers = selectors.volunteers_visible_to(self.request.user).filter(
            grid=grid, active=True
        )
        worker = team.grid_worker if team and team.grid_worker_id else None
        return {
            "grid": AreaBriefSerializer(grid).data,
            "cadre": {"name": team.cadre_name, "unit": team.cadre_unit} if team else None,
            "grid_worker": {"id": worker.id, "name": str(worker)} if worker else None,
            "volunteers": VolunteerSerializer(volunteers.select_related("grid"), many=True).data,
        }

    @extend_schema(responses={200: dict})
    def get(self, request, grid_id):
        return Response(self._answer(self._grid()))

    @extend_schema(request=TeamInputSerializer, responses={200: dict})
    def put(self, request, grid_id):
        grid = self._grid()
        data = TeamInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        worker_id = values.pop("grid_worker", None)
        worker = None
        if worker_id is not None:
            worker = User.objects.filter(pk=worker_id).first()
            if worker is None:
                raise InvalidInput("网格员不存在。", fields={"grid_worker": ["网格员不存在。"]})
        services.duty_team_set(actor=request.user, grid=grid, grid_worker=worker, **values)
        return Response(self._answer(grid))


# ---------------------------------------------------------------- rota, check-in, log


class ShiftSerializer(serializers.ModelSerializer):
    volunteer = serializers.SerializerMethodField()
    village = AreaBriefSerializer(read_only=True)
    missed = serializers.SerializerMethodField()

    class Meta:
        model = DutyShift
        fields = ["id", "village", "on_date", "volunteer", "checked_in_at", "missed"]

    def get_volunteer(self, shift) -> dict:
        return {"id": shift.volunteer_id, "name": shift.volunteer.name}

    def get_missed(self, shift) -> bool:
        return shift.checked_in_at is None and shift.on_date < timezone.localdate()


class TurnSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(label="志愿者")
    starts_on = serializers.DateField(label="开始日期")
    ends_on = serializers.DateField(required=False, allow_null=True, label="结束日期")


class RotaInputSerializer(serializers.Serializer):
    turns = TurnSerializer(many=True, label="轮次")


class GenerateInputSerializer(serializers.Serializer):
    month = MonthField(label="月份")
    days_per_turn = serializers.IntegerField(default=DEFAULT_DAYS_PER_TURN, label="每轮天数")


class RotaView(GenericAPIView):
    """A village's duty calendar for a month (GET ?month=YYYY-MM); POST edits it in turns."""

    serializer_class = RotaInputSerializer
    pagination_class = None
    filter_backends = []

    def _village(self):
        return _area_in_scope(
            self.request.user, self.kwargs["village_id"], "village", AreaLevel.VILLAGE
        )

    def _shifts(self, village, start, end):
        return (
            DutyShift.objects.filter(village=village, on_date__gte=start, on_date__lt=end)
            .select_related("volunteer", "village")
            .order_by("on_date")
        )

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM")],
        responses={200: ShiftSerializer(many=True)},
    )
    def get(self, request, village_id):
        village = self._village()
        month = parse_month(request.query_params.get("month") or timezone.localdate(), "month")
        shifts = self._shifts(village, month, selectors.next_month(month))
        return Response(ShiftSerializer(shifts, many=True).data)

    @extend_schema(request=RotaInputSerializer, responses={200: ShiftSerializer(many=True)})
    def post(self, request, village_id):
        village = self._village()
        data = RotaInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        turns = data.validated_data["turns"]
        ids = {t["volunteer"] for t in turns}
        found = {v.id: v for v in selectors.volunteers_visible_to(request.user).filter(pk__in=ids)}
        for index, turn in enumerate(turns):
            turn["volunteer"] = found.get(turn["volunteer"])
            if turn["volunteer"] is None:
                raise InvalidInput(
                    "志愿者不存在。",
                    fields={"turns": {str(index): {"volunteer": ["须为本村的志愿者。"]}}},
                )
        shifts = services.rota_set(actor=request.user, village=village, turns=turns)
        ids = [s.id for s in shifts]
        rows = DutyShift.objects.filter(pk__in=ids).select_related("volunteer", "village")
        return Response(ShiftSerializer(rows.order_by("on_date"), many=True).data)


class RotaGenerateView(RotaView):
    """Generate a month's rota in turns from the village's volunteers (free days only)."""

    serializer_class = GenerateInputSerializer

    @extend_schema(request=GenerateInputSerializer, responses={201: ShiftSerializer(many=True)})
    def post(self, request, village_id):
        village = self._village()
        data = GenerateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        month = data.validated_data["month"]
        services.rota_generate(actor=request.user, village=village, **data.validated_data)
        shifts = self._shifts(village, month, selectors.next_month(month))
        return Response(ShiftSerializer(shifts, many=True).data, 201)


class LogSerializer(serializers.ModelSerializer):
    case = serializers.SerializerMethodField(label="纠纷案件")
    shift = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = DutyLogEntry
        fields = ["id", "shift", "kind", "text", "parties", "created_at", "case"]

    def get_case(self, entry) -> dict | None:
        return _case_brief(entry.case)


class LogInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LogKind.choices, label="类型")
    text = serializers.CharField(max_length=5000, allow_blank=True, label="情况")
    parties = PartySerializer(many=True, required=False)


class DutyShiftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rota days in scope (a volunteer: their own), with check-in and the duty log."""

    serializer_class = ShiftSerializer
    filterset_fields = {"village": ["exact"], "on_date": ["exact", "gte", "lt"]}

    def get_queryset(self):
        return (
            selectors.shifts_visible_to(self.request.user)
            .select_related("volunteer", "village")
            .order_by("-on_date")
        )

    @extend_schema(request=None, responses={200: ShiftSerializer})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """The person on duty checks in (on the day; someone else, or another day: 403)."""
        shift = self.get_object()
        services.duty_check_in(actor=request.user, shift_id=shift.pk)
        return Response(self.get_serializer(self.get_queryset().get(pk=shift.pk)).data)

    @extend_schema(request=LogInputSerializer, responses={200: LogSerializer(many=True)})
    @action(detail=True, methods=["get", "post"])
    def log(self, request, pk=None):
        """The duty's log; POST adds an entry (a dispute is announced to the village)."""
        shift = self.get_object()
        if request.method == "POST":
            data = LogInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            entry = services.duty_log(actor=request.user, shift_id=shift.pk, **data.validated_data)
            return Response(LogSerializer(entry).data, 201)
        entries = DutyLogEntry.objects.filter(shift=shift).select_related("case")
        return Response(LogSerializer(entries, many=True).data)

    @extend_schema(
        responses={
            200: inline_serializer("TodaysDuty", {"shift": ShiftSerializer(allow_null=True)})
        }
    )
    @action(detail=False, methods=["get"])
    def today(self, request):
        """My duty today (a volunteer): `{"shift": …}`, null when I am not on duty."""
        shift = selectors.todays_shift(request.user, timezone.localdate())
        return Response({"shift": self.get_serializer(shift).data if shift else None})

    @extend_schema(
        parameters=[
            OpenApiParameter("area", int, required=True),
            OpenApiParameter("period", str, required=True, description="YYYY-MM"),
        ],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def missed(self, request):
        """Duties missed (no check-in) per village in the month, up to today."""
        month = parse_month(request.query_params.get("period"), "period")
        area = _area_in_scope(request.user, request.query_params.get("area"), "area")
        rows = selectors.missed_duties(
            area, month, selectors.next_month(month), timezone.localdate()
        )
        return Response({"period": f"{month:%Y-%m}", "villages": rows})


class DutyLogCaseView(GenericAPIView):
    """Turn a logged dispute into a case in one step."""

    serializer_class = ToCaseInputSerializer

    @extend_schema(request=ToCaseInputSerializer, responses={201: LogSerializer})
    def post(self, request, pk):
        entry = get_object_or_404(selectors.log_visible_to(request.user), pk=pk)
        data = ToCaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.duty_log_to_case(
            actor=request.user, entry_id=entry.pk, **data.validated_data
        )
        return Response(LogSerializer(entry).data, 201)


# ---------------------------------------------------------------- campaigns


class CampaignSerializer(serializers.ModelSerializer):
    area = AreaBriefSerializer(read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "area", "starts_on", "ends_on", "created_at"]


class CampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, label="名称")
    area = serializers.IntegerField(label="范围")
    starts_on = serializers.DateField(label="开始日期")
    ends_on = serializers.DateField(label="截止日期")


class CampaignReportSerializer(serializers.ModelSerializer):
    grid = AreaBriefSerializer(read_only=True)

    class Meta:
        model = CampaignReport
        fields = ["id", "grid", "zero", "found", "note", "submitted_at"]


class CampaignReportInputSerializer(serializers.Serializer):
    grid = serializers.IntegerField(label="网格")
    zero = serializers.BooleanField(label="零上报")
    found = serializers.IntegerField(default=0, min_value=0, max_value=10000)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


def _unit_rows(rows):
    return [
        {
            "area": AreaBriefSerializer(r["area"]).data,
            "total": r["total"],
            "reported": r["reported"],
            "coverage": r["coverage"],
            "missing": [{"id": g.id, "name": g.name} for g in r["missing"]],
        }
        for r in rows
    ]


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """专项排查 campaigns over or under the user's areas, with reports and coverage."""

    serializer_class = CampaignSerializer

    def get_queryset(self):
        return (
            selectors.campaigns_visible_to(self.request.user)
            .select_related("area")
            .order_by("-starts_on", "-id")
        )

    @extend_schema(request=CampaignInputSerializer, responses={201: CampaignSerializer})
    def create(self, request):
        data = CampaignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        area = _area_in_scope(request.user, values.pop("area"), "area")
        campaign = services.campaign_open(actor=request.user, area=area, **values)
        return Response(self.get_serializer(campaign).data, 201)

    @extend_schema(
        request=CampaignReportInputSerializer, responses={200: CampaignReportSerializer(many=True)}
    )
    @action(detail=True, methods=["get", "post"])
    def reports(self, request, pk=None):
        """The grids' reports in scope; POST files a grid's report (zero counts)."""
        campaign = self.get_object()
        if request.method == "POST":
            data = CampaignReportInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            grid = _area_in_scope(request.user, values.pop("grid"), "grid", AreaLevel.GRID)
            report = services.campaign_report(
                actor=request.user, campaign_id=campaign.pk, grid=grid, **values
            )
            report = CampaignReport.objects.select_related("grid").get(pk=report.pk)
            return Response(CampaignReportSerializer(report).data, 201)
        reports = (
            CampaignReport.objects.filter(campaign=campaign)
            .filter(selectors.rows_q(request.user))
            .select_related("grid")
        )
        return Response(CampaignReportSerializer(reports, many=True).data)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def coverage(self, request, pk=None):
        """Every grid in scope of the campaign, reported or not, per town and village."""
        campaign = self.get_object()
        cover = selectors.campaign_coverage(campaign, within=request.user)
        return Response(
            {
                "campaign": self.get_serializer(campaign).data,
                "total": cover["total"],
                "reported": cover["reported"],
                "zero": cover["zero"],
                "coverage": cover["coverage"],
                "towns": _unit_rows(cover["towns"]),
                "villages": _unit_rows(cover["villages"]),
            }
        )
