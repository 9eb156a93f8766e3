"""Chinese administrative names: the one place for the rules that say what a reporting body is called.

A body is a well-formed name: a chain of place units, each one rank below the last (重庆市 › 万州区 ›
柱山乡; 湛江市 › 廉江市 › 良垌镇), optionally followed by a department (司法局, 人力资源和社会保障局,
人民政府办公室). Around it a text may write the Party committee or the government (中共…委员会,
…人民政府, …党委、政府, …街道办事处, 中共…局党组); those wrappers name the same body.

Three kinds of mention, all ``Name``:

- complete: the place is there (柏阳县市场监督管理局, 宁川县鹤鸣镇人民政府);
- bare: the level word stands for the place (县司法局, 区政府, 区人社局) — it must be completed by a
  complete government name of that level found elsewhere (title, letterhead, page metadata);
- self: 我镇, 本乡, 我局 — only the kind of body.

Names are read on ``normalize(text)`` (same offsets), so full-width punctuation and traditional
characters (涇源縣) are read alike; what is returned is in the text's own characters.
Nothing here guesses: a phrase that is not entirely a name gives ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.textnorm import normalize

# unit suffix → rank (1 province … 4 township); 市 is a prefecture (2) or a county-level city (3)
_RANKS = {
    "自治区": (1,), "省": (1,), "自治州": (2,), "地区": (2,), "州": (2,), "盟": (2,), "市": (2, 3),
    "自治县": (3,), "自治旗": (3,), "县": (3,), "区": (3,), "旗": (3,),
    "街道": (4,), "苏木": (4,), "镇": (4,), "乡": (4,),
}
_SUFFIXES = sorted(_RANKS, key=len, reverse=True)  # longest first: 自治县 before 县
LEVEL_WORDS = ("街道", "镇", "乡", "县", "区", "旗", "市")  # what a bare or self mention can stand for
_LEVEL_OF_SUFFIX = {"街道": "街道", "镇": "镇", "乡": "乡", "苏木": "乡", "县": "县/区", "区": "县/区", "旗": "县/区",
                    "自治县": "县/区", "自治旗": "县/区", "市": "县/区"}
DEPARTMENT_LEVEL = "部门"

# What keeps sentence fragments out. A name never holds 的 or the words that end a body's name (a place
# cannot contain 局 or 委: 县司法局紧紧围绕县 is no county); the function words and verbs of openings (在…领导下,
# 紧紧围绕, 坚持, 根据) may begin a place name (将乐县, 于都县, 围场县, 根河市, 本溪市) but never stand inside one.
_NEVER_CHARS = set("的局委办、,.:;!?()<>《》\"' ")
_FUNCTION_CHARS = set("在以为是了对把将于及等与我本各该其紧围绕坚持贯彻认真按照根据着切断")
_STOP_CHARS = _NEVER_CHARS | _FUNCTION_CHARS  # departments hold neither
_STOP_WORDS = ("政府", "党委", "党工委", "党组")
_NOT_A_PLACE = set("我本全各该其此这那每上下在于对向从由经为将把以与和及是")  # 全县, 本镇, 在县: no name
_MAX_PLACE = 8  # characters before the suffix (鄂尔多斯 4, 科尔沁右翼前 6); ethnic names may be longer
_ETHNIC_AUTONOMY = re.compile(r"^(?P<stem>[\u4e00-\u9fff]{2,}?)(?P<peoples>(?:[\u4e00-\u9fff]{1,4}?族)+)自治(?P<unit>县|旗)$")
# generic words that end like a unit but name no particular place (示范区, 开发区, 城乡, 全镇)
_GENERIC_UNITS = frozenset(
    """示范区 开发区 保护区 风景区 功能区 试验区 实验区 自贸区 先行区 集聚区 服务区 居住区 管理区 生活区 商业区 工业区 责任区
    网格区 示范县 示范镇 重点镇 中心镇 特色镇 建制镇 小城镇 民族乡 先进县 法治县 法治区 法治镇 法治乡 法治市""".split()
)
# (not 山区/湾区/郊区/城镇/集镇: 中山区, 龙湾区, 郊区, 通城镇 and 马集镇 are real names)
_GENERIC_TAILS = frozenset("社区 小区 园区 辖区 城乡 景区 片区 街区 校区 灾区 县区".split())
_NOT_A_START = set("各该每其此这那")  # 各乡镇, 该县: a determiner, not a name

# what a government is called around its place: 中共X委员会, X党委、政府, X街道党工委、办事处, X县委、县政府
_GOVERNMENT_WORD = r"(?:工作委员会|委员会|人民政府|党工委|办事处|党委|政府|委)"
_DEPARTMENT_END = ("委员会", "办公室", "分局", "局", "委", "办", "厅", "署", "中心")
_NUMERALS = set("一二三四五六七八九十两百千万0123456789")  # 村两级调委会 is no department
# Departments that report on 法治政府建设 belong to a county-level unit or above: a 镇/乡/街道 has
# offices (司法所, 综治中心) but no reporting departments, so 镇村调委会 is never read as one.
_HAS_DEPARTMENTS = ("县", "区", "市", "旗")
_PARTY_GROUP = re.compile(r"(?:党组|党委|党总支|机关党委)")  # 中共XX局党组: the bureau's Party group
_MAX_DEPARTMENT = 16
_SELF = re.compile(r"(?:我|本)(街道|镇|乡|县|区|市|旗|局|委|办)")
_PARTY_PREFIX = re.compile(r"中共|中国共产党")
_SEPARATORS = " 、,/"
_MAX_LEADING = 60  # a subject is read from the first characters of its sentence


@dataclass(frozen=True)
class Name:
    """One mention of a body. ``places`` outer → inner in the text's own characters (empty for bare and
    self mentions); ``bare`` the level word written instead of a place (县司法局 → 县); ``department`` as
    written (司法局, 人社局; '局' alone for 我局); ``self_ref`` for 我镇/我局."""

    places: tuple[str, ...] = ()
    bare: str = ""
    department: str = ""
    self_ref: bool = False
    text: str = ""  # the mention as written
    government: bool = False  # written as a government or Party committee (XX县人民政府, 中共XX镇委员会)

    @property
    def complete(self) -> bool:
        return bool(self.places)

    @property
    def is_department(self) -> bool:
        return bool(self.department)

    @property
    def level_word(self) -> str:
        """街道/镇/乡/县/区/旗/市 of the place the mention names or stands for ('' for 我局)."""
        if self.places:
            suffix = _suffix_of(normalize(self.places[-1]))
            return suffix[-1] if suffix.startswith("自治") else suffix  # an 自治县 is spoken of as 县
        return self.bare

    @property
    def place(self) -> str:
        """The innermost place as it is filed: 石柱土家族自治县 → 石柱县 (the short form used for
        autonomous counties and banners); 罗子山瑶族乡 keeps its name."""
        if not self.places:
            return ""
        place = self.places[-1]
        m = _ETHNIC_AUTONOMY.match(normalize(place))
        return place[: m.end("stem")] + m.group("unit") if m else place

    @property
    def org(self) -> str:
        """The body as it is filed: place + department (龙华区司法局), or the place (凤鸣镇)."""
        return self.place + self.department if self.places else ""

    @property
    def level(self) -> str:
        if self.department:
            return DEPARTMENT_LEVEL
        return _LEVEL_OF_SUFFIX.get(self.level_word, "县/区" if self.places else "")


# ---------------------------------------------------------------- reading names


def _suffix_of(unit: str) -> str:
    return next((s for s in _SUFFIXES if unit.endswith(s)), "")


def _valid_unit(norm: str) -> bool:
    suffix = _suffix_of(norm)
    stem = norm[: len(norm) - len(suffix)]
    if not stem or any(c in _NEVER_CHARS for c in stem) or any(c in _FUNCTION_CHARS for c in stem[1:]):
        return False
    if any(w in stem for w in _STOP_WORDS):
        return False
    if not re.fullmatch(r"[\u4e00-\u9fff]+", norm):
        return False
    if stem[0] in _NOT_A_START:
        return False
    if len(stem) == 1 and (stem in _NOT_A_PLACE or stem in "县区市镇乡旗州省盟" or suffix not in ("县", "市")):
        return False  # 浚县, 赵县 and 津市 are names; 全镇, 我县 are not
    if stem[-1] == suffix[-1]:
        return False  # 浚县县委 is 浚县 + 县委, not a county called 浚县县
    if any(norm.endswith(g) for g in _GENERIC_UNITS) or norm[-2:] in _GENERIC_TAILS:
        return False
    limit = _MAX_PLACE + 8 if "族" in stem else _MAX_PLACE
    return len(stem) <= limit


def _units_at(norm: str, pos: int, end: int) -> list[int]:
    """Ends of the place units that can start at ``pos``."""
    out = []
    for stop in range(pos + 2, min(end, pos + _MAX_PLACE + 8 + 3) + 1):
        piece = norm[pos:stop]
        if _suffix_of(piece) and _valid_unit(piece):
            out.append(stop)
    return out


def _chains(norm: str, pos: int, end: int) -> list[tuple[int, tuple[tuple[int, int], ...]]]:
    """Every chain of units starting at ``pos``: (end, unit spans), each unit one rank below the last.
    A 街道 may follow its district's 人民政府 (XX区人民政府XX街道办事处)."""
    out: list[tuple[int, tuple[tuple[int, int], ...]]] = []

    def walk(at: int, spans: tuple[tuple[int, int], ...], rank: int) -> None:
        starts = [at]
        if spans and norm.startswith("人民政府", at) and rank == 3:
            starts.append(at + 4)
        for start in starts:
            for stop in _units_at(norm, start, end):
                ranks = _RANKS[_suffix_of(norm[start:stop])]
                fitting = [r for r in ranks if r > rank]
                if not fitting or (start != at and _suffix_of(norm[start:stop]) != "街道"):
                    continue
                chain = (*spans, (start, stop))
                out.append((stop, chain))
                walk(stop, chain, min(fitting))

    walk(pos, (), 0)
    return out


