"""Generated people and dispute texts for the demo and benchmark data: names, valid ID
numbers (GB 11643 check digit), phone numbers, and a title and facts per category."""

import random
from datetime import date, timedelta

from cases.crypto import id_check_digit

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "建国华明丽伟芳娜秀英敏静强磊军洋勇艳杰娟涛超霞平刚桂兰玉梅红霞凤珍海燕志刚文学春生"

# Per category: (weight in the demo county's mix, title templates, facts template).
CATEGORY_TEXTS = {
    "marriage_family": (
        16,
        ["{a}与{b}婚姻家庭纠纷", "{a}与{b}赡养纠纷", "{a}家庭财产分割纠纷"],
        "{a}与{b}系家庭成员，因赡养老人、家庭财产分配等问题发生争执，多次协商未果，"
        "申请村调委会调解。",
    ),
    "neighbour": (
        20,
        ["{a}与{b}邻里纠纷", "{a}与{b}排水通行纠纷", "{a}与{b}院墙界址纠纷"],
        "{a}与{b}系邻居，因房前屋后排水、通行及院墙界址问题产生矛盾，双方各执一词。",
    ),
    "housing_homestead": (
        10,
        ["{a}与{b}宅基地纠纷", "{a}与{b}房屋建设纠纷"],
        "{a}翻建房屋时与{b}就宅基地四至界限发生争议，{b}认为新建房屋占用其宅基地。",
    ),
    "land_forest": (
        12,
        ["{a}与{b}土地承包纠纷", "{a}与{b}林地权属纠纷", "{a}与{b}耕地边界纠纷"],
        "{a}与{b}承包地相邻，因地界、果树及林木权属发生争议，影响当季农事。",
    ),
    "contract": (
        7,
        ["{a}与{b}买卖合同纠纷", "{a}与{b}借款纠纷"],
        "{a}称{b}欠付货款（借款）至今未还，{b}对数额有异议，双方协商不成。",
    ),
    "labour": (
        8,
        ["{a}等人追索劳务报酬纠纷", "{a}与{b}劳务费纠纷"],
        "{a}在{b}承包的工程务工，完工后劳务报酬未足额支付，申请调解。",
    ),
    "damages": (
        7,
        ["{a}与{b}损害赔偿纠纷", "{a}与{b}牲畜损害庄稼纠纷"],
        "{b}家牲畜进入{a}地里啃食庄稼，{a}要求赔偿损失，双方就赔偿数额争执不下。",
    ),
    "traffic": (
        6,
        ["{a}与{b}道路交通事故纠纷"],
        "{a}驾驶三轮车与{b}驾驶的摩托车发生碰撞，致{b}受伤，双方就医疗费、误工费赔偿发生争议。",
    ),
    "village_affairs": (
        4,
        ["{a}对村务管理事项的纠纷", "{a}等村民与村委会集体收益分配纠纷"],
        "{a}等村民对集体收益分配方案有异议，认为分配不公，要求村委会说明并调整。",
    ),
    "land_acquisition": (
        2,
        ["{a}征地补偿纠纷"],
        "{a}对征地补偿款的分配有异议，认为地上附着物未计入补偿。",
    ),
    "environment": (
        2,
        ["{a}与{b}养殖污染纠纷"],
        "{b}家养殖场粪污排放影响{a}家生活用水，{a}要求停止排放并赔偿。",
    ),
    "medical": (
        1,
        ["{a}与乡镇卫生院医疗纠纷"],
        "{a}在乡镇卫生院就诊后病情加重，认为诊疗存在过错，要求赔偿。",
    ),
    "consumer": (
        1,
        ["{a}与{b}农资买卖消费纠纷"],
        "{a}从{b}处购买的化肥使用后作物减产，怀疑质量问题，要求退款赔偿。",
    ),
    "business": (
        1,
        ["{a}与{b}合伙经营纠纷"],
        "{a}与{b}合伙经营苹果收购，因利润分配和账目不清发生争议。",
    ),
    "property_management": (
        1,
        ["{a}与物业服务企业物业费纠纷"],
        "{a}认为小区物业服务不到位，拒交物业费，物业公司多次催缴。",
    ),
    "other": (
        2,
        ["{a}与{b}其他民间纠纷"],
        "{a}与{b}因日常琐事发生口角并引发矛盾，需要调解化解。",
    ),
}
CATEGORIES = list(CATEGORY_TEXTS)
CATEGORY_WEIGHTS = [CATEGORY_TEXTS[c][0] for c in CATEGORIES]

SOURCES = [
    "grid_inspection",
    "walk_in",
    "hotline",
    "police_referral",
    "court_referral",
    "petition",
    "consultation_day",
    "superior_assigned",
    "online",
]
SOURCE_WEIGHTS = [38, 24, 8, 8, 3, 2, 10, 2, 5]

TERMS = [
    "{b}于本协议签订之日起十日内一次性支付{a}赔偿款{amount}元，双方今后互不追究。",
    "双方同意以原有界址为准，{b}拆除越界部分，{a}不再主张其他权利。",
    "{b}向{a}赔礼道歉，双方和好如初，今后互相谅解、和睦相处。",
    "子女轮流赡养老人，每人每月支付生活费{amount}元，医疗费按实际平均分担。",
    "{b}分两期向{a}支付欠款共计{amount}元，首期于本月底前支付。",
]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def id_number(rng: random.Random, area_code: str) -> str:
    """A valid 18-digit ID number registered in the area's county."""
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    first17 = f"{area_code[:6]}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def case_text(rng: random.Random, category: str, a: str, b: str) -> tuple[str, str]:
    """A title and facts for a dispute of this category between a and b."""
    _, titles, facts = CATEGORY_TEXTS[category]
    return rng.choice(titles).format(a=a, b=b), facts.format(a=a, b=b)


def agreement_terms(rng: random.Random, a: str, b: str) -> str:
    amount = rng.choice((500, 800, 1200, 2000, 3000, 5000, 8000))
    return rng.choice(TERMS).format(a=a, b=b, amount=amount)
