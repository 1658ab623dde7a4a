"""The per-case mediation records over the API: sessions, consultations, the agreement and its
PDF, judicial confirmation, follow-ups and the case file."""

from datetime import date, timedelta

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from cases.choices import Status
from cases.models import Case

from .. import deadlines, selectors, services
from ..agreements import missing_marks
from ..choices import (
    AgreementForm,
    ConfirmationStatus,
    ConsultantKind,
    DocumentKind,
    FollowUpMethod,
    PerformanceRoute,
    RejectionRoute,
    RemainingRisk,
    Satisfaction,
)
from ..models import (
    Agreement,
    Committee,
    Consultation,
    FollowUp,
    JudicialConfirmation,
    MediationSession,
)
from .common import CaseRecordsMixin, UserBriefSerializer


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
            MediationSession.objects.filter(case=self.case)
            .select_related("recorded_by")
            .prefetch_related("mediators")
        )

    def list(self, request, case_id):
        return Response(SessionSerializer(self.get_queryset(), many=True).data)

    def retrieve(self, request, case_id, pk):
        return Response(SessionSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(request=SessionInputSerializer, responses={201: SessionSerializer})
    def create(self, request, case_id):
        self.check_write("session")
        data = SessionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_record(
            actor=request.user, case_id=self.case.pk, **data.validated_data
        )
        session = self.get_queryset().get(pk=session.pk)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class ConsultationSerializer(serializers.ModelSerializer):
    asked_by = UserBriefSerializer(read_only=True)
    consultant_kind_label = serializers.CharField(
        source="get_consultant_kind_display", read_only=True, label="咨询对象"
    )
    overdue = serializers.SerializerMethodField(label="已超期")
    outside_system = serializers.SerializerMethodField(label="系统外人员")

    class Meta:
        model = Consultation
        fields = [
            "id",
            "consultant_kind",
            "consultant_kind_label",
            "consultant_name",
            "consultant_org",
            "consultant",
            "outside_system",
            "question",
            "asked_by",
            "asked_at",
            "due_at",
            "answer",
            "answered_at",
            "overdue",
        ]

    def get_overdue(self, consultation) -> bool:
        return deadlines.consultation_overdue(consultation, timezone.now())

    def get_outside_system(self, consultation) -> bool:
        """A consultant named in free text (a 乡贤, a lawyer not in the system): no account
        answers for them, the handler records their opinion."""
        return consultation.consultant_id is None


class ConsultationInputSerializer(serializers.Serializer):
    consultant_kind = serializers.ChoiceField(label="咨询对象", choices=ConsultantKind.choices)
    member = serializers.IntegerField(
        label="联动单位人员", required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )
    consultant_name = serializers.CharField(
        label="姓名", max_length=50, required=False, allow_blank=True, default=""
    )
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
        return Consultation.objects.filter(case=self.case).select_related("asked_by")

    def list(self, request, case_id):
        return Response(ConsultationSerializer(self.get_queryset(), many=True).data)

    def retrieve(self, request, case_id, pk):
        consultation = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(ConsultationSerializer(consultation).data)

    @extend_schema(request=ConsultationInputSerializer, responses={201: ConsultationSerializer})
    def create(self, request, case_id):
        self.check_write("consultation")
        data = ConsultationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultation = services.consultation_ask(
            actor=request.user, case_id=self.case.pk, **data.validated_data
        )
        return Response(ConsultationSerializer(consultation).data, status=201)

    @extend_schema(request=AnswerInputSerializer, responses={200: ConsultationSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, case_id, pk):
        """Record the consultant's answer (the consultant, the assignee or an officer)."""
        consultation = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_write("answer", consultant_id=consultation.consultant_id)
        data = AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultation = services.consultation_answer(
            actor=request.user,
            case_id=self.case.pk,
            consultation_id=consultation.pk,
            **data.validated_data,
        )
        return Response(ConsultationSerializer(consultation).data)


class SignatureSerializer(serializers.Serializer):
    party = serializers.IntegerField(label="当事人")
    name = serializers.CharField(label="姓名")
    role = serializers.CharField(label="身份")
    signed_on = serializers.DateField(label="签名日期", allow_null=True)
    on_screen = serializers.BooleanField(label="屏幕签名")


class AgreementSerializer(serializers.ModelSerializer):
    form_label = serializers.CharField(source="get_form_display", read_only=True, label="协议形式")
    mediator = UserBriefSerializer(read_only=True)
    committee_name = serializers.CharField(
        source="committee.name", read_only=True, default="", label="调解组织"
    )
    signatures = serializers.SerializerMethodField(label="当事人签名")
    missing = serializers.SerializerMethodField(label="生效尚缺")
    signed_sheet = serializers.PrimaryKeyRelatedField(read_only=True, label="签字协议书照片")
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
            "signed_sheet",
            "effective_on",
            "missing",
            "follow_up_due",
            "pdf_url",
            "updated_at",
        ]

    def get_signatures(self, agreement) -> list[dict]:
        signed = {s.party_id: s for s in agreement.signatures.all()}
        return [
            {
                "party": party.id,
                "name": party.name,
                "role": party.get_role_display(),
                "signed_on": signed[party.id].signed_on if party.id in signed else None,
                "on_screen": party.id in signed and signed[party.id].image is not None,
            }
            for party in agreement.case.parties.all()
        ]

    def get_missing(self, agreement) -> list[str]:
        return missing_marks(agreement)

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
    signed_on = serializers.DateField(label="签名日期", required=False)
    image = serializers.CharField(
        label="屏幕签名（PNG data URL）", required=False, max_length=400_000
    )

    def validate(self, attrs):
        if "signed_on" not in attrs and "image" not in attrs:
            raise serializers.ValidationError("须填写签名日期或在屏幕上签名。")
        return attrs


class SignInputSerializer(serializers.Serializer):
    parties = PartySignatureInputSerializer(label="当事人签名", many=True, required=False)
    mediator_signed_on = serializers.DateField(label="调解员签名日期", required=False)
    mediator_image = serializers.CharField(
        label="调解员屏幕签名（PNG data URL）", required=False, max_length=400_000
    )
    sealed_on = serializers.DateField(label="调委会盖章日期", required=False)
    sheet = serializers.IntegerField(label="签字协议书照片（附件）", required=False, min_value=1)


class AgreementViewSet(CaseRecordsMixin, viewsets.GenericViewSet):
    """The case's agreement (调解协议): read, record or revise, sign, print."""

    serializer_class = AgreementSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Agreement.objects.none()
        return Agreement.objects.filter(case=self.case)

    def get_agreement(self):
        case = self.case
        queryset = Agreement.objects.select_related(
            "case", "case__holder", "mediator", "committee"
        ).prefetch_related("signatures", "case__parties")
        return get_object_or_404(queryset, case=case)

    def retrieve(self, request, case_id):
        return Response(AgreementSerializer(self.get_agreement()).data)

    @extend_schema(request=AgreementInputSerializer, responses={200: AgreementSerializer})
    def update(self, request, case_id):
        self.check_write("agreement")
        data = AgreementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if v is not None}
        services.agreement_save(actor=request.user, case_id=self.case.pk, **values)
        return Response(AgreementSerializer(self.get_agreement()).data)

    @extend_schema(request=SignInputSerializer, responses={200: AgreementSerializer})
    def sign(self, request, case_id):
        self.check_write("sign")
        data = SignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        rows = values.get("parties", [])
        services.agreement_sign(
            actor=request.user,
            case_id=self.case.pk,
            parties={row["party"]: row["signed_on"] for row in rows if "signed_on" in row},
            party_images={row["party"]: row["image"] for row in rows if "image" in row},
            mediator_signed_on=values.get("mediator_signed_on"),
            mediator_image=values.get("mediator_image"),
            sealed_on=values.get("sealed_on"),
            sheet_attachment_id=values.get("sheet"),
        )
        return Response(AgreementSerializer(self.get_agreement()).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "copy",
                str,
                enum=["archive", "parties"],
                description="archive: 存档本（身份信息脱敏）；parties: 当事人签署本（完整身份信息，记入审计）",
            )
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def pdf(self, request, case_id):
        """The agreement as a 人民调解协议书 PDF, its Chinese font embedded: the archive copy,
        or (`?copy=parties`) the parties' copy with full identities, an audited reveal."""
        copy = request.query_params.get("copy", "archive")
        agreement, body = services.agreement_print(
            actor=request.user, case_id=self.case.pk, copy=copy
        )
        response = HttpResponse(body, content_type="application/pdf")
        number = agreement.case.number
        response["Content-Disposition"] = (
            f'inline; filename="agreement-{number}-{copy}.pdf"; '
            f"filename*=UTF-8''%E8%B0%83%E8%A7%A3%E5%8D%8F%E8%AE%AE%E4%B9%A6-{number}-{copy}.pdf"
        )
        if copy != "archive":
            response["Cache-Control"] = "no-store"
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
            "applicants",
            "applied_on",
            "result_on",
            "ruling_number",
            "route",
            "note",
        ]

    def get_last_day(self, confirmation) -> date:
        return timezone.localdate(confirmation.due_at) - timedelta(days=1)