def _department_ends(norm: str, pos: int, end: int) -> list[int]:
    """Where a department name starting at ``pos`` can end (司法局, 人力资源和社会保障局, 政府办公室)."""
    out = []
    for stop in range(pos + 1, min(end, pos + _MAX_DEPARTMENT) + 1):
        piece = norm[pos:stop]
        if not piece.endswith(_DEPARTMENT_END) or not re.fullmatch(r"[\u4e00-\u9fff]+", piece):
            continue
        body = re.sub(r"^(?:人民)?政府(?=办)", "", piece)  # 县政府办公室 is a department of the government
        if any(c in _STOP_CHARS - set("局委办") or c in _NUMERALS for c in body) or any(w in body for w in _STOP_WORDS):
            continue
        if any(c in "局委办" for c in body.rstrip("局委员会办公室分厅署中心")):
            continue  # one department only: not 司法局委
        if re.fullmatch(rf"(?:{'|'.join(LEVEL_WORDS)})?{_GOVERNMENT_WORD}", piece):
            continue
        if piece.startswith("街道") or _units_at(norm, pos, stop):
            continue  # a place is no department: 凤鸣镇委员会 is 凤鸣镇 + 委员会
        out.append(stop)
    return out


def _tail_end(norm: str, pos: int, end: int, pattern: re.Pattern) -> int:
    m = pattern.match(norm, pos, end)
    return m.end() if m else pos


