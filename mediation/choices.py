"""Code values and Chinese labels for the mediation records."""

from django.db import models


class CommitteeKind(models.TextChoices):
    PEOPLES = "peoples", "人民调解委员会"
    INDUSTRY = "industry", "行业性专业性调解委员会"
    STUDIO = "studio", "个人调解工作室"


class Employment(models.TextChoices):
    FULL_TIME = "full_time", "专职"
    PART_TIME = "part_time", "兼职"


class CommitteePosition(models.TextChoices):
    CHAIR = "chair", "主任"
    VICE_CHAIR = "vice_chair", "副主任"
    MEMBER = "member", "委员"


class ConsultantKind(models.TextChoices):
    POLICE = "police", "警官"
    JUDGE = "judge", "法官"
    PROSECUTOR = "prosecutor", "检察官"
    LAWYER = "lawyer", "律师"


class AgreementForm(models.TextChoices):
    WRITTEN = "written", "书面协议"
    ORAL = "oral", "口头协议"


class ConfirmationStatus(models.TextChoices):
    OPEN = "open", "未申请"
    APPLIED = "applied", "已申请"
    CONFIRMED = "confirmed", "确认有效"
    REJECTED = "rejected", "驳回申请"
    DECLINED = "declined", "当事人不申请"


class RejectionRoute(models.TextChoices):
    REOPEN = "reopen", "重新调解"
    LITIGATION = "litigation", "引导向人民法院起诉"


class PerformanceRoute(models.TextChoices):
    COURT = "court", "引导向人民法院起诉"
    ARBITRATION = "arbitration", "引导申请仲裁"


class FollowUpMethod(models.TextChoices):
    VISIT = "visit", "上门回访"
    PHONE = "phone", "电话回访"
    MESSAGE = "message", "短信/微信回访"
    MEETING = "meeting", "约见回访"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class RemainingRisk(models.TextChoices):
    NONE = "none", "无风险"
    LOW = "low", "低"
    MEDIUM = "medium", "中"
    HIGH = "high", "高"


class DocumentKind(models.TextChoices):
    RIGHTS_NOTICE = "rights_notice", "当事人权利义务告知书"
    IDENTITY = "identity", "当事人身份证明"
    APPLICATION = "application", "调解申请书"
    EVIDENCE = "evidence", "证据材料"
    CONFIRMATION = "confirmation", "司法确认材料"
    OTHER = "other", "其他材料"


class Difficulty(models.TextChoices):
    ORDINARY = "ordinary", "一般纠纷"
    DIFFICULT = "difficult", "疑难复杂纠纷"
    MAJOR = "major", "重大纠纷"


class ChecklistItem(models.TextChoices):
    INTAKE = "intake", "纠纷受理登记表"
    CONSENT = "consent", "当事人同意调解记录"
    RIGHTS_NOTICE = "rights_notice", "当事人权利义务告知书"
    IDENTITY = "identity", "当事人身份证明"
    MEDIATION_RECORD = "mediation_record", "调解笔录"
    AGREEMENT = "agreement", "调解协议书"
    FOLLOW_UP = "follow_up", "回访记录"
    CONFIRMATION = "confirmation", "司法确认材料"
    ROUTES = "routes", "告知其他解决途径记录"
    POLICE_REPORT = "police_report", "报告公安机关记录"
