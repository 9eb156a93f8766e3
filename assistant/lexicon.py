"""The domain's words in one place: years, sentences, bodies, parts, units, numerals, question words.

Every stage that reads Chinese report text or questions takes its vocabulary from here — ingestion,
retrieval, answers, drafting — so two copies can no longer disagree on what a year, a sentence end or a
body's short name is. Only words and the small functions that apply them live here; what a stage does
with them stays in the stage.

Where a list was chosen on purpose narrower than another (问题 is a shortcoming cue for a list question,
"泾源县存在哪些问题?", but not for ranking, "解答法律问题多少人次"), both are here, side by side, with why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from assistant.textnorm import normalize
from assistant.types import Part

# --- years -----------------------------------------------------------------------------------------------
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
"""A year written in digits (2024), not inside a longer number."""

# After a year, these make it a span or a baseline ("2020年以来", "在2023年的基础上"), not a year reported on.
_YEAR_NOT_REPORTED = r"\s*年?度?\s*(?:以来|来|起|至|到|—|-|~|的?基础上|相比)"
REPORT_YEAR = re.compile(YEAR.pattern + rf"(?!{_YEAR_NOT_REPORTED})")
"""A year that can be the year a report is on or plans for (spans and baselines left out)."""


SHORT_YEAR = re.compile(rf"(?<![\d.])([12]\d)(?=年)(?!{_YEAR_NOT_REPORTED}|年?度?\s*(?:多|余|左右))")
"""A year as people type it in a question: 23年, 24年度 (2023, 2024); not 20年以来, not 10余年."""


def question_years(text: str) -> list[int]:
    """Years a question names: 2024, and the short 24年 (read as 2024), in order, without repeats."""
    found = [(m.start(), int(m.group(1))) for m in REPORT_YEAR.finditer(text)]
    found += [(m.start(), 2000 + int(m.group(1))) for m in SHORT_YEAR.finditer(text)]
    return list(dict.fromkeys(y for _, y in sorted(found)))


def years_in(text: str, pattern: re.Pattern = YEAR) -> list[int]:
    """Years written in ``text``, in order, without repeats."""
    out: list[int] = []
    for m in pattern.finditer(text):
        if int(m.group(1)) not in out:
            out.append(int(m.group(1)))
    return out


# --- sentences -------------------------------------------------------------------------------------------
SENTENCE_ENDS = "。！？；!?;"
"""Characters that end a sentence or a clause of report text (a line break ends one too)."""
SENTENCE = re.compile(rf"[^{SENTENCE_ENDS}\n]+")
"""A sentence or clause of report text, without its end."""
SENTENCE_END = re.compile(rf"[{SENTENCE_ENDS}]+[”’」』)）]*|\n")
"""Where a sentence ends: its end marks with any closing quote or bracket after them, or a line break."""


def sentences(text: str) -> list[str]:
    """The sentences (and clauses ended by ；) of ``text``, without their ends or surrounding space."""
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


# --- bodies ----------------------------------------------------------------------------------------------
PLACE_SUFFIXES = ("街道", "镇", "乡", "县", "区")
"""The suffixes of the bodies that write these reports (towns, townships, subdistricts, counties, districts)."""

ORG_SUFFIXES = ("人民政府", "街道办事处", "街道", "自治县", "县", "区", "市", "镇", "乡")
"""Administrative suffixes people drop when they speak of a body (泾源县 → 泾源), longest first where one
contains another (街道办事处 before 街道)."""

DEPARTMENT_SHORT_NAMES = {
    "市场监督管理局": ("市场监管局", "市监局"),
    "人力资源和社会保障局": ("人社局",),
    "人民政府办公室": ("政府办公室", "政府办", "府办"),
    "综合行政执法局": ("综合执法局",),
    "住房和城乡建设局": ("住建局",),
    "卫生健康委员会": ("卫健委",),
    "发展和改革局": ("发改局",),
    "发展和改革委员会": ("发改委",),
    "交通运输局": ("交通局",),
    "教育和体育局": ("教体局",),
    "农业农村局": ("农业局",),
    "应急管理局": ("应急局",),
    "自然资源和规划局": ("自然资源局",),
    "退役军人事务局": ("退役军人局",),
    "街道办事处": ("街道办",),
}
"""How staff commonly shorten a department's name (柏阳县市场监督管理局 → 柏阳县市场监管局)."""