def _government_tail(level_word: str) -> re.Pattern:
    """党委、政府 / 党工委、办事处 / 委员会 after a place; the level word may be repeated (浚县县委, XX镇镇政府,
    永清县委、县政府) but only the place's own one (新市 + 街道办事处 is 新市街道 + 办事处)."""
    again = f"(?:{re.escape(level_word)})?" if level_word else ""
    return re.compile(rf"(?:{again}{_GOVERNMENT_WORD}[、和 ]?)+")


def _read(text: str, norm: str, pos: int, end: int, whole: bool) -> list[tuple[int, Name]]:
    """Names starting at ``pos``: (end, Name) for every reading; ``whole`` readings must stop at a
    separator or ``end`` (a phrase that is only names), others may stop anywhere (running text)."""
    out: list[tuple[int, Name]] = []
    start = pos
    if m := _PARTY_PREFIX.match(norm, pos, end):
        pos = m.end()
    if m := _SELF.match(norm, pos, end):
        word = m.group(1)
        is_dept = word in ("局", "委", "办")
        name = Name(bare="" if is_dept else word, department=word if is_dept else "", self_ref=True, text=text[m.start():m.end()])
        stop = _tail_end(norm, m.end(), end, _government_tail(word)) if not is_dept else m.end()
        out.append((stop, name))
        return out
    heads: list[tuple[int, tuple[str, ...], str]] = []  # (end of place part, places, bare word)
    for stop, spans in _chains(norm, pos, end):
        heads.append((stop, tuple(text[a:b] for a, b in spans), ""))
    for word in LEVEL_WORDS:  # 县司法局, 区政府: the level word stands for the place
        if norm.startswith(word, pos) and not norm.startswith("市场", pos):  # 市场监管局 is no 市
            heads.append((pos + len(word), (), word))
    if not heads:  # 教育局 alone: no place, but the kind of body (a department)
        heads.append((pos, (), ""))
    for head_end, places, bare in heads:
        readings: list[tuple[int, Name]] = []
        inner = _suffix_of(normalize(places[-1])) if places else bare
        gov_end = _tail_end(norm, head_end, end, _government_tail(inner[-1:] if inner in ("自治县", "自治旗") else inner))
        if places or (bare and gov_end > head_end):  # a bare 县 alone is no mention; 县政府 is
            readings.append((gov_end, Name(places, bare, "", False, text[start:gov_end], gov_end > head_end or start < pos)))
        for dept_end in _department_ends(norm, head_end, end) if not inner or inner.endswith(_HAS_DEPARTMENTS) else ():
            stop = _tail_end(norm, dept_end, end, _PARTY_GROUP)
            dept = text[head_end:dept_end]
            readings.append((stop, Name(places, bare, dept, False, text[start:stop])))
        out.extend(readings)
    if whole:
        out = [(e, n) for e, n in out if e == end or norm[e] in _SEPARATORS]
    return out


