"""The mediation records over the API: per-case records (sessions, consultations, the
agreement and its PDF, judicial confirmation, follow-ups, the case file) and the committee,
reward and inspection registers. Cases are looked up through `Case.objects.visible_to`."""

from datetime import date, timedelta
from io import BytesIO

import django_filters
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
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
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.selectors import scope_for
from accounts.services import audit_export
from cases.choices import Category
from cases.models import Attachment, Case
from config import dates
from config.errors import InvalidInput, NotAllowed
from config.exports import XLSX_RESPONSES, xlsx_response
from grids.api import AreaBriefSerializer
from grids.models import Area

from . import selectors, services
from .choices import (
    AgreementForm,
    CommitteeKind,
    CommitteePosition,
    ConfirmationStatus,
    ConsultantKind,
    Difficulty,
    DocumentKind,
    Employment,
    FollowUpMethod,
    RemainingRisk,
    Satisfaction,
)
from .models import (
    Agreement,
    Committee,
    Consultation,
    FollowUp,
    InspectionReport,
    JudicialConfirmation,
    MediationSession,
    MediatorProfile,
    Reward,
)
from .pdf import agreement_pdf


def parse_month(value, field="month") -> date:
    """`2026-11` (or a date in that month) → the month's first day; 400 otherwise."""
    try:
        return dates.parse_month(value)
    except ValueError as error:
        raise InvalidInput(str(error), fields={field: [str(error)]})


@extend_schema_field(OpenApiTypes.STR)
class MonthField(serializers.Field):
    """A month as `YYYY-MM` in and out."""

    default_error_messages = {"invalid": "月份格式应为 YYYY-MM。"}

    def to_internal_value(self, data):
        try:
            return parse_month(data)
        except InvalidInput:
            self.fail("invalid")

    def to_representation(self, value):
        return f"{value:%Y-%m}"


class UserBriefSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(label="姓名")

    class Meta:
        model = User
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return str(user)


# ---------------------------------------------------------------- per-case records


class CaseRecordsMixin:
    """Finds the case through the scope method (absent or out of scope: 404) and says who
    may write: the assignee and the officers of the case's current level (others: 403)."""

    pagination_class = None
    filter_backends = []

    def get_case(self):
        if not hasattr(self, "_case"):
            cases = Case.objects.visible_to(self.request.user).select_related("holder")
            self._case = get_object_or_404(cases, pk=self.kwargs["case_id"])
        return self._case

    def check_write(self, case):
        if not selectors.can_write_records(self.request.user, case):
            raise NotAllowed("只有承办人和本级工作人员可以记录。")


class SessionSerializer(serializers.ModelSerializer):
    mediators = UserBriefSerializer(many=True, read_only=True)
    recorded_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = MediationSession
        fields = [
            "id",
            "held_at",
            "place",
            "mediators",
            "attendees",
            "minutes",
            "recorded_by",
            "created_at",
        ]


class SessionInputSerializer(serializers.Serializer):
    held_at = serializers.DateTimeField(label="调解时间")
    place = serializers.CharField(label="调解地点", max_length=200)
    mediators = serializers.PrimaryKeyRelatedField(
        label="调解员", many=True, required=False, queryset=User.objects.filter(is_active=True)
    )
    attendees = serializers.CharField(
        label="参加人员", required=False, allow_blank=True, max_length=2000
    )
    minutes = serializers.CharField(label="调解笔录", max_length=50000)


