"""Cases over the API (DESIGN.md §10): scoped list with filters, detail, intake, one endpoint
per action calling its service, the event log, attachments and the spreadsheet export.

Every queryset starts from `Case.objects.visible_to(user)`: a case out of scope is a 404 on
every endpoint. Read serializers show masked personal data only; `status` and `level` change
only through the actions."""

import django_filters
from django.conf import settings
from django.http import FileResponse, Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import filters, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors import scope_for
from accounts.services import audit_export
from config.errors import InvalidInput
from config.exports import XLSX_RESPONSES, xlsx_response
from config.filters import IdFilter, SaneDateTimeFilter
from grids.api import AreaBriefSerializer
from grids.models import Area

from . import intake, selectors, services, village_rating
from .choices import (
    Category,
    Level,
    Outcome,
    PartyRole,
    Risk,
    ScreeningReason,
    Source,
    Status,
)
from .export import ExportTitle, export_workbook
from .models import Attachment, Case, CaseEvent, HandlingPeriod, Party
from .policy import access_case

MAX_TEXT = 10000
MAX_NOTE = 2000

# ---------------------------------------------------------------- read serializers


class CaseUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "display_name"]


class PeriodSerializer(serializers.ModelSerializer):
    area = AreaBriefSerializer(read_only=True)

    class Meta:
        model = HandlingPeriod
        fields = [
            "id",
            "level",
            "area",
            "entered_by",
            "red",
            "arrived_at",
            "assign_due",
            "assigned_at",
            "respond_due",
            "responded_at",
            "resolve_due",
            "ended_at",
            "end_reason",
            "next_deadline",
            "next_deadline_kind",
        ]


class PartySerializer(serializers.ModelSerializer):
    """A party with masked ID number and phone; the full values only through `reveal`."""

    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    area = AreaBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Party
        fields = ["id", "name", "role", "id_number", "phone", "address", "area"]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "uploaded_at", "uploaded_by", "url"]

    def get_url(self, obj) -> str:
        return f"/api/v1/cases/{obj.case_id}/attachments/{obj.id}/"


_DATETIME = serializers.DateTimeField()


def _cursor(period):
    """The sweep's cursor of an open period in hand (fetched with it): the next deadline still
    ahead or not yet acted on, which a list row shows; None without one."""
    if period is None:
        return None
    try:
        return period.cursor
    except HandlingPeriod.cursor.RelatedObjectDoesNotExist:
        return None


def _area_brief(area):
    return {"id": area.id, "code": area.code, "name": area.name, "level": area.level}


class LateItemSerializer(serializers.Serializer):
    """A deadline of the case that has passed without its event (`cases.overdue`): which stage
    or record (`kind`, `label` as the pages name it), its due, and whole days late."""

    kind = serializers.CharField()
    label = serializers.CharField()
    due = serializers.DateTimeField()
    days_late = serializers.IntegerField()


