"""Each party's consent or refusal and the rights notice (人民调解法 art. 17, 23) over the
API: `GET, POST /api/v1/cases/{id}/consents/`."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from cases.gates import Route

from ..consent import consent_record, consents_of
from ..law_models import ConsentDecision, NoticeMethod
from .common import CaseRecordsMixin


class ConsentRowSerializer(serializers.Serializer):
    """One party and what is recorded of their consent and notice (nulls: nothing yet)."""

    party = serializers.IntegerField(source="party.id", label="当事人")
    name = serializers.CharField(source="party.name", label="姓名")
    role = serializers.CharField(source="party.get_role_display", label="身份")
    decision = serializers.CharField(source="consent.decision", default=None, label="意愿")
    decision_label = serializers.CharField(
        source="consent.get_decision_display", default=None, label="意愿（中文）"
    )
    decided_on = serializers.DateField(source="consent.decided_on", default=None)
    notified_on = serializers.DateField(source="consent.notified_on", default=None)
    notice_method = serializers.CharField(source="consent.notice_method", default=None)
    note = serializers.CharField(source="consent.note", default=None)


class ConsentInputSerializer(serializers.Serializer):
    party = serializers.IntegerField(label="当事人", min_value=1)
    decision = serializers.ChoiceField(label="意愿", choices=ConsentDecision.choices)
    decided_on = serializers.DateField(label="表示意愿的日期")
    notified_on = serializers.DateField(label="权利义务告知日期", required=False, allow_null=True)
    notice_method = serializers.ChoiceField(
        label="告知方式", choices=NoticeMethod.choices, required=False, allow_blank=True
    )
    note = serializers.CharField(label="说明", max_length=500, required=False, allow_blank=True)
    routes = serializers.ListField(
        label="已告知的其他途径（拒绝调解时必填）",
        child=serializers.ChoiceField(choices=Route.choices),
        required=False,
        max_length=3,
    )


class ConsentViewSet(CaseRecordsMixin, viewsets.GenericViewSet):
    """The parties' consent and rights notice of a case (before the first session)."""

    serializer_class = ConsentRowSerializer

    def get_queryset(self):
        return []

    def list(self, request, case_id):
        return Response(ConsentRowSerializer(consents_of(self.case), many=True).data)

    @extend_schema(request=ConsentInputSerializer, responses={201: ConsentRowSerializer(many=True)})
    def create(self, request, case_id):
        self.check_write("consent")
        data = ConsentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        consent_record(
            actor=request.user,
            case_id=self.case.pk,
            party_id=values.pop("party"),
            **values,
        )
        rows = ConsentRowSerializer(consents_of(self.case), many=True).data
        return Response(rows, status=status.HTTP_201_CREATED)