_DEPARTMENT = re.compile(r"^(?P<place>[\u4e00-\u9fff]{2,8}?(?:自治县|县|区|市|旗))(?P<dept>[\u4e00-\u9fff]{2,14}(?:局|办公室|委员会|委|办))$")


def short_forms(org: str) -> list[str]:
    """Ways a question may name ``org`` besides its full name, by dropping an administrative suffix (at
    least two characters left): 泾源县 → 泾源, 望湖街道 → 望湖."""
    forms = []
    for suffix in ORG_SUFFIXES:
        if org.endswith(suffix) and len(org) - len(suffix) >= 2:
            forms.append(org[: -len(suffix)])
    return forms


def body_aliases(org: str) -> list[str]:
    """Every way a question may name ``org``: its suffix-less forms, and for a department its usual short
    name, with or without its county's name or the county's suffix (柏阳县市场监督管理局 → 柏阳县市场监管局,
    柏阳市场监管局, 县市场监管局, 市场监管局), and its county's name (柏阳县, 柏阳). Callers drop an alias two
    bodies share, or one that is another body's name."""
    forms = list(short_forms(org))
    m = _DEPARTMENT.match(org)
    if m:
        place, dept = m.group("place"), m.group("dept")
        depts = [dept, *DEPARTMENT_SHORT_NAMES.get(dept, ())]
        level = next(s for s in ("自治县", "县", "区", "市", "旗") if place.endswith(s))
        places = [place, *short_forms(place), level.removeprefix("自治"), ""]
        forms += [p + d for p in places for d in depts if len(p + d) >= 3]
        # Its county's name alone names it too when the library has no other body from that county
        # ("岚川县12345热线…" in a library whose only 岚川县 report is the 县政府办公室's).
        forms += [place, *short_forms(place)]
    else:
        for long, shorts in DEPARTMENT_SHORT_NAMES.items():
            if org.endswith(long):
                forms += [org[: -len(long)] + s for s in shorts]
    return [f for f in dict.fromkeys(forms) if f != org]


def alias_table(orgs: Iterable[str], forms: Callable[[str], list[str]] = body_aliases) -> list[tuple[str, str]]:
    """(surface form, org) for every org and each of its ``forms``, longest surface first; a form two orgs
    share, or one that is itself another org's name, is dropped (it would be a guess)."""
    orgs = sorted(set(orgs))
    owners: dict[str, set[str]] = {}
    for org in orgs:
        for form in forms(org):
            owners.setdefault(form, set()).add(org)
    pairs = [(org, org) for org in orgs]
    pairs += [(form, next(iter(o))) for form, o in owners.items() if len(o) == 1 and form not in orgs]
    return sorted(pairs, key=lambda p: -len(p[0]))


GENERIC_PLACE_WORDS = frozenset(
    "今年 去年 明年 前年 当年 本年 全年 上年 全县 全区 全镇 全乡 全市 各镇 各乡 各县 各区 本镇 本乡 本县 本区 我镇 我乡 我县 "
    "我区 该镇 该乡 该县 该区 请问 那么 那个 这个 其中 以及 同时 截至 截止 其他 报告 资料 资料库 报告库 库中".split()
)
"""Words that can stand where a body's name stands before a year ("今年2024年…", "全县2024年…") but are not one."""