class CaseRowsSerializer(serializers.ListSerializer):
    """A page of case rows: what is late is read for the whole page at once (one query per
    overdue source), not per row."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        now = self.context.setdefault("now", timezone.now())
        selectors.attach_late(rows, now)
        return [self.child.to_representation(row) for row in rows]


def _late_of(obj, context) -> list:
    """The late items of a case (attached for a page by `CaseRowsSerializer`, else read)."""
    if not hasattr(obj, "late"):
        selectors.attach_late([obj], context.get("now") or timezone.now())
    return obj.late


class CaseListSerializer(serializers.ModelSerializer):
    """One row of the case list (masked, read-only status and level). `overdue` and `late`
    are the one overdue rule (`cases.overdue`): every stage and record deadline that has
    passed without its event; `next_deadline` is the next deadline still ahead or unacted."""

    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    holder = AreaBriefSerializer(read_only=True)
    origin = AreaBriefSerializer(read_only=True)
    assignee = CaseUserSerializer(read_only=True, allow_null=True)
    # Blank until the case is concluded (declared: read_only_fields would drop allow_blank).
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    next_deadline = serializers.SerializerMethodField()
    next_deadline_kind = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField()

    class Meta:
        model = Case
        list_serializer_class = CaseRowsSerializer
        fields = [
            "id",
            "number",
            "title",
            "category",
            "category_display",
            "source",
            "risk",
            "level",
            "level_display",
            "peak_level",
            "status",
            "status_display",
            "outcome",
            "holder",
            "origin",
            "assignee",
            "repeat_dispute",
            "supervised",
            "people_involved",
            "reported_at",
            "concluded_at",
            "next_deadline",
            "next_deadline_kind",
            "overdue",
            "late",
        ]
        read_only_fields = fields

    def _period(self, obj):
        periods = getattr(obj, "open_periods", None)
        return periods[0] if periods else None

    def to_representation(self, obj):
        """The row built directly: the same output as the declared fields (a test compares
        them field by field), at a fraction of DRF's per-field cost on a list page."""
        dt = _DATETIME.to_representation
        period = self._period(obj)
        cursor = _cursor(period)
        deadline = cursor.next_deadline if cursor else None
        assignee = obj.assignee
        return {
            "id": obj.id,
            "number": obj.number,
            "title": obj.title,
            "category": obj.category,
            "category_display": obj.get_category_display(),
            "source": obj.source,
            "risk": obj.risk,
            "level": obj.level,
            "level_display": obj.get_level_display(),
            "peak_level": obj.peak_level,
            "status": obj.status,
            "status_display": obj.get_status_display(),
            "outcome": obj.outcome,
            "holder": _area_brief(obj.holder),
            "origin": _area_brief(obj.origin),
            "assignee": None
            if assignee is None
            else {
                "id": assignee.id,
                "username": assignee.username,
                "display_name": assignee.display_name,
            },
            "repeat_dispute": obj.repeat_dispute,
            "supervised": obj.supervised,
            "people_involved": obj.people_involved,
            "reported_at": dt(obj.reported_at),
            "concluded_at": dt(obj.concluded_at),
            "next_deadline": dt(deadline),
            "next_deadline_kind": cursor.next_deadline_kind if cursor else "",
            "overdue": self.get_overdue(obj),
            "late": self.get_late(obj),
        }

    def get_next_deadline(self, obj) -> str | None:
        cursor = _cursor(self._period(obj))
        if cursor is None:
            return None
        return serializers.DateTimeField().to_representation(cursor.next_deadline)

    def get_next_deadline_kind(self, obj) -> str:
        cursor = _cursor(self._period(obj))
        return cursor.next_deadline_kind if cursor else ""

    def get_overdue(self, obj) -> bool:
        return bool(_late_of(obj, self.context))

    @extend_schema_field(LateItemSerializer(many=True))
    def get_late(self, obj):
        now = self.context.get("now") or timezone.now()
        return [
            {**item.as_dict(now), "due": _DATETIME.to_representation(item.due)}
            for item in _late_of(obj, self.context)
        ]


class CaseDetailSerializer(CaseListSerializer):
    """A case with facts, masked parties, attachments and its handling periods."""

    parties = PartySerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    periods = serializers.SerializerMethodField()
    reported_by = CaseUserSerializer(read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "source_display",
            "facts",
            "occurred_on",
            "amount",
            "outcome_note",
            "reported_by",
            "resolved_at",
            "closed_at",
            "parties",
            "attachments",
            "periods",
        ]
        read_only_fields = fields

    # Every declared field, through DRF (the list's hand-built row covers the list fields only).
    to_representation = serializers.ModelSerializer.to_representation

    @extend_schema_field(PeriodSerializer(many=True))
    def get_periods(self, obj):
        periods = getattr(obj, "all_periods", None)
        if periods is None:
            periods = list(obj.periods.select_related("area").order_by("arrived_at", "id"))
        return PeriodSerializer(periods, many=True).data


class EventSerializer(serializers.ModelSerializer):
    # No actor for what the system did (the sweep); blank from/to where nothing moved.
    actor = CaseUserSerializer(read_only=True, allow_null=True)
    from_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    to_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    from_level = serializers.ChoiceField(choices=Level.choices, allow_blank=True, read_only=True)
    to_level = serializers.ChoiceField(choices=Level.choices, allow_blank=True, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "actor",
            "from_status",
            "to_status",
            "from_level",
            "to_level",
            "note",
            "data",
            "created_at",
        ]
        read_only_fields = fields


# ---------------------------------------------------------------- input serializers


class PartyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    role = serializers.ChoiceField(choices=PartyRole.choices)
    id_number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    area = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(), required=False, allow_null=True, default=None
    )

    def validate(self, attrs):
        errors = services.party_errors(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CaseCreateSerializer(serializers.Serializer):
    """Intake (登记受理): the body of `POST /api/v1/cases/`."""

    title = serializers.CharField(max_length=200)
    facts = serializers.CharField(max_length=MAX_TEXT)
    category = serializers.ChoiceField(choices=Category.choices)
    source = serializers.ChoiceField(choices=Source.choices)
    risk = serializers.ChoiceField(choices=Risk.choices, default=Risk.GREEN)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    occurred_on = serializers.DateField(required=False, allow_null=True, default=None)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    people_involved = serializers.IntegerField(min_value=1, max_value=100000, default=2)
    parties = PartyInputSerializer(many=True, allow_empty=False, max_length=100)
    screening = serializers.ChoiceField(
        choices=ScreeningReason.choices, required=False, allow_blank=True, default=""
    )
    screening_note = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )

    def validate_occurred_on(self, value):
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError("发生日期不能晚于今天。")
        return value


class AssignInputSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")


class RespondInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_NOTE)


class EscalateInputSerializer(ReasonInputSerializer):
    from_level = serializers.ChoiceField(
        choices=Level.choices,
        required=False,
        help_text="The level the case was at when the user chose to escalate; if it has "
        "moved since, the answer is 409 and nothing changes.",
    )


class DelegateInputSerializer(serializers.Serializer):
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")


class ExtendInputSerializer(serializers.Serializer):
    """An extension: until when, which parties agreed and when (at most 30 days, once)."""

    until = serializers.DateField(label="延期至")
    # Checked by the service after `until`, so the first thing named is the deadline.
    parties = serializers.ListField(
        label="同意延期的当事人",
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=100,
    )
    agreed_on = serializers.DateField(
        label="当事人同意日期", required=False, allow_null=True, default=None
    )
    consent_note = serializers.CharField(
        label="说明", max_length=MAX_NOTE, required=False, allow_blank=True, default=""
    )

    def validate_until(self, value):
        if value < timezone.localdate():
            raise serializers.ValidationError("延期日期不能早于今天。")
        return value


class ResolveAgreementSerializer(serializers.Serializer):
    form = serializers.ChoiceField(choices=[("written", "书面协议"), ("oral", "口头协议")])
    terms = serializers.CharField(max_length=MAX_TEXT)
    perform_by = serializers.DateField(required=False, allow_null=True, default=None)
    facts = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    responsibilities = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    performance_method = serializers.CharField(
        max_length=MAX_TEXT, required=False, allow_blank=True
    )


class ResolveInputSerializer(serializers.Serializer):
    agreement = ResolveAgreementSerializer()


class CloseInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")
    routes = serializers.ListField(
        label="已告知的其他途径（调解不成、不予受理时必填）",
        child=serializers.CharField(max_length=32),
        required=False,
        max_length=10,
        default=list,
    )


class RevealInputSerializer(serializers.Serializer):
    party = serializers.IntegerField(min_value=1)
    field = serializers.ChoiceField(choices=[("id_number", "身份证号"), ("phone", "电话")])


class RevealOutputSerializer(serializers.Serializer):
    party = serializers.IntegerField()
    field = serializers.CharField()
    value = serializers.CharField()


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField(max_length=200, allow_empty_file=False)