def names_in(phrase: str) -> list[Name] | None:
    """The names a phrase consists of (a title's body part, a letterhead or signature line, a metadata
    value): 中共云阳县凤鸣镇委员会 云阳县凤鸣镇人民政府 → two mentions of 凤鸣镇. ``None`` when any part of
    the phrase is not a name (县司法局紧紧围绕县, 鲁山人民政府, 本站)."""
    norm = normalize(phrase)
    a, b = 0, len(norm)
    while a < b and norm[a] in _SEPARATORS + ":":
        a += 1
    while b > a and norm[b - 1] in _SEPARATORS + ":.。":
        b -= 1
    if a == b:
        return None

    best: list[Name] | None = None

    def walk(pos: int, found: list[Name]) -> None:
        nonlocal best
        while pos < b and norm[pos] in _SEPARATORS:
            pos += 1
        if pos == b:
            if best is None or _reading_rank(found) > _reading_rank(best):
                best = list(found)
            return
        readings = _read(phrase, norm, pos, b, whole=False)
        for stop, name in readings:
            if stop > pos and (stop == b or norm[stop] in _SEPARATORS or _read(phrase, norm, stop, b, whole=False)):
                walk(stop, [*found, name])

    walk(a, [])
    return best


def _reading_rank(names: list[Name]) -> tuple:
    """Between readings of one phrase prefer fewer pieces, then complete names, then longer departments
    (深圳市龙华区 + 司法局, not 深圳市 + a '龙华区司法局' department)."""
    return (-len(names), sum(n.complete for n in names), sum(len(n.places) for n in names),
            sum(len(n.department) for n in names))