class SessionViewSet(CaseRecordsMixin, viewsets.GenericViewSet):
    """Mediation sessions (调解记录) of a case."""

    serializer_class = SessionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MediationSession.objects.none()
        return (
            MediationSession.objects.filter(case=self.get_case())
            .select_related("recorded_by")
            .prefetch_related("mediators")
        )

    def list(self, request, case_id):
        return Response(SessionSerializer(self.get_queryset(), many=True).data)

    def retrieve(self, request, case_id, pk):
        return Response(SessionSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(request=SessionInputSerializer, responses={201: SessionSerializer})
    def create(self, request, case_id):
        case = self.get_case()
        self.check_write(case)
        data = SessionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_record(case=case, actor=request.user, **data.validated_data)
        session = self.get_queryset().get(pk=session.pk)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class ConsultationSerializer(serializers.ModelSerializer):
    asked_by = UserBriefSerializer(read_only=True)
    consultant_kind_label = serializers.CharField(
        source="get_consultant_kind_display", read_only=True, label="咨询对象"
    )
    overdue = serializers.SerializerMethodField(label="已超期")

    class Meta:
        model = Consultation
        fields = [
            "id",
            "consultant_kind",
            "consultant_kind_label",
            "consultant_name",
            "consultant_org",
            "consultant",
            "question",
            "asked_by",
            "asked_at",
            "due_at",
            "answer",
            "answered_at",
            "overdue",
        ]

    def get_overdue(self, consultation) -> bool:
        return consultation.answered_at is None and consultation.due_at < timezone.now()


class ConsultationInputSerializer(serializers.Serializer):
    consultant_kind = serializers.ChoiceField(label="咨询对象", choices=ConsultantKind.choices)
    consultant_name = serializers.CharField(label="姓名", max_length=50)
    consultant_org = serializers.CharField(
        label="单位", max_length=100, required=False, allow_blank=True
    )
    consultant = serializers.PrimaryKeyRelatedField(
        label="系统用户", required=False, allow_null=True, queryset=User.objects.all()
    )
    question = serializers.CharField(label="咨询事项", max_length=5000)
    due_at = serializers.DateTimeField(label="答复期限")


class AnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField(label="答复意见", max_length=10000)


class ConsultationViewSet(CaseRecordsMixin, viewsets.GenericViewSet):
    """三官一律 consultations of a case."""

    serializer_class = ConsultationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Consultation.objects.none()
        return Consultation.objects.filter(case=self.get_case()).select_related("asked_by")

    def list(self, request, case_id):
        return Response(ConsultationSerializer(self.get_queryset(), many=True).data)

    def retrieve(self, request, case_id, pk):
        consultation = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(ConsultationSerializer(consultation).data)

    @extend_schema(request=ConsultationInputSerializer, responses={201: ConsultationSerializer})
    def create(self, request, case_id):
        case = self.get_case()
        self.check_write(case)
        data = ConsultationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultation = services.consultation_ask(
            case=case, actor=request.user, **data.validated_data
        )
        return Response(ConsultationSerializer(consultation).data, status=201)

    @extend_schema(request=AnswerInputSerializer, responses={200: ConsultationSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, case_id, pk):
        """Record the consultant's answer (the consultant, the assignee or an officer)."""
        case = self.get_case()
        consultation = get_object_or_404(self.get_queryset(), pk=pk)
        if consultation.consultant_id != request.user.id:
            self.check_write(case)
        data = AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultation = services.consultation_answer(
            consultation=consultation, actor=request.user, **data.validated_data
        )
        return Response(ConsultationSerializer(consultation).data)


class SignatureSerializer(serializers.Serializer):
    party = serializers.IntegerField(label="当事人")
    name = serializers.CharField(label="姓名")
    role = serializers.CharField(label="身份")
    signed_on = serializers.DateField(label="签名日期", allow_null=True)


class AgreementSerializer(serializers.ModelSerializer):
    form_label = serializers.CharField(source="get_form_display", read_only=True, label="协议形式")
    mediator = UserBriefSerializer(read_only=True)
    committee_name = serializers.CharField(
        source="committee.name", read_only=True, default="", label="调解组织"
    )
    signatures = serializers.SerializerMethodField(label="当事人签名")
    follow_up_due = serializers.SerializerMethodField(label="首次回访期限")
    pdf_url = serializers.SerializerMethodField(label="协议书 PDF")

    class Meta:
        model = Agreement
        fields = [
            "id",
            "number",
            "form",
            "form_label",
            "committee",
            "committee_name",
            "mediator",
            "facts",
            "responsibilities",
            "terms",
            "performance_method",
            "perform_by",
            "reached_on",
            "signatures",
            "mediator_signed_on",
            "sealed_on",
            "effective_on",
            "follow_up_due",
            "pdf_url",
            "updated_at",
        ]

    def get_signatures(self, agreement) -> list[dict]:
        signed = {s.party_id: s.signed_on for s in agreement.signatures.all()}
        return [
            {
                "party": party.id,
                "name": party.name,
                "role": party.get_role_display(),
                "signed_on": signed.get(party.id),
            }
            for party in agreement.case.parties.all()
        ]

    def get_follow_up_due(self, agreement) -> str | None:
        due = selectors.follow_up_due(agreement.case)
        return due.isoformat() if due is not None else None

    def get_pdf_url(self, agreement) -> str:
        return f"/api/v1/cases/{agreement.case_id}/agreement.pdf"


class AgreementInputSerializer(serializers.Serializer):
    form = serializers.ChoiceField(label="协议形式", choices=AgreementForm.choices)
    terms = serializers.CharField(label="协议内容", max_length=20000, allow_blank=True)
    perform_by = serializers.DateField(label="履行期限", required=False, allow_null=True)
    facts = serializers.CharField(
        label="纠纷事实及争议事项", max_length=20000, required=False, allow_blank=True
    )
    responsibilities = serializers.CharField(
        label="各方责任", max_length=20000, required=False, allow_blank=True
    )
    performance_method = serializers.CharField(
        label="履行方式", max_length=5000, required=False, allow_blank=True
    )
    committee = serializers.PrimaryKeyRelatedField(
        label="调解组织", required=False, allow_null=True, queryset=Committee.objects.all()
    )
    mediator = serializers.PrimaryKeyRelatedField(
        label="调解员", required=False, allow_null=True, queryset=User.objects.all()
    )


class PartySignatureInputSerializer(serializers.Serializer):
    party = serializers.IntegerField(label="当事人")
    signed_on = serializers.DateField(label="签名日期")


class SignInputSerializer(serializers.Serializer):
    parties = PartySignatureInputSerializer(label="当事人签名", many=True, required=False)
    mediator_signed_on = serializers.DateField(label="调解员签名日期", required=False)
    sealed_on = serializers.DateField(label="调委会盖章日期", required=False)


class AgreementViewSet(CaseRecordsMixin, viewsets.GenericViewSet):
    """The case's agreement (调解协议): read, record or revise, sign, print."""

    serializer_class = AgreementSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Agreement.objects.none()
        return Agreement.objects.filter(case=self.get_case())

    def get_agreement(self):
        case = self.get_case()
        queryset = Agreement.objects.select_related(
            "case", "case__holder", "mediator", "committee"
        ).prefetch_related("signatures", "case__parties")
        return get_object_or_404(queryset, case=case)

    def retrieve(self, request, case_id):
        return Response(AgreementSerializer(self.get_agreement()).data)

    @extend_schema(request=AgreementInputSerializer, responses={200: AgreementSerializer})
    def update(self, request, case_id):
        case = self.get_case()
        self.check_write(case)
        data = AgreementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if v is not None}
        services.agreement_save(case=case, actor=request.user, **values)
        return Response(AgreementSerializer(self.get_agreement()).data)

    @extend_schema(request=SignInputSerializer, responses={200: AgreementSerializer})
    def sign(self, request, case_id):
        case = self.get_case()
        self.check_write(case)
        data = SignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.agreement_sign(
            agreement=self.get_agreement(),
            actor=request.user,
            parties={row["party"]: row["signed_on"] for row in values.get("parties", [])},
            mediator_signed_on=values.get("mediator_signed_on"),
            sealed_on=values.get("sealed_on"),
        )
        return Response(AgreementSerializer(self.get_agreement()).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def pdf(self, request, case_id):
        """The agreement as a 人民调解协议书 PDF, its Chinese font embedded."""
        agreement = self.get_agreement()
        response = HttpResponse(agreement_pdf(agreement), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="agreement-{agreement.case.number}.pdf"; '
            f"filename*=UTF-8''%E8%B0%83%E8%A7%A3%E5%8D%8F%E8%AE%AE%E4%B9%A6-{agreement.case.number}.pdf"
        )
        return response


class ConfirmationSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True, label="状态")
    last_day = serializers.SerializerMethodField(label="申请截止日")

    class Meta:
        model = JudicialConfirmation
        fields = [
            "id",
            "status",
            "status_label",
            "opened_on",
            "remind_at",
            "due_at",
            "last_day",
            "court",
            "applied_on",
            "result_on",
            "ruling_number",
            "note",
        ]

    def get_last_day(self, confirmation) -> date:
        return timezone.localdate(confirmation.due_at) - timedelta(days=1)


class ConfirmationApplyInputSerializer(serializers.Serializer):
    court = serializers.CharField(label="受理法院", max_length=100)
    applied_on = serializers.DateField(label="申请日期")


class ConfirmationResultInputSerializer(serializers.Serializer):
    result = serializers.ChoiceField(
        label="结果",
        choices=[
            (ConfirmationStatus.CONFIRMED, ConfirmationStatus.CONFIRMED.label),
            (ConfirmationStatus.REJECTED, ConfirmationStatus.REJECTED.label),
        ],
    )
    result_on = serializers.DateField(label="裁定日期")
    ruling_number = serializers.CharField(
        label="裁定书文号", max_length=64, required=False, allow_blank=True
    )
    note = serializers.CharField(label="备注", max_length=2000, required=False, allow_blank=True)


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(label="说明", max_length=2000, required=False, allow_blank=True)


class ConfirmationViewSet(CaseRecordsMixin, viewsets.GenericViewSet):
    """Judicial confirmation (司法确认) of the case's agreement and its 30-day window."""

    serializer_class = ConfirmationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return JudicialConfirmation.objects.none()
        return JudicialConfirmation.objects.filter(case=self.get_case())

    def _confirmation(self):
        return get_object_or_404(JudicialConfirmation, case=self.get_case())

    def retrieve(self, request, case_id):
        return Response(ConfirmationSerializer(self._confirmation()).data)

    def _act(self, request, service, input_serializer):
        case = self.get_case()
        self.check_write(case)
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        confirmation = service(case=case, actor=request.user, **data.validated_data)
        return Response(ConfirmationSerializer(confirmation).data)

    @extend_schema(request=ConfirmationApplyInputSerializer, responses=ConfirmationSerializer)
    def apply(self, request, case_id):
        return self._act(request, services.confirmation_apply, ConfirmationApplyInputSerializer)

    @extend_schema(request=ConfirmationResultInputSerializer, responses=ConfirmationSerializer)
    def result(self, request, case_id):
        return self._act(request, services.confirmation_result, ConfirmationResultInputSerializer)

    @extend_schema(request=NoteInputSerializer, responses=ConfirmationSerializer)
    def decline(self, request, case_id):
        return self._act(request, services.confirmation_decline, NoteInputSerializer)


class FollowUpSerializer(serializers.ModelSerializer):
    method_label = serializers.CharField(source="get_method_display", read_only=True, label="方式")
    satisfaction_label = serializers.CharField(
        source="get_satisfaction_display", read_only=True, label="满意度"
    )
    recorded_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "method",
            "method_label",
            "performed_on",
            "performed",
            "satisfaction",
            "satisfaction_label",
            "remaining_risk",
            "note",
            "recorded_by",
            "created_at",
        ]