class ConfirmationApplyInputSerializer(serializers.Serializer):
    court = serializers.CharField(label="受理法院", max_length=100)
    applied_on = serializers.DateField(label="申请日期")
    applicants = serializers.ListField(
        label="共同申请的当事人", child=serializers.IntegerField(min_value=1), max_length=50
    )


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
    route = serializers.ChoiceField(
        label="驳回后的处理", choices=RejectionRoute.choices, required=False, allow_blank=True
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
        return JudicialConfirmation.objects.filter(case=self.case)

    def _confirmation(self):
        return get_object_or_404(JudicialConfirmation, case=self.case)

    def retrieve(self, request, case_id):
        return Response(ConfirmationSerializer(self._confirmation()).data)

    def _act(self, request, service, input_serializer):
        self.check_write("confirmation")
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        confirmation = service(actor=request.user, case_id=self.case.pk, **data.validated_data)
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
        return not follow_up.performed and follow_up.case.status == Status.RESOLVED

    def get_reopen_offered(self, follow_up) -> bool:
        return self._reopen(follow_up)

    def get_next_actions(self, follow_up) -> list[dict]:
        base = f"/api/v1/cases/{follow_up.case_id}"
        if self._reopen(follow_up):
            route = f"{base}/follow-ups/route/"
            return [
                {"action": "reopen", "label": "协议未履行，重新调解", "url": f"{base}/reopen/"},
                {"action": "route", "route": "court", "label": "引导向人民法院起诉", "url": route},
                {"action": "route", "route": "arbitration", "label": "引导申请仲裁", "url": route},
            ]
        if follow_up.case.status == Status.RESOLVED:
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
    performed_on = serializers.DateField(label="回访日期")


class RouteInputSerializer(serializers.Serializer):
    route = serializers.ChoiceField(label="引导途径", choices=PerformanceRoute.choices)
    note = serializers.CharField(label="说明", max_length=2000, required=False, allow_blank=True)


class FollowUpViewSet(CaseRecordsMixin, viewsets.GenericViewSet):
    """Follow-ups (回访) of a case; a "not performed" answer offers `reopen`."""

    serializer_class = FollowUpSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FollowUp.objects.none()
        return FollowUp.objects.filter(case=self.case).select_related("recorded_by")

    def list(self, request, case_id):
        return Response(FollowUpSerializer(self.get_queryset(), many=True).data)

    @extend_schema(request=FollowUpInputSerializer, responses={201: FollowUpCreatedSerializer})
    def create(self, request, case_id):
        self.check_write("follow_up")
        data = FollowUpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = services.follow_up_record(
            actor=request.user, case_id=self.case.pk, **data.validated_data
        )
        return Response(FollowUpCreatedSerializer(follow_up).data, status=201)

    @extend_schema(request=RouteInputSerializer, responses={200: FollowUpSerializer(many=True)})
    def route(self, request, case_id):
        """The agreement was not performed: the parties are guided to court or arbitration."""
        self.check_write("route")
        data = RouteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_route(actor=request.user, case_id=self.case.pk, **data.validated_data)
        return Response(FollowUpSerializer(self.get_queryset(), many=True).data)


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
        return Case.objects.filter(pk=self.case.pk)

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
        return self._answer(self.case)

    @extend_schema(request=DocumentInputSerializer, responses={201: CaseFileSerializer})
    def add_document(self, request, case_id):
        self.check_write("document")
        data = DocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        services.document_record(
            actor=request.user,
            case_id=self.case.pk,
            attachment_id=values.pop("attachment", None),
            **values,
        )
        return self._answer(self.case, status.HTTP_201_CREATED)