# --- parts of a report -----------------------------------------------------------------------------------
PART_CUES: tuple[tuple[Part, tuple[str, ...]], ...] = (
    (Part.CAUSES, ("原因", "为什么", "为何", "缘故")),
    # not 问题 or 不够: "解答法律问题多少人次" asks for a figure (measured: it cost a gold case)
    (Part.SHORTCOMINGS, ("不足", "短板", "欠缺", "差距", "薄弱", "困难", "缺点", "弱项")),
    (Part.PLANS, ("下一步", "明年", "今后", "打算", "计划", "安排", "准备", "将来", "未来", "下一年", "目标")),
    (Part.LEADERSHIP, ("第一责任人", "主要负责人", "党政主要", "一把手", "领导小组", "组长")),
)
"""Words by which a question asks about one part of a report: a soft preference when ranking, never a filter."""

LIST_CUES: tuple[tuple[Part, tuple[str, ...]], ...] = (
    (Part.CAUSES, ("原因",)),
    (Part.SHORTCOMINGS, ("不足", "问题", "短板", "弱项", "差距", "做得不够", "不够的地方")),
    (Part.PLANS, ("安排", "计划", "打算", "下一步", "下步")),
)
"""Words by which a question asks for a part's whole list ("存在哪些问题和不足?", "下一步有哪些打算?"). Here
问题 does mean 不足: "存在哪些问题" only ever asks for the list."""


def part_cues(text: str) -> list[Part]:
    """Parts of a report ``text`` seems to ask about (possibly several, possibly none)."""
    return [part for part, words in PART_CUES if any(w in text for w in words)]


# --- figures: units and numerals -------------------------------------------------------------------------
UNITS = (
    "个百分点", "平方公里", "平方米", "人次", "场次", "户次", "件次", "轮次", "批次", "学时", "课时", "小时",
    "分钟", "公里", "元", "件", "次", "场", "人", "名", "位", "户", "份", "条", "项", "个", "期", "轮", "支",
    "家", "起", "幢", "栋", "处", "座", "所", "篇", "册", "套", "间", "台", "辆", "宗", "笔", "类", "堂",
    "节", "天", "亩", "倍", "卷", "㎡", "%", "‰",
)
"""Counting words and measures after a figure (longest first where one contains another: 人次 before 人)."""
UNIT_ALIASES = {"平方米": "㎡", "栋": "幢"}
"""Spellings of one unit, so 平方米 grounds ㎡."""
UNIT_GROUPS = ({"人", "名", "位"}, {"件", "起", "宗"}, {"场", "场次"}, {"轮", "轮次"})
"""Counters that mean the same thing: 12名执法人员 supports an answer saying 12人, 买卖纠纷29件 one saying 29起,
普法活动50场次 one saying 50场."""

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
"""Chinese digits; 两 and 俩 are 2 before a measure word (两次 == 2次)."""
CN_SMALL = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10_000, "亿": 100_000_000}

_NOT_ASKED = {"%", "‰", "㎡", "倍", "天", "分钟", "小时"}  # said after a figure, never asked as "多少X" (多少天 is a span)
_ASKABLE = "|".join(sorted({*UNITS} - _NOT_ASKED, key=len, reverse=True))
ASKS_FIGURE = re.compile(rf"多少|(?<!哪)几个?(?:{_ASKABLE})|数量|总数|比例|百分之|多大|多高|(?:率|比重|占比)(?:是|为|达到?|有)?(?:多少|几)|(?<![多少])[件人次户家项场]数")
"""A question that asks for a count, an amount or a rate: its answer is a figure."""
ASKED_UNIT = re.compile(rf"(?:多少|(?<!哪)几)个?[万亿]?({_ASKABLE})")
"""The unit a count question asks for: "多少件" → 件, "几次" → 次, "几个人" → 人, "多少万元" → 元, "多少台" → 台.
Every counting word of ``UNITS`` can be asked, so a measure a report uses is one a question may ask."""
COUNT_NOUN = re.compile(r"(?<![多少])([件人次户家项场])数")
"""A count asked by its noun: "调解矛盾纠纷的件数" → 件, "参训人数" → 人."""
MONEY_WORDS = re.compile(r"钱|金额|罚款|罚没|经费|资金|损失|工资|欠薪|薪酬|补偿|投入|预算")
"""Near a bare 多少, what makes it ask for an amount of money ("罚没款多少?", "挽回多少损失?")."""
COUNT_KINDS = (
    frozenset("件 起 宗 例".split()),  # cases, matters (not 条 or 个: 信息274条 does not answer 多少件申请)
    frozenset("项 条 个 类".split()),
    frozenset("人 名 位 人次 个".split()),
    frozenset("次 场 场次 期 轮 轮次 批次 堂 节 次数".split()),
    frozenset("户 户次 家 家次 个 所 处".split()),
    frozenset("份 册 本 篇 条".split()),
    frozenset("台 套 部 个".split()),  # equipment: 执法记录仪12台 / 12套
)
"""Counters that answer the same "how many" (a 多少件 question may be answered in 起 or 宗, a 几个人 one in 名)."""