class FollowUpCreatedSerializer(FollowUpSerializer):
    reopen_offered = serializers.SerializerMethodField(label="可重新调解")
    next_actions = serializers.SerializerMethodField(label="可进行的操作")

    class Meta(FollowUpSerializer.Meta):
        fields = [*FollowUpSerializer.Meta.fields, "reopen_offered", "next_actions"]

    def _reopen(self, follow_up) -> bool:
        return not follow_up.performed and follow_up.case.status == "resolved"

    def get_reopen_offered(self, follow_up) -> bool:
        return self._reopen(follow_up)

    def get_next_actions(self, follow_up) -> list[dict]:
        base = f"/api/v1/cases/{follow_up.case_id}"
        if self._reopen(follow_up):
            return [{"action": "reopen", "label": "协议未履行，重新调解", "url": f"{base}/reopen/"}]
        if follow_up.case.status == "resolved":
            return [{"action": "close", "label": "回访完成，结案", "url": f"{base}/close/"}]
        return []


class FollowUpInputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(label="回访方式", choices=FollowUpMethod.choices)
    performed = serializers.BooleanField(label="协议已履行")
    satisfaction = serializers.ChoiceField(label="满意度", choices=Satisfaction.choices)
    remaining_risk = serializers.ChoiceField(
        label="遗留风险", choices=RemainingRisk.choices, required=False
    )
    note = serializers.CharField(
        label="回访情况", max_length=5000, required=False, allow_blank=True
    )
    performed_on = serializers.DateField(label="回访日期", required=False)


