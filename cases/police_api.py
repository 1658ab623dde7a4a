"""The art. 25 report to the police over the API: `GET, POST /api/v1/cases/{id}/police-report/`
(the report to a named station), `POST …/police-report/receipt/` (the station's receipt) and
`POST /api/v1/cases/{id}/risk/` (the risk raised after intake: to red, the 24 h clock starts)."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.dates import BoundedDateTimeField
from config.errors import NotAllowed

from . import police
from .choices import Risk
from .law_models import PoliceReport
from .models import Case
from .policy import CasePolicy, access_case


class PoliceReportSerializer(serializers.ModelSerializer):
    trigger_label = serializers.CharField(source="get_trigger_display", read_only=True)
    overdue = serializers.SerializerMethodField(label="已超期")

    class Meta:
        model = PoliceReport
        fields = [
            "id",
            "trigger",
            "trigger_label",
            "trigger_note",
            "due_at",
            "station",
            "reported_at",
            "note",
            "receipt_number",
            "receipt_at",
            "receipt_person",
            "overdue",
        ]

    def get_overdue(self, report) -> bool:
        return (
            report.reported_at is None
            and report.due_at is not None
            and (report.due_at <= timezone.now())
        )


class PoliceReportInputSerializer(serializers.Serializer):
    station = serializers.CharField(label="派出所", max_length=100)
    reported_at = BoundedDateTimeField(label="报告时间")
    note = serializers.CharField(
        label="报告内容", max_length=5000, required=False, allow_blank=True
    )


class PoliceReceiptInputSerializer(serializers.Serializer):
    receipt_number = serializers.CharField(label="回执编号", max_length=64)
    receipt_at = BoundedDateTimeField(label="回执时间")
    receipt_person = serializers.CharField(label="接收人", max_length=50)


def _validated(request, case_id, action, serializer_class) -> tuple[Case, dict]:
    """The case (404 out of scope), the user's right to `action` on it (403) and the body
    (400): the checks an action of this module makes before its service runs."""
    case = access_case(request.user, case_id)
    message = CasePolicy(request.user, case).role_error(action)
    if message is not None:
        raise NotAllowed(message)
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return case, data.validated_data


class PoliceReportView(APIView):
    """The case's report to the police (人民调解法 art. 25): read, or record it."""

    @extend_schema(responses=PoliceReportSerializer)
    def get(self, request, case_id):
        case = access_case(request.user, case_id)
        report = police.police_report_for(case)
        if report is None:
            raise Http404("本案没有报告公安机关的记录。")
        return Response(PoliceReportSerializer(report).data)

    @extend_schema(request=PoliceReportInputSerializer, responses={201: PoliceReportSerializer})
    def post(self, request, case_id):
        case, data = _validated(request, case_id, "report_to_police", PoliceReportInputSerializer)
        report = police.police_report(actor=request.user, case_id=case.pk, **data)
        return Response(PoliceReportSerializer(report).data, status=status.HTTP_201_CREATED)


class PoliceReceiptView(APIView):
    """The station's receipt of the report: number, time, who received it."""

    @extend_schema(request=PoliceReceiptInputSerializer, responses=PoliceReportSerializer)
    def post(self, request, case_id):
        case, data = _validated(request, case_id, "police_receipt", PoliceReceiptInputSerializer)
        report = police.police_receipt(actor=request.user, case_id=case.pk, **data)
        return Response(PoliceReportSerializer(report).data)


class RiskRaiseInputSerializer(serializers.Serializer):
    risk = serializers.ChoiceField(label="风险等级", choices=Risk.choices)
    reason = serializers.CharField(label="理由", max_length=500)


class RiskRaiseOutputSerializer(serializers.ModelSerializer):
    police_due = serializers.SerializerMethodField(label="报告公安机关期限")

    class Meta:
        model = Case
        fields = ["id", "risk", "repeat_dispute", "police_due"]

    def get_police_due(self, case) -> str | None:
        report = police.police_report_for(case)
        if report is None or report.reported_at is not None or report.due_at is None:
            return None
        return serializers.DateTimeField().to_representation(report.due_at)


class RiskRaiseView(APIView):
    """Raise the case's risk after intake (风险升级) with a reason: to red, the report to the
    police falls due within 24 h from now (人民调解法 art. 25)."""

    @extend_schema(request=RiskRaiseInputSerializer, responses=RiskRaiseOutputSerializer)
    def post(self, request, case_id):
        case, data = _validated(request, case_id, "raise_risk", RiskRaiseInputSerializer)
        case = police.case_risk_raise(actor=request.user, case_id=case.pk, **data)
        return Response(RiskRaiseOutputSerializer(case).data)