def answers_unit(unit: str, asked: str) -> bool:
    """Whether a figure with ``unit`` can answer a question asking for ``asked`` (元 for any amount of money,
    % for a rate, else the same counter or one of its kind)."""
    if unit == asked or not unit:
        return True
    return any(unit in kind and asked in kind for kind in COUNT_KINDS)
ASKS_RATE = re.compile(r"率|比例|百分|占比|比重")
"""A question whose figure is a percentage: "化解率是多少", "调解成功的比例"."""

# --- question words --------------------------------------------------------------------------------------
NOT_TOPICAL = re.compile(
    r"(?:19|20)\d{2}年?度?|(?<!\d)\d{2}年度?|多少|哪些|哪个|什么|是否|有没有|如何|怎样|怎么|几|吗|呢|了|的|是|有|共|一共|"
    r"情况|工作|开展|推进|法治|政府|建设|报告|年度|去年|今年|全年|只算|仅算|单算|单独|[\s\d,，。.?？!！、:：;；()（）“”\"']"
)
"""What says nothing about a question's topic: years, question words, particles, and the domain's ubiquitous
terms (法治, 政府, 建设, 工作 …). What is left of a question is what it is about."""

EXCLUSION = re.compile(r"(?:不算|不含|不包含|不包括|不计|除去|扣除)([^，,。？?；;！!]+)")
"""What a question leaves out of its count ("只算投诉，不算举报和咨询"): those things are not its topic."""


def excluded_words(text: str) -> tuple[str, ...]:
    """The things a question says not to count: "不算举报和咨询" → (举报, 咨询)."""
    found = [w for m in EXCLUSION.finditer(text) for w in re.split(r"[和、及与或跟]|以及", m.group(1))]
    return tuple(w.strip("的在内") for w in found if len(w.strip("的在内")) >= 2)


LIST_FILLER = re.compile(
    r"推进|法治政府建设|法治政府|法治建设|下一年度|下一年|下一步|下步|今后|明年|报告|这份|列出|列举|列了|提到|指出|分析|认为|"
    r"承认|自己|自身|存在|主要|哪些|哪几|什么|具体|分别|聚焦|方面|工作|问题|不足|短板|弱项|差距|原因|安排|计划|打算|内容|"
    r"没有?(?:解决|做|处理)好|尚未解决|未解决|有待(?:改进|提高|加强|解决)|需要改进|要改进|待改进|做得不够|不够的地方|地方|"
    r"总结|怎么|怎样|如何|查摆|查找|梳理|暴露|法治|这块|这一块|这方面|抓|搞|干|重点|"
    r"情况|有|是|的|在|中|里|还|和|与|及|了|呢|吗|对|说|上|做|些|准备|件|事|几|条|项|个|请|都|一|二|三|四|五|年度|年|\d+|"
    r"[\s,，。.?？!！、:：;；()（）“”\"'·]"
)
"""Words that do not narrow which items of a list are meant: once they (and the body and year) are taken out
of a list question, (almost) nothing may be left for it to ask for the whole list."""