class FollowUpViewSet(CaseRecordsMixin, viewsets.GenericViewSet):
    """Follow-ups (回访) of a case; a "not performed" answer offers `reopen`."""

    serializer_class = FollowUpSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FollowUp.objects.none()
        return FollowUp.objects.filter(case=self.get_case()).select_related("recorded_by")

    def list(self, request, case_id):
        return Response(FollowUpSerializer(self.get_queryset(), many=True).data)

    @extend_schema(request=FollowUpInputSerializer, responses={201: FollowUpCreatedSerializer})
    def create(self, request, case_id):
        case = self.get_case()
        self.check_write(case)
        data = FollowUpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = services.follow_up_record(case=case, actor=request.user, **data.validated_data)
        follow_up.case = case
        return Response(FollowUpCreatedSerializer(follow_up).data, status=201)


class FileItemSerializer(serializers.Serializer):
    key = serializers.CharField(label="材料")
    label = serializers.CharField(label="名称")
    required = serializers.BooleanField(label="必备")
    present = serializers.BooleanField(label="已具备")
    detail = serializers.CharField(label="说明")


class CaseFileSerializer(serializers.Serializer):
    case_id = serializers.IntegerField(label="案件")
    complete = serializers.BooleanField(label="卷宗齐全")
    items = FileItemSerializer(many=True, label="材料清单")
    missing = serializers.SerializerMethodField(label="缺少的材料")
    documents = serializers.SerializerMethodField(label="已归档材料")

    def get_missing(self, file) -> list[str]:
        return [item.key for item in file.missing]

    def get_documents(self, file) -> list[dict]:
        return self.context.get("documents", [])


class DocumentInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(label="材料类型", choices=DocumentKind.choices)
    attachment = serializers.IntegerField(label="附件", required=False, allow_null=True)
    note = serializers.CharField(label="说明", max_length=200, required=False, allow_blank=True)


class CaseFileViewSet(CaseRecordsMixin, viewsets.GenericViewSet):
    """The case file (一案一卷): the checklist derived from the records, and filing papers."""

    serializer_class = CaseFileSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return Case.objects.visible_to(self.request.user).filter(pk=self.get_case().pk)

    def _answer(self, case, status_code=200):
        documents = [
            {
                "id": d.id,
                "kind": d.kind,
                "label": d.get_kind_display(),
                "attachment": d.attachment_id,
                "note": d.note,
                "recorded_at": d.recorded_at.isoformat(),
            }
            for d in case.file_documents.all()
        ]
        serializer = CaseFileSerializer(selectors.case_file(case), context={"documents": documents})
        return Response(serializer.data, status=status_code)

    def retrieve(self, request, case_id):
        return self._answer(self.get_case())

    @extend_schema(request=DocumentInputSerializer, responses={201: CaseFileSerializer})
    def add_document(self, request, case_id):
        case = self.get_case()
        self.check_write(case)
        data = DocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        attachment_id = values.pop("attachment", None)
        attachment = None
        if attachment_id is not None:
            attachment = Attachment.objects.filter(pk=attachment_id, case=case).first()
            if attachment is None:
                raise InvalidInput("附件不属于本案。", fields={"attachment": ["附件不属于本案。"]})
        services.document_record(case=case, actor=request.user, attachment=attachment, **values)
        return self._answer(case, status.HTTP_201_CREATED)


# ---------------------------------------------------------------- committees


class MemberSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    employment_label = serializers.CharField(
        source="get_employment_display", read_only=True, label="专兼职"
    )
    position_label = serializers.CharField(
        source="get_position_display", read_only=True, label="职务"
    )

    class Meta:
        model = MediatorProfile
        fields = [
            "id",
            "user",
            "position",
            "position_label",
            "employment",
            "employment_label",
            "specialty",
            "certified",
            "title",
            "active",
            "joined_on",
        ]


class CommitteeSerializer(serializers.ModelSerializer):
    area = AreaBriefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, label="类型")
    member_count = serializers.IntegerField(read_only=True, label="调解员人数")

    class Meta:
        model = Committee
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "area",
            "category",
            "parent",
            "phone",
            "address",
            "active",
            "member_count",
        ]


