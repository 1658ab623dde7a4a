"""Code values and Chinese labels for cases: levels, statuses, categories, sources, risk."""

from django.db import models


class Level(models.TextChoices):
    VILLAGE = "village", "村级"
    TOWN = "town", "镇级"
    COUNTY = "county", "县级"


LEVEL_RANK = {Level.VILLAGE: 0, Level.TOWN: 1, Level.COUNTY: 2}
NEXT_LEVEL = {Level.VILLAGE: Level.TOWN, Level.TOWN: Level.COUNTY}


class Status(models.TextChoices):
    PENDING = "pending", "待分派"
    ASSIGNED = "assigned", "已分派"
    IN_PROGRESS = "in_progress", "调解中"
    RESOLVED = "resolved", "调解成功"
    CLOSED = "closed", "已办结"


OPEN_STATUSES = [Status.PENDING, Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED]


class Outcome(models.TextChoices):
    AGREEMENT = "agreement", "达成协议"
    FAILED = "failed", "调解不成"
    WITHDRAWN = "withdrawn", "撤回"
    REJECTED = "rejected", "不予受理"
    REFERRED = "referred", "转其他途径"


class Category(models.TextChoices):
    MARRIAGE_FAMILY = "marriage_family", "婚姻家庭"
    NEIGHBOUR = "neighbour", "邻里纠纷"
    HOUSING_HOMESTEAD = "housing_homestead", "房屋宅基地"
    CONTRACT = "contract", "合同纠纷"
    BUSINESS = "business", "生产经营"
    DAMAGES = "damages", "损害赔偿"
    LAND_FOREST = "land_forest", "山林土地"
    LAND_ACQUISITION = "land_acquisition", "征地拆迁"
    ENVIRONMENT = "environment", "环境污染"
    LABOUR = "labour", "劳动争议"
    MEDICAL = "medical", "医疗纠纷"
    PROPERTY_MANAGEMENT = "property_management", "物业纠纷"
    TRAFFIC = "traffic", "道路交通事故"
    CONSUMER = "consumer", "消费纠纷"
    VILLAGE_AFFAIRS = "village_affairs", "村务管理"
    OTHER = "other", "其他"


class Source(models.TextChoices):
    GRID_INSPECTION = "grid_inspection", "网格排查"
    WALK_IN = "walk_in", "群众来访"
    HOTLINE = "hotline", "12345/电话"
    POLICE_REFERRAL = "police_referral", "110联动"
    COURT_REFERRAL = "court_referral", "法院委派"
    PETITION = "petition", "信访转办"
    CONSULTATION_DAY = "consultation_day", "说事日"
    SUPERIOR_ASSIGNED = "superior_assigned", "上级交办"
    ONLINE = "online", "线上申请"


class Risk(models.TextChoices):
    GREEN = "green", "低风险（绿）"
    YELLOW = "yellow", "中风险（黄）"
    RED = "red", "高风险（红）"


RISK_ORDER = [Risk.GREEN, Risk.YELLOW, Risk.RED]


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", "申请人"
    RESPONDENT = "respondent", "被申请人"


class EventKind(models.TextChoices):
    REPORT = "report", "登记受理"
    ASSIGN = "assign", "分派"
    RESPOND = "respond", "首次响应"
    ESCALATE = "escalate", "上报"
    DELEGATE = "delegate", "交办"
    EXTEND = "extend", "延期"
    RESOLVE = "resolve", "调解成功"
    REOPEN = "reopen", "重新调解"
    CLOSE = "close", "结案"
    RISK_RAISED = "risk_raised", "风险升级"
    REVEAL = "reveal", "查看个人信息"
    ATTACH = "attach", "上传附件"
    REMIND = "remind", "超期提醒"
    SUPERVISE = "supervise", "督办"
    RECORD = "record", "记录"
    REFERRAL = "referral", "移交委派"


class PeriodEnd(models.TextChoices):
    ESCALATED = "escalated", "上报"
    DELEGATED = "delegated", "交办"
    RESOLVED = "resolved", "调解成功"
    CLOSED = "closed", "结案"


class PeriodEntry(models.TextChoices):
    REPORT = "report", "登记"
    ESCALATE = "escalate", "上报"
    DELEGATE = "delegate", "交办"
    REOPEN = "reopen", "重新调解"


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "工作日"
    HOURS = "hours", "小时"


class ScreeningReason(models.TextChoices):
    """Why intake may not take a matter (人民调解法 art. 18 and practice)."""

    COURT = "court", "法院已受理或已判决"
    POLICE = "police", "公安机关已受理或已处理"
    AGENCY = "agency", "其他行政机关已受理或已处理"
    CRIMINAL = "criminal", "涉嫌刑事犯罪"


class DeadlineKind(models.TextChoices):
    ASSIGN = "assign", "分派期限"
    RESPOND = "respond", "响应期限"
    RESOLVE = "resolve", "办结期限"