COLLECTIVE = re.compile(r"各(?:乡镇|街道|镇|乡|县区|县|区|部门|单位)|哪些(?:乡镇|街道|镇|乡|单位|部门|县区|报告)|哪个(?:乡镇|街道|镇|乡|单位|部门)|所有(?:乡镇|单位|报告)")
"""The collective subject of a question over many reports (各乡镇…, 哪些单位…)."""
MENTION = re.compile(r"哪些(?:乡镇|街道|镇|乡|单位|部门|县区|报告)")
"""A question for which reports say something ("哪些单位提到了…?"), not for one report's answer."""
MENTION_FRAME = re.compile(
    r"^(?:的?报告|在(?:报告|文中)|报告)?(?:里|中|里面)?(?:都|也|还|曾|已经?)?"
    r"(?:提到|提及|谈到|谈及|说到|讲到|写到|涉及|提出|表示)?(?:了|过)?(?:要|将|会)?"
)
"""What stands between 哪些单位 and the thing asked about ("…的报告里提到了“721”工作法", "…提出要争取配备无人机")."""
MENTION_VERBS = re.compile(
    r"配备|配置|配齐|设立|设置|建立|成立|组建|建成|开展|推行|实行|实施|落实|争取|取得|聘请|聘任|引入|引进|采用|"
    r"帮助|协助|进行|举办|召开|做好|还有|或者|[了或给帮做]"
)
"""Verbs and particles around the thing asked about: "配备或设立了公职律师" is about 公职律师, "帮市场主体做信用修复"
about 信用修复 (the thing is the last phrase left once these are taken out; a report may say it with other verbs)."""
NEGATION = re.compile(r"没有|尚未|还未|仍未|还没|没|未")
"""A negated verb in a mention question is part of what is asked ("没有取得执法证" is not "取得执法证"); 没有 is
written 未 in reports."""
PLAN_SENTENCE = re.compile(
    r"力争|争取(?:到|在|于)?(?:20\d\d|明年|年内|年底)|目标(?:是|为|值)|预计|计划(?:到|于|在)(?:20\d\d|明年|年内|年底)|"
    r"(?:明年|下一步|下步|今后|来年|20\d\d年(?:底|内)?)(?:将|要|力争|计划|拟)|确保.{0,12}(?:以上|以内|不低于|不少于)"
)
"""A sentence stating a target, not a result ("力争调解成功率达到95%以上"): its figure is not what a year achieved.
Not 将 or 计划 alone (将…纳入考核, 年度学习计划 are results)."""

PLAN_WORDS = re.compile(r"计划|目标|打算|安排|说要|提出要|拟")
"""A question that speaks of what a report planned ("原计划…", "2023年报告说要…")."""
OUTCOME_WORDS = re.compile(r"实际|做到|后来|结果|(?:完成|建成|实现|落实|达到|到位)了?(?:吗|没有|没)")
"""…and asks what came of it in a later report ("实际培育了多少?", "2024年的报告说完成了吗?")."""

# --- metadata questions ----------------------------------------------------------------------------------
META_CUES: tuple[tuple[str, re.Pattern], ...] = (
    ("years", re.compile(r"(?:哪几|哪些|几)个?(?:年度|年份|年)的?.{0,12}报告|报告.{0,6}(?:哪几|哪些)(?:年度|年份|年)")),
    ("signer", re.compile(r"(?:以|用)(?:哪些|哪个|什么)(?:单位|机关|名义).{0,6}落款|落款(?:单位|机关|的单位)|署名")),
    ("published", re.compile(r"发布(?:日期|时间)|(?:哪天|哪一天|什么时候|何时|几号|什么时间|哪日).{0,12}(?:发布|挂到?网|上网|公开|公布|放到网)"
                             r"|发布于|(?:挂网|上网|公布)(?:日期|时间)")),
    ("signed", re.compile(r"落款.{0,6}(?:日期|时间|哪天|哪一天|几号)|(?:哪天|哪一天|几号|什么时候|何时|什么时间|哪日)落款|(?:成文|签发)日期"
                          r"|(?:文末|末尾|结尾|最后|正文最后)(?:处|落|写|署)?的?(?:日期|时间)|(?:落|署|写)的(?:日期|时间)")),
    ("title", re.compile(r"标题|题目|报告.{0,4}(?:名称|全称)")),
    ("addressee", re.compile(r"报送给|报给|呈报|主送|报送(?:的)?(?:机关|单位)")),
    ("docnumber", re.compile(r"文号|发文字号")),
)
"""What a question about a report itself (not its content) asks: which years the library holds, who signed
it, when it was published or signed, its title, to whom it is addressed, its document number."""