# ---------------------------------------------------------------- filters


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    level = django_filters.ChoiceFilter(choices=Level.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    risk = django_filters.ChoiceFilter(choices=Risk.choices)
    source = django_filters.ChoiceFilter(choices=Source.choices)
    area = IdFilter(method="filter_area", label="区划（含下级）")
    reported_after = SaneDateTimeFilter(field_name="reported_at", lookup_expr="gte")
    reported_before = SaneDateTimeFilter(field_name="reported_at", lookup_expr="lt")
    # The moment of a dashboard's snapshot: cases reported after it are not in its figures.
    as_of = SaneDateTimeFilter(field_name="reported_at", lookup_expr="lte", label="数据截至")
    overdue = django_filters.ChoiceFilter(
        choices=[("true", "超期"), ("false", "不限")], method="filter_overdue", label="超期"
    )
    assignee = django_filters.ChoiceFilter(
        choices=[("me", "我承办的")], method="filter_assignee", label="承办人"
    )
    q = django_filters.CharFilter(
        method="filter_q", max_length=100, label="编号/名称/当事人姓名，或完整的身份证号/电话"
    )
    village_rating = django_filters.ChoiceFilter(
        choices=village_rating.RATINGS,
        method="filter_village_rating",
        label="所在村本月风险等级",
    )

    class Meta:
        model = Case
        fields = ["status", "level", "category", "risk", "source"]

    def filter_area(self, queryset, name, value):
        area = Area.objects.filter(pk=value).first()
        if area is None:
            return queryset.none()
        return selectors.filter_area(queryset, area)

    def filter_overdue(self, queryset, name, value):
        if value == "true":
            return selectors.filter_overdue(queryset)
        return queryset

    def filter_assignee(self, queryset, name, value):
        return queryset.filter(assignee=self.request.user)

    def filter_q(self, queryset, name, value):
        return selectors.filter_search(queryset, value)

    def filter_village_rating(self, queryset, name, value):
        return village_rating.filter_village_rating(queryset, value)


class StableOrderingFilter(filters.OrderingFilter):
    """Ordering with `id` as the tie-breaker, so offset pages never repeat or skip rows."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and not any(field.lstrip("-") == "id" for field in ordering):
            ordering.append("-id")
        return ordering


# ---------------------------------------------------------------- the viewset


def _detail(user, case_id):
    return selectors.cases_for_detail(user).get(pk=case_id)


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases in the user's scope, intake, and one endpoint per lifecycle action."""

    filterset_class = CaseFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, StableOrderingFilter]
    ordering_fields = ["reported_at", "number", "risk", "level", "status", "updated_at"]
    ordering = ["-reported_at", "-id"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.cases_for_detail(self.request.user)
        if self.action == "export":
            return selectors.cases_for_export(self.request.user).prefetch_related("parties")
        return selectors.cases_for_list(self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CaseDetailSerializer
        if self.action == "create":
            return CaseCreateSerializer
        return CaseListSerializer

    def _visible(self) -> int:
        """The id of the URL's case once `access_case` found it visible (else 404)."""
        return access_case(self.request.user, int(self.kwargs["pk"])).pk

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _done(self, case_id, status_code=status.HTTP_200_OK):
        case = _detail(self.request.user, case_id)
        return Response(
            CaseDetailSerializer(case, context=self.get_serializer_context()).data,
            status=status_code,
        )

    @extend_schema(
        request=CaseCreateSerializer,
        responses={
            201: CaseDetailSerializer,
            422: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="幂等键已用于内容不同的另一次登记（`code`: idempotency_key_reused，"
                "`number`: 那次登记的案件编号）；未登记。",
            ),
        },
        parameters=[
            OpenApiParameter(
                intake.HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="幂等键（建议每次登记生成一个 UUID）：同一用户以同一键重复提交（重试、"
                "断网后重发、连点），返回第一次登记的案件（相同编号，201，响应头 "
                "`Idempotent-Replayed: true`），不会生成第二个案件；同一键用于内容不同的登记"
                "返回422。8至64位字母、数字或 _.:- 字符。",
            )
        ],
    )
    def create(self, request):
        data = self._input(CaseCreateSerializer)
        key = request.headers.get(intake.HEADER)
        if key is None:
            case = services.case_report(actor=request.user, **data)
            return self._done(case.id, status.HTTP_201_CREATED)
        case, new = intake.report_once(
            actor=request.user,
            key=key,
            digest=intake.fingerprint(data),
            report=lambda: services.case_report(actor=request.user, **data),
        )
        if not Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
            raise Http404
        response = self._done(case.id, status.HTTP_201_CREATED)
        if not new:
            response["Idempotent-Replayed"] = "true"
        return response

    @extend_schema(request=AssignInputSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        case_id = self._visible()
        data = self._input(AssignInputSerializer)
        services.case_assign(
            actor=request.user, case_id=case_id, assignee=data["assignee"], note=data["note"]
        )
        return self._done(case_id)

    @extend_schema(request=RespondInputSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        case_id = self._visible()
        data = self._input(RespondInputSerializer)
        services.case_respond(actor=request.user, case_id=case_id, note=data["note"])
        return self._done(case_id)

    @extend_schema(request=EscalateInputSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        case_id = self._visible()
        data = self._input(EscalateInputSerializer)
        services.case_escalate(
            actor=request.user,
            case_id=case_id,
            reason=data["reason"],
            from_level=data.get("from_level") or None,
        )
        return self._done(case_id)

    @extend_schema(request=DelegateInputSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def delegate(self, request, pk=None):
        case_id = self._visible()
        data = self._input(DelegateInputSerializer)
        services.case_delegate(
            actor=request.user, case_id=case_id, area=data["area"], note=data["note"]
        )
        return self._done(case_id)

    @extend_schema(request=ExtendInputSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        case_id = self._visible()
        data = self._input(ExtendInputSerializer)
        services.case_extend(
            actor=request.user,
            case_id=case_id,
            until=data["until"],
            parties=data["parties"],
            agreed_on=data["agreed_on"],
            consent_note=data["consent_note"],
        )
        return self._done(case_id)

    @extend_schema(request=ResolveInputSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        case_id = self._visible()
        data = self._input(ResolveInputSerializer)
        services.case_resolve(actor=request.user, case_id=case_id, agreement=data["agreement"])
        return self._done(case_id)

    @extend_schema(request=ReasonInputSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        case_id = self._visible()
        data = self._input(ReasonInputSerializer)
        services.case_reopen(actor=request.user, case_id=case_id, reason=data["reason"])
        return self._done(case_id)

    @extend_schema(request=CloseInputSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        case_id = self._visible()
        data = self._input(CloseInputSerializer)
        services.case_close(
            actor=request.user,
            case_id=case_id,
            outcome=data["outcome"],
            note=data["note"],
            routes=data["routes"],
        )
        return self._done(case_id)

    @extend_schema(request=RevealInputSerializer, responses=RevealOutputSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        case_id = self._visible()
        data = self._input(RevealInputSerializer)
        value = services.case_reveal(
            actor=request.user, case_id=case_id, party_id=data["party"], field=data["field"]
        )
        response = Response({"party": data["party"], "field": data["field"], "value": value})
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(responses=EventSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        case_id = self._visible()
        queryset = selectors.case_events(case_id)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(EventSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"], request=None, responses=AttachmentSerializer(many=True), filters=False
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: AttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
    )
    def attachments(self, request, pk=None):
        case_id = self._visible()
        if request.method == "GET":
            rows = self.paginate_queryset(Attachment.objects.filter(case_id=case_id).order_by("id"))
            return self.get_paginated_response(AttachmentSerializer(rows, many=True).data)
        data = self._input(AttachmentInputSerializer)
        attachment = services.case_attach(actor=request.user, case_id=case_id, file=data["file"])
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, content_type): OpenApiTypes.BINARY for content_type in services.ATTACHMENT_TYPES
        },
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request, pk=None, attachment_id=None):
        case_id = self._visible()
        row = Attachment.objects.filter(case_id=case_id, pk=int(attachment_id)).first()
        if row is None:
            raise Http404
        try:
            handle = row.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404
        response = FileResponse(
            handle, as_attachment=True, filename=row.name, content_type=row.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        responses=XLSX_RESPONSES,
        filters=True,
        description="与列表相同的筛选条件；个人信息脱敏；超过导出上限时返回400。",
    )
    def export(self, request):
        """`GET /api/v1/cases/export.xlsx?<list filters>` (routed in config/urls.py)."""
        queryset = self.filter_queryset(self.get_queryset())
        cap = export_max_rows()
        rows = list(queryset[: cap + 1])
        if len(rows) > cap:
            raise InvalidInput(
                f"符合条件的案件超过{cap}条，超出导出上限，请缩小筛选范围（如按时间或区划）后再导出。",
                code="export_too_large",
                limit=cap,
            )
        content = export_workbook(rows, _export_title(request))
        audit_export(
            actor=request.user,
            what="案件清单",
            area=_export_area(request),
            params=dict(request.query_params.items()),
            rows=len(rows),
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return xlsx_response(content, f"cases-{stamp}.xlsx")


# ---------------------------------------------------------------- export


def _export_area(request):
    """The area an export concerns: its `area` filter if given, else the user's one role area."""
    raw = request.query_params.get("area", "")
    if raw.isdigit():
        return Area.objects.filter(pk=int(raw)).first()
    return None


def _export_title(request) -> ExportTitle:
    """The title row's area, report-time window and 数据截至 (the `as_of` asked for, else now)."""
    now = timezone.now()
    form = CaseFilter(data=request.query_params, queryset=Case.objects.none(), request=request).form
    data = form.cleaned_data if form.is_valid() else {}
    scope = scope_for(request.user)
    area = _export_area(request)
    if area is not None and not scope.covers(area):
        area = None  # an area out of scope is named nowhere, not even in a title
    if area is None:
        areas = sorted(scope.areas(), key=lambda a: (a.rank, a.code))
        area = areas[0] if areas else None
    as_of = data.get("as_of")
    return ExportTitle(
        area=area.name if area else "全部辖区",
        after=data.get("reported_after"),
        before=data.get("reported_before"),
        as_of=min(as_of, now) if as_of else now,
    )


def export_max_rows() -> int:
    return int(getattr(settings, "CASE_EXPORT_MAX_ROWS", 10000))