class CommitteeInputSerializer(serializers.Serializer):
    name = serializers.CharField(label="名称", max_length=100)
    kind = serializers.ChoiceField(label="类型", choices=CommitteeKind.choices)
    area = serializers.PrimaryKeyRelatedField(label="所属区划", queryset=Area.objects.all())
    category = serializers.ChoiceField(
        label="专业领域", choices=Category.choices, required=False, allow_blank=True
    )
    parent = serializers.PrimaryKeyRelatedField(
        label="所属调委会", required=False, allow_null=True, queryset=Committee.objects.all()
    )
    phone = serializers.CharField(label="联系电话", max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(label="地址", max_length=200, required=False, allow_blank=True)


class CommitteeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(label="名称", max_length=100, required=False)
    phone = serializers.CharField(label="联系电话", max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(label="地址", max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(label="在用", required=False)


class MemberInputSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(label="调解员", queryset=User.objects.all())
    position = serializers.ChoiceField(
        label="职务", choices=CommitteePosition.choices, required=False
    )
    employment = serializers.ChoiceField(label="专兼职", choices=Employment.choices, required=False)
    specialty = serializers.CharField(label="擅长领域", max_length=100, required=False)
    certified = serializers.BooleanField(label="持证上岗", required=False)
    title = serializers.CharField(label="荣誉称号", max_length=100, required=False)
    active = serializers.BooleanField(label="在职", required=False)
    joined_on = serializers.DateField(label="聘任日期", required=False, allow_null=True)


class CommitteeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CommitteeKind.choices)
    area = django_filters.NumberFilter(method="filter_area", label="区划（含下级）")
    active = django_filters.BooleanFilter()

    class Meta:
        model = Committee
        fields = ["kind", "area", "active"]

    def filter_area(self, queryset, name, value):
        area = Area.objects.filter(pk=value).first()
        if area is None:
            return queryset.none()
        return queryset.filter(area__code__startswith=area.prefix)


class CommitteeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Mediation committees and studios in the user's areas, and their mediators."""

    serializer_class = CommitteeSerializer
    filterset_class = CommitteeFilter

    def get_queryset(self):
        return selectors.committees_visible_to(self.request.user).annotate(
            member_count=Count("members")
        )

    def _user_visible(self, user):
        return (
            scope_for(self.request.user).is_superuser
            or user.roles.filter(area__in=scope_for(self.request.user).areas_queryset()).exists()
        )

    @extend_schema(request=CommitteeInputSerializer, responses={201: CommitteeSerializer})
    def create(self, request):
        data = CommitteeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if not scope_for(request.user).covers(values["area"]):
            raise InvalidInput("区划不存在。", fields={"area": ["区划不存在。"]})
        committee = services.committee_create(actor=request.user, **values)
        return Response(CommitteeSerializer(self.get_queryset().get(pk=committee.pk)).data, 201)

    @extend_schema(request=CommitteeUpdateSerializer, responses={200: CommitteeSerializer})
    def partial_update(self, request, pk=None):
        committee = self.get_object()
        data = CommitteeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.committee_update(committee=committee, actor=request.user, **data.validated_data)
        return Response(CommitteeSerializer(self.get_queryset().get(pk=committee.pk)).data)

    @extend_schema(methods=["get"], responses={200: MemberSerializer(many=True)}, request=None)
    @extend_schema(
        methods=["post"], request=MemberInputSerializer, responses={201: MemberSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def members(self, request, pk=None):
        """The committee's mediators; POST adds or updates one."""
        committee = self.get_object()
        if request.method == "GET":
            members = committee.members.select_related("user").order_by("id")
            return Response(MemberSerializer(members, many=True).data)
        data = MemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = values.pop("user")
        if not self._user_visible(user):
            raise InvalidInput("用户不存在。", fields={"user": ["用户不存在。"]})
        profile = services.member_save(committee=committee, actor=request.user, user=user, **values)
        return Response(MemberSerializer(profile).data, status=201)

    @extend_schema(
        parameters=[OpenApiParameter("area", int, required=True, description="承办单位区划")],
        responses={200: UserBriefSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def mediators(self, request):
        """Who may be assigned a case held at `area`."""
        try:
            area_id = int(request.query_params.get("area", ""))
        except ValueError:
            raise InvalidInput("须指定区划。", fields={"area": ["须指定区划。"]})
        area = get_object_or_404(scope_for(request.user).areas_queryset(), pk=area_id)
        return Response(UserBriefSerializer(selectors.mediators_for(area), many=True).data)


# ---------------------------------------------------------------- rewards


class RewardSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True, label="案件编号")
    case_title = serializers.CharField(source="case.title", read_only=True, label="案件名称")
    mediator = UserBriefSerializer(read_only=True)
    committee_name = serializers.CharField(
        source="committee.name", read_only=True, default="", label="调解组织"
    )
    difficulty_label = serializers.CharField(
        source="get_difficulty_display", read_only=True, label="难易程度"
    )
    month = MonthField(read_only=True, label="所属月份")

    class Meta:
        model = Reward
        fields = [
            "id",
            "case",
            "case_number",
            "case_title",
            "mediator",
            "committee",
            "committee_name",
            "difficulty",
            "difficulty_label",
            "amount",
            "month",
            "claimed_at",
        ]


class RewardInputSerializer(serializers.Serializer):
    case = serializers.IntegerField(label="案件")
    difficulty = serializers.ChoiceField(label="难易程度", choices=Difficulty.choices)


class RewardFilter(django_filters.FilterSet):
    month = django_filters.CharFilter(method="filter_month", label="月份 YYYY-MM")
    mediator = django_filters.NumberFilter(field_name="mediator_id")
    committee = django_filters.NumberFilter(field_name="committee_id")

    class Meta:
        model = Reward
        fields = ["month", "mediator", "committee"]

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=parse_month(value))


def rewards_visible_to(user):
    """Rewards of cases under the user's (non-grid) roles."""
    scope = scope_for(user)
    queryset = Reward.objects.select_related("case", "mediator", "committee")
    if scope.is_superuser:
        return queryset
    from django.db.models import Q

    condition = Q(pk__in=[])
    for area in scope.areas("mediator", "officer", "viewer", "admin"):
        if area.level != "grid":
            condition |= Q(**{f"{area.level}_id": area.id})
    return queryset.filter(condition)


def reward_sheet(queryset, month: date) -> dict:
    """The month's rewards summed per mediator and per committee."""
    rows = queryset.filter(month=month)
    by_mediator = (
        rows.values("mediator_id", "mediator__display_name", "mediator__username")
        .annotate(cases=Count("id"), amount=Sum("amount"))
        .order_by("-amount", "mediator_id")
    )
    by_committee = (
        rows.values("committee_id", "committee__name")
        .annotate(cases=Count("id"), amount=Sum("amount"))
        .order_by("-amount", "committee_id")
    )
    mediators = [
        {
            "mediator": r["mediator_id"],
            "name": r["mediator__display_name"] or r["mediator__username"],
            "cases": r["cases"],
            "amount": r["amount"],
        }
        for r in by_mediator
    ]
    committees = [
        {
            "committee": r["committee_id"],
            "name": r["committee__name"] or "（未归属调解组织）",
            "cases": r["cases"],
            "amount": r["amount"],
        }
        for r in by_committee
    ]
    total = sum((r["amount"] for r in mediators), start=0)
    return {
        "month": f"{month:%Y-%m}",
        "mediators": mediators,
        "committees": committees,
        "cases": sum(r["cases"] for r in mediators),
        "total": total,
    }


SHEET_SCHEMA = inline_serializer(
    "RewardSheet",
    {
        "month": serializers.CharField(label="月份"),
        "mediators": serializers.ListField(child=serializers.DictField(), label="按调解员"),
        "committees": serializers.ListField(child=serializers.DictField(), label="按调解组织"),
        "cases": serializers.IntegerField(label="案件数"),
        "total": serializers.DecimalField(max_digits=12, decimal_places=2, label="合计（元）"),
    },
)
MONTH_PARAM = OpenApiParameter("month", str, required=True, description="月份，YYYY-MM")


class RewardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """以奖代补: awards per concluded case with a complete file, and the monthly sheet."""

    serializer_class = RewardSerializer
    filterset_class = RewardFilter

    def get_queryset(self):
        return rewards_visible_to(self.request.user)

    @extend_schema(request=RewardInputSerializer, responses={201: RewardSerializer})
    def create(self, request):
        data = RewardInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = get_object_or_404(
            Case.objects.visible_to(request.user).select_related("holder"),
            pk=data.validated_data["case"],
        )
        if not selectors.can_write_records(request.user, case):
            raise NotAllowed("只有承办人和本级工作人员可以申报以奖代补。")
        reward = services.reward_claim(
            case=case, actor=request.user, difficulty=data.validated_data["difficulty"]
        )
        return Response(RewardSerializer(self.get_queryset().get(pk=reward.pk)).data, 201)

    @extend_schema(parameters=[MONTH_PARAM], responses={200: SHEET_SCHEMA})
    @action(detail=False, methods=["get"])
    def sheet(self, request):
        """The month's reward sheet per mediator and per committee."""
        month = parse_month(request.query_params.get("month"))
        return Response(reward_sheet(self.get_queryset(), month))


class RewardSheetExportView(APIView):
    """The month's reward sheet as an Excel workbook."""

    @extend_schema(parameters=[MONTH_PARAM], responses=XLSX_RESPONSES)
    def get(self, request):
        from openpyxl import Workbook
        from openpyxl.styles import Font

        month = parse_month(request.query_params.get("month"))
        sheet = reward_sheet(rewards_visible_to(request.user), month)
        audit_export(
            actor=request.user,
            what=f"以奖代补发放表 {month:%Y-%m}",
            params=dict(request.query_params.items()),
            rows=sheet["cases"],
        )
        book = Workbook()
        first = book.active
        first.title = "按调解员"
        bold = Font(bold=True)
        title = f"{month.year}年{month.month}月以奖代补发放表"
        for ws, key, head in (
            (first, "mediators", "调解员"),
            (book.create_sheet("按调解组织"), "committees", "调解组织"),
        ):
            ws.append([title])
            ws["A1"].font = Font(bold=True, size=14)
            ws.append(["序号", head, "案件数", "金额（元）"])
            for cell in ws[2]:
                cell.font = bold
            for index, row in enumerate(sheet[key], start=1):
                ws.append([index, row["name"], row["cases"], float(row["amount"])])
            ws.append(["合计", "", sheet["cases"], float(sheet["total"])])
            ws.column_dimensions["B"].width = 28
            ws.column_dimensions["D"].width = 14
        detail = book.create_sheet("明细")
        detail.append(["案件编号", "案件名称", "调解员", "调解组织", "难易程度", "金额（元）"])
        for reward in rewards_visible_to(request.user).filter(month=month).order_by("id"):
            detail.append(
                [
                    reward.case.number,
                    reward.case.title,
                    str(reward.mediator),
                    reward.committee.name if reward.committee else "",
                    reward.get_difficulty_display(),
                    float(reward.amount),
                ]
            )
        buffer = BytesIO()
        book.save(buffer)
        return xlsx_response(buffer.getvalue(), f"rewards-{month:%Y-%m}.xlsx")


# ---------------------------------------------------------------- inspection reports


class InspectionSerializer(serializers.ModelSerializer):
    grid = AreaBriefSerializer(read_only=True)
    period = MonthField(read_only=True, label="排查月份")
    reporter = UserBriefSerializer(read_only=True)
    cases = serializers.SerializerMethodField(label="排查发现的纠纷")

    class Meta:
        model = InspectionReport
        fields = ["id", "grid", "period", "zero", "cases", "note", "reporter", "submitted_at"]

    def get_cases(self, report) -> list[dict]:
        return [{"id": c.id, "number": c.number, "title": c.title} for c in report.cases.all()]


class InspectionInputSerializer(serializers.Serializer):
    grid = serializers.IntegerField(label="网格")
    period = MonthField(label="排查月份")
    zero = serializers.BooleanField(label="零上报")
    cases = serializers.ListField(
        label="排查发现的纠纷", child=serializers.IntegerField(), required=False, max_length=200
    )
    note = serializers.CharField(
        label="排查情况", max_length=5000, required=False, allow_blank=True
    )


class InspectionFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(method="filter_period", label="月份 YYYY-MM")
    grid = django_filters.NumberFilter(field_name="grid_id")
    zero = django_filters.BooleanFilter()

    class Meta:
        model = InspectionReport
        fields = ["period", "grid", "zero"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(period=parse_month(value, "period"))


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Grid inspection reports (排查/零上报), one per grid per month."""

    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter

    def get_queryset(self):
        return selectors.inspections_visible_to(self.request.user).prefetch_related("cases")

    @extend_schema(request=InspectionInputSerializer, responses={201: InspectionSerializer})
    def create(self, request):
        data = InspectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        grid = get_object_or_404(scope_for(request.user).areas_queryset(), pk=values.pop("grid"))
        case_ids = set(values.pop("cases", []))
        cases = list(Case.objects.visible_to(request.user).filter(pk__in=case_ids))
        if len(cases) != len(case_ids):
            raise InvalidInput("案件不存在。", fields={"cases": ["案件不存在。"]})
        report = services.inspection_file(grid=grid, actor=request.user, cases=cases, **values)
        return Response(InspectionSerializer(self.get_queryset().get(pk=report.pk)).data, 201)

    @extend_schema(
        parameters=[
            OpenApiParameter("area", int, required=True, description="区划"),
            OpenApiParameter("period", str, required=True, description="月份，YYYY-MM"),
        ],
        responses={
            200: inline_serializer(
                "InspectionCoverage",
                {
                    "grids_with_report": serializers.IntegerField(label="已上报网格数"),
                    "grids_total": serializers.IntegerField(label="网格总数"),
                    "coverage": serializers.FloatField(label="覆盖率"),
                },
            )
        },
    )
    @action(detail=False, methods=["get"])
    def coverage(self, request):
        """Share of the area's grids that filed a report (zero reports count) in a month."""
        month = parse_month(request.query_params.get("period"), "period")
        try:
            area_id = int(request.query_params.get("area", ""))
        except ValueError:
            raise InvalidInput("须指定区划。", fields={"area": ["须指定区划。"]})
        area = get_object_or_404(scope_for(request.user).areas_queryset(), pk=area_id)
        with_report, total = selectors.inspection_coverage(area, month, month)
        return Response(
            {
                "grids_with_report": with_report,
                "grids_total": total,
                "coverage": round(with_report / total, 4) if total else None,
            }
        )