def leading_name(text: str) -> Name | None:
    """The name a sentence opens with (its subject): '桐坪镇在县委…' → 桐坪镇, '县司法局紧紧围绕…' → 县
    司法局 (bare), '我镇坚持…' → self. The longest reading; ``None`` when the sentence opens otherwise."""
    text = text[:_MAX_LEADING]
    norm = normalize(text)
    readings = _read(text, norm, 0, len(norm), whole=False)
    readings = [(e, n) for e, n in readings if e > 0]
    if not readings:
        return None
    # the longest complete reading; a department reading must be followed by no further Han name part
    return max(readings, key=lambda r: (r[1].complete or r[1].self_ref, r[0]))[1]


# ---------------------------------------------------------------- comparing mentions


# Standard short forms of department names, written out the way a body is filed (one body, one name, in
# every year's report). Only forms that stand for one full name everywhere; 文旅局 (文化和旅游局 or
# 文化广电和旅游局…) is not one of them and stays as written.
_SHORT_FORMS = {
    "人社局": "人力资源和社会保障局", "人力社保局": "人力资源和社会保障局", "市场监管局": "市场监督管理局",
    "住建局": "住房和城乡建设局", "卫健局": "卫生健康局", "卫健委": "卫生健康委员会", "卫生健康委": "卫生健康委员会",
    "发改局": "发展和改革局", "发改委": "发展和改革委员会", "发展改革委": "发展和改革委员会", "医保局": "医疗保障局",
    "应急局": "应急管理局", "退役军人局": "退役军人事务局", "政府办": "人民政府办公室", "政府办公室": "人民政府办公室",
    "人防办": "人民防空办公室", "交通局": "交通运输局",
}


def full_department(dept: str) -> str:
    """人社局 → 人力资源和社会保障局, 卫生健康委 → 卫生健康委员会; anything else as written."""
    return _SHORT_FORMS.get(normalize(dept), dept)


def _canonical_department(dept: str) -> str:
    d = normalize(dept)
    d = re.sub(r"^人民政府", "政府", d)
    d = d.replace("委员会", "委").replace("办公室", "办")
    return d


def same_department(a: str, b: str) -> bool:
    """司法局 = 司法局; 人社局 = 人力资源和社会保障局 (an abbreviation keeps the first and last character and
    the order of the rest); 卫生健康委 = 卫生健康委员会; '局' (from 我局) = any 局."""
    x, y = _canonical_department(a), _canonical_department(b)
    if x == y:
        return True
    if len(x) == 1 or len(y) == 1:  # 我局 / 我委 / 我办
        return x[-1] == y[-1]
    short, long = sorted((x, y), key=len)
    if short[0] != long[0] or short[-1] != long[-1]:
        return False
    it = iter(long)
    return all(c in it for c in short)


_ETHNIC_PART = re.compile(r"(?<=[\u4e00-\u9fff]{2})(?:[\u4e00-\u9fff]{1,4}?族)+(?:自治)?(?=(?:县|旗|乡|镇|区)$)")


def place_key(place: str) -> str:
    """What two spellings of one place share: 盘龙彝族乡 and 盘龙乡, 石柱土家族自治县 and 石柱县 (the short form
    drops the peoples' names), 桐溪鎮 and 桐溪镇."""
    return _ETHNIC_PART.sub("", normalize(place))


def same_place(a: Name, b: Name) -> bool:
    return place_key(a.place) == place_key(b.place)


def agrees(mention: Name, body: Name) -> bool:
    """Does ``mention`` (complete, bare or self) fit the complete name ``body``?"""
    if mention.is_department != body.is_department:
        return False
    if mention.is_department and not same_department(mention.department, body.department):
        return False
    if mention.complete:
        return same_place(mention, body)
    return not mention.bare or mention.bare == body.level_word


def complete_with(bare: Name, government: Name) -> Name | None:
    """县市场监督管理局 + 柏阳县 → 柏阳县市场监督管理局: a department named by its level word takes the place
    of a complete government name of that level."""
    if not bare.is_department or bare.complete or bare.self_ref or government.is_department:
        return None
    if not government.complete or government.level_word != bare.bare:
        return None
    return Name(government.places, "", bare.department, False, bare.text)