# A document number as printed on a 公文: 鹤政报〔2025〕6号, 泾政发[2024]12号.
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*\d{1,4}\s*号")

# --- wording overlap -------------------------------------------------------------------------------------
_NOT_WORDING = re.compile(r"\[\d+\]|⚠|[\s,，。.!！?？:：;；、\"“”'‘’()（）\[\]【】]")


def bigrams(text: str) -> set[str]:
    """Character bigrams of ``text`` in its matching form (traditional structure characters read as
    simplified; punctuation, spaces, [n] marks and ⚠ left out): the wording measure shared by citation
    matching, support and quoting."""
    bare = _NOT_WORDING.sub("", normalize(text))
    return {bare[i : i + 2] for i in range(len(bare) - 1)}


HOW_ASKED = frozenset("金额 数量 总数 人数 件数 次数 户数 比例 比率 占比 数字 数据 具体 主要 自己 一下 到底 下来 实际 总共 合计 "
                      "一年 上一年 上年 去年 全年 当年 同比 增加 减少 增长 下降 提高 降低 超过 达到 高于 低于 不到 以上 以下".split()
                      + [w for _, words in PART_CUES + LIST_CUES for w in words])
"""Words of a question that say how it asks or which part of a report, not what about ("罚款金额是多少?" asks
about 罚款, "下一步计划开展多少场次普法活动?" about 普法活动): a report need not use them."""


def terms(word: str) -> tuple[str, ...]:
    """The smallest words of two or more characters in ``word`` (jieba's search segmentation), in order:
    综合执法罚款金额 → 综合, 执法, 罚款, 金额. Single characters (要, 搞, 里) say nothing of a topic."""
    import jieba  # imported here: the dictionary costs start-up time that only answer checks need

    words = [w for w in dict.fromkeys(jieba.lcut_for_search(word)) if len(w) >= 2 and not NOT_TOPICAL.fullmatch(w)]
    return tuple(w for w in words if not any(o != w and o in w for o in words))


def kind_words(word: str) -> tuple[str, ...]:
    """The words of ``word`` that may name a kind of what is counted (刑事 of 刑事案件, 登记 of 城镇登记失业率), as
    their smallest words (``terms``): all but idioms and set phrases, which say how it was done (挨家挨户 of
    普法志愿队挨家挨户去讲 → 普法, 志愿)."""
    import jieba.posseg  # see ``terms``

    return tuple(t for p in jieba.posseg.lcut(word) if p.flag[:1] not in "il" for t in terms(p.word))


def only_verbs(word: str) -> bool:
    """Whether ``word`` is only verbs and function words (拿到, 组织举办), naming no thing."""
    import jieba.posseg  # see ``terms``

    return all(p.flag[:1] in "vdpcuraf" and p.flag not in ("vn", "an") for p in jieba.posseg.lcut(word))


def wording_overlap(text: str, quotes: Sequence[str]) -> float:
    """Share of ``text``'s character bigrams found in ``quotes`` (1.0 for a text without any)."""
    words = bigrams(text)
    if not words:
        return 1.0
    quoted = set().union(*(bigrams(q) for q in quotes)) if quotes else set()
    return len(words & quoted) / len(words)


def char_share(chars: str, text: str) -> float:
    """Share of the distinct characters of ``chars`` that occur in ``text`` (1.0 for none)."""
    wanted = set(chars)
    return sum(ch in text for ch in wanted) / len(wanted) if wanted else 1.0
