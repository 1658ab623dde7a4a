"""督查督办 over the API: 督办 (open on a case or a unit, feedback with an attachment, return,
counts per unit) and the issued letters (提醒函, 工作通报: issue, list, download the kept PDF).
Every object is found through the scoped selectors (out of scope: 404); writes call the
services (400 naming the field, 403 in scope but not allowed, 409 a repeated step)."""

from django.http import FileResponse, Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.selectors import scope_for
from assessment.periods import month_of, parse_period
from config.parsers import BoundedJSONParser
from grids.api import AreaBriefSerializer
from grids.models import Area

from . import selectors, services
from .choices import FEEDBACK_MAX, REASON_MAX, LetterKind, SupervisionStatus
from .models import Feedback, Letter, Supervision

MAX_ID = 2**62

# ---------------------------------------------------------------- read serializers


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "display_name": str(user)}


class FeedbackSerializer(serializers.ModelSerializer):
    given_by = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = [
            "id",
            "text",
            "given_by",
            "given_at",
            "file_name",
            "file_url",
            "returned_at",
            "return_reason",
        ]

    def get_given_by(self, obj) -> dict | None:
        return _person(obj.given_by)

    def get_file_url(self, obj) -> str | None:
        if not obj.file:
            return None
        return f"/api/v1/supervisions/{obj.supervision_id}/feedbacks/{obj.id}/file/"


class SupervisionSerializer(serializers.ModelSerializer):
    unit = AreaBriefSerializer(read_only=True)
    case = serializers.SerializerMethodField()
    opened_by = serializers.SerializerMethodField()
    answered_by = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField(help_text="待反馈且已过反馈期限")
    on_time = serializers.SerializerMethodField(help_text="已反馈且在期限内（未反馈：null）")
    feedbacks = FeedbackSerializer(many=True, read_only=True)

    class Meta:
        model = Supervision
        fields = [
            "id",
            "case",
            "unit",
            "reason",
            "due_at",
            "status",
            "overdue",
            "on_time",
            "opened_by",
            "opened_at",
            "answered_by",
            "answered_at",
            "feedbacks",
        ]

    def get_case(self, obj) -> dict | None:
        if obj.case_id is None:
            return None
        return {"id": obj.case_id, "number": obj.case.number, "title": obj.case.title}

    def get_opened_by(self, obj) -> dict | None:
        return _person(obj.opened_by)

    def get_answered_by(self, obj) -> dict | None:
        return _person(obj.answered_by)

    def get_overdue(self, obj) -> bool:
        return selectors.is_overdue(obj, self.context.get("now") or timezone.now())

    def get_on_time(self, obj) -> bool | None:
        if obj.status != SupervisionStatus.CLOSED or obj.answered_at is None:
            return None
        return obj.answered_at <= obj.due_at


class LetterSerializer(serializers.ModelSerializer):
    area = AreaBriefSerializer(read_only=True)
    issued_by = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = [
            "id",
            "kind",
            "number",
            "title",
            "area",
            "period_key",
            "figures",
            "issued_by",
            "issued_at",
            "file_url",
        ]

    def get_issued_by(self, obj) -> dict | None:
        return _person(obj.issued_by)

    def get_file_url(self, obj) -> str:
        return f"/api/v1/letters/{obj.id}/file.pdf"


# ---------------------------------------------------------------- input serializers


class SupervisionQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    area = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    case = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(choices=SupervisionStatus.choices, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)


class SupervisionOpenSerializer(serializers.Serializer):
    case = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        label="案件",
        help_text="督办案件（与 unit 二选一）",
    )
    unit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        label="责任单位",
        help_text="督办的乡镇或村（社区）（与 case 二选一；督办案件时为案件的承办单位）",
    )
    reason = serializers.CharField(max_length=REASON_MAX, label="督办事由")
    due_at = serializers.DateTimeField(label="反馈期限")


class FeedbackInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=FEEDBACK_MAX, label="反馈内容")
    file = serializers.FileField(required=False, allow_null=True, label="附件")


class ReturnInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, label="退回理由")
    due_at = serializers.DateTimeField(label="新的反馈期限")


@extend_schema_field(OpenApiTypes.STR)
class PeriodField(serializers.Field):
    """A period key (2026-10, 2026-Q3, 2026) as a `Period`."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) > 16:
            raise serializers.ValidationError("周期格式应为 2026-10、2026-Q3 或 2026。")
        try:
            return parse_period(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc))

    def to_representation(self, value):
        return value.key


class AreaQuerySerializer(serializers.Serializer):
    area = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class LetterQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LetterKind.choices, required=False)
    area = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ReminderInputSerializer(serializers.Serializer):
    area = serializers.IntegerField(min_value=1, max_value=MAX_ID, label="单位")
    period = PeriodField(required=False, label="考核周期")


class BulletinInputSerializer(serializers.Serializer):
    area = serializers.IntegerField(min_value=1, max_value=MAX_ID, label="县（区）")
    period = PeriodField(required=False, label="月份")


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _area_visible(user, area_id) -> Area:
    area = Area.objects.filter(pk=area_id).first()
    if area is None or not scope_for(user).covers(area):
        raise Http404
    return area


def _pdf(row: Letter):
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{row.get_kind_display()}{row.number}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- 督办


class SupervisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """督办 of the units in scope (a case's 督办 answer to its holder): list with filters,
    detail with the feedback, open, feedback, return, and the counts per unit."""

    serializer_class = SupervisionSerializer
    filter_backends = []
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        return (
            selectors.supervisions_visible_to(self.request.user)
            .select_related("unit", "case", "opened_by", "answered_by")
            .prefetch_related("feedbacks__given_by")
            .order_by("-opened_at", "-id")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        query = _valid(SupervisionQuerySerializer, self.request.query_params)
        if "unit" in query:
            queryset = queryset.filter(unit_id=query["unit"])
        if "case" in query:
            queryset = queryset.filter(case_id=query["case"])
        if "area" in query:
            area = _area_visible(self.request.user, query["area"])
            queryset = queryset.filter(selectors.under_q(area))
        if "status" in query:
            queryset = queryset.filter(status=query["status"])
        if query.get("overdue") is not None:
            late = selectors.overdue_q(timezone.now())
            queryset = queryset.filter(late) if query["overdue"] else queryset.exclude(late)
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.INT, description="责任单位 id"),
            OpenApiParameter("area", OpenApiTypes.INT, description="区划 id：其下各单位的督办"),
            OpenApiParameter("case", OpenApiTypes.INT, description="案件 id"),
            OpenApiParameter("status", OpenApiTypes.STR, enum=SupervisionStatus.values),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="超期未反馈"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=SupervisionOpenSerializer,
        responses={201: SupervisionSerializer},
        description="上级工作人员对案件（责任单位为其承办单位）或下级乡镇、村（社区）督办。",
    )
    def create(self, request):
        data = _valid(SupervisionOpenSerializer, request.data)
        supervision = services.supervision_open(
            actor=request.user,
            case_id=data.get("case"),
            unit_id=data.get("unit"),
            reason=data["reason"],
            due_at=data["due_at"],
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=supervision.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request={"multipart/form-data": FeedbackInputSerializer},
        responses={200: SupervisionSerializer},
        description="责任单位的工作人员、调解员反馈（可附文件），反馈后督办办结。",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def feedback(self, request, pk=None):
        self._visible(pk)
        data = _valid(FeedbackInputSerializer, request.data)
        services.supervision_feedback(
            actor=request.user, supervision_id=int(pk), text=data["text"], file=data.get("file")
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        request=ReturnInputSerializer,
        responses={200: SupervisionSerializer},
        description="督办单位认为反馈不到位：退回并给出新的反馈期限。",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request, pk=None):
        self._visible(pk)
        data = _valid(ReturnInputSerializer, request.data)
        services.supervision_return(
            actor=request.user, supervision_id=int(pk), reason=data["reason"], due_at=data["due_at"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path=r"feedbacks/(?P<feedback_id>\d+)/file")
    def feedback_file(self, request, pk=None, feedback_id=None):
        self._visible(pk)
        row = Feedback.objects.filter(supervision_id=pk, pk=int(feedback_id)).first()
        if row is None or not row.file:
            raise Http404
        try:
            handle = row.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404
        response = FileResponse(
            handle, as_attachment=True, filename=row.file_name, content_type=row.file_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter("area", OpenApiTypes.INT, description="区划 id（默认：本人最高层级）")
        ],
        responses=inline_serializer(
            "SupervisionCounts",
            {
                "area": AreaBriefSerializer(),
                "totals": serializers.DictField(child=serializers.IntegerField()),
                "units": serializers.ListField(child=serializers.DictField()),
            },
        ),
        description="区划下各责任单位的督办数：办理中、超期未反馈、按期反馈、逾期反馈。",
    )
    @action(detail=False, methods=["get"])
    def counts(self, request):
        query = _valid(AreaQuerySerializer, request.query_params)
        area = self._area(query.get("area"))
        now = timezone.now()
        return Response(
            {
                "area": AreaBriefSerializer(area).data,
                "totals": selectors.counts_under(area, now),
                "units": selectors.counts_by_unit(area, now),
            }
        )

    def _area(self, area_id) -> Area:
        if area_id is not None:
            return _area_visible(self.request.user, area_id)
        area = selectors.home_area(self.request.user)
        if area is None:
            raise serializers.ValidationError({"area": ["请选择区划。"]})
        return area

    def _visible(self, pk):
        if not str(pk).isdigit() or int(pk) > MAX_ID:
            raise Http404
        if not selectors.supervisions_visible_to(self.request.user).filter(pk=int(pk)).exists():
            raise Http404


# ---------------------------------------------------------------- letters


class LetterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Issued 提醒函 and 工作通报 of the units in scope, each downloadable as the PDF that was
    issued; issuing one records it with its number."""

    serializer_class = LetterSerializer
    filter_backends = []

    def get_queryset(self):
        return (
            selectors.letters_visible_to(self.request.user)
            .select_related("area", "issued_by")
            .order_by("-issued_at", "-id")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        query = _valid(LetterQuerySerializer, self.request.query_params)
        if "kind" in query:
            queryset = queryset.filter(kind=query["kind"])
        if "area" in query:
            area = _area_visible(self.request.user, query["area"])
            queryset = queryset.filter(selectors.under_q(area))
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=LetterKind.values),
            OpenApiParameter("area", OpenApiTypes.INT, description="区划 id：其下各单位的文书"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def file(self, request, pk=None):
        """`GET /api/v1/letters/<id>/file.pdf`: the PDF as issued (routed in urls.py)."""
        return _pdf(self.get_object())

    @extend_schema(
        request=ReminderInputSerializer,
        responses={201: LetterSerializer},
        description="上级工作人员向超期较多的乡镇、村（社区）发提醒函（PDF，编号并留存）。",
    )
    @action(detail=False, methods=["post"])
    def reminders(self, request):
        data = _valid(ReminderInputSerializer, request.data)
        letter = services.reminder_issue(
            actor=request.user, area_id=data["area"], period=data.get("period")
        )
        return Response(LetterSerializer(letter).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=BulletinInputSerializer,
        responses={201: LetterSerializer},
        description="县级印发月度工作通报（PDF，编号并留存）；默认上个月。",
    )
    @action(detail=False, methods=["post"])
    def bulletins(self, request):
        data = _valid(BulletinInputSerializer, request.data)
        period = data.get("period") or month_of(timezone.now(), offset=-1)
        letter = services.bulletin_issue(actor=request.user, area_id=data["area"], period=period)
        return Response(LetterSerializer(letter).data, status=status.HTTP_201_CREATED)
