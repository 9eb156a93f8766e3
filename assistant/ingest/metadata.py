"""Who wrote a report, about which year: every place that names them, and they must agree.

Sources of the body (org), strongest first: the title (also a title printed over several lines, and a
page's 名称/标题 field), the letterhead lines right above it (中共XX镇委员会 / XX镇人民政府), the opening
sentence's subject (after its year and any "在县委、县政府坚强领导下," lead), the signature above the
closing date; then, as weaker evidence, the page's information table (发布机构, 来源, 信息来源 …: often
the site or the office that posted it) and the file name. What is a name at all is decided in one place,
``assistant.ingest.names``.

Rules: the complete names from strong sources must all name one body; bare mentions (县司法局, 区政府,
教育局) and self mentions (我镇, 我局) must fit it; a department named by its level word alone takes its
place from a title or letterhead naming that place (关于柏阳县…) or from the page table — not from one
naming the place's government (柏阳县人民政府关于…: that report is the government's). Weak sources (the
page table, the file name, and name lines at the top of a text without a title, which may be a copied
page's site name) are used only when no strong source names the body completely and the text's own
bare or self mentions fit them; they never overrule a strong source. Anything else — no
well-formed name, two bodies, a mention that does not fit — raises ``BadInput`` with the reason and how
to pass the body (``--org`` or a sidecar ``<file>.meta.yaml``). The year: title, opening, then file name;
title and opening must agree. Provenance values: title, header, top, opening, signature, meta, filename,
org (level derived from the body's name), user, sidecar, generated, page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.errors import BadInput
from assistant.ingest.names import Name, agrees, complete_with, full_department, leading_name, names_in
from assistant.ingest.outline import cn_number, heading_of, split_paragraphs
from assistant.lexicon import DOC_NUMBER, YEAR
from assistant.textnorm import normalize
from assistant.types import LEVELS, ReportMeta

OVERRIDE_KEYS = ("org", "level", "year", "title")
_LEVEL_ALIASES = {"县": "县/区", "区": "县/区", "县区": "县/区", "县级": "县/区", "旗": "县/区", "市": "县/区", "局": "部门", "department": "部门"}
STRONG_SOURCES = ("title", "header", "signature", "opening")  # in the order a name is preferred for display
WEAK_SOURCES = ("top", "meta", "filename")  # top: name lines heading a text that has no title
PUBLISHER_FIELDS = ("发布机构", "发文机关", "发文机构", "发文单位", "信息来源", "文章来源", "来源", "责任部门", "责任单位")
TITLE_FIELDS = ("名称", "标题")

_YEAR = r"((?:19|20)\d{2})"
# a year as a title writes it: 2024年, 2024年度, 2025度 (年 dropped), 2024法治… — not the end of a span (2021-2025年)
_TITLE_YEAR = re.compile(rf"(?<![\d\-—–~至])(?<![\d\-—–~至]\s){_YEAR}(?:\s*年|度|(?=法治))(?!\d)")
_LEADING_YEAR = re.compile(rf"^\s*{_YEAR}(?=\s*(?:年|度|[,，]|[\u4e00-\u9fff]))")
_SENTENCE = re.compile(r"[。;；!！?？]")
_SENTENCE_PUNCT = re.compile(r"[。,，;；:：!！?？]")
_TITLE_WORDS = re.compile(r"报告|情况|总结|汇报")
_HEAD_LINES = 25  # a title is looked for among the first lines that are not yet the text (site furniture, letterhead)
# what comes before an opening's subject: its year ("2024年,", "2023年以来", "一年来"), a lead ("在县委、县政府的
# 坚强领导下,"), a basis ("根据《…》要求,") — stripped in any order
_BEFORE_SUBJECT = (
    re.compile(rf"\s*(?:{_YEAR}\s*年?度?(?:以来|来)?|今年以来|一年来|一年以来|本年度|年初以来|过去的?一年里?)\s*[,，]?\s*"),
    re.compile(r"在[^。;；]{1,80}?(?:领导|指导|支持|关心|帮助|部署|带领|监督|关怀|推动)下\s*[,，、]?\s*"),
    re.compile(r"根据[^。;；]{1,120}?(?:要求|规定|精神|部署|安排|通知)\s*[,，]\s*"),
)
_XIANJIANG = re.compile(r"现将")
_PREAMBLE = re.compile(rf"^\s*(?:(?:{_YEAR}\s*年|今年|这一年)是|根据|按照|为)[^。]*。?\s*$")
_THEME = re.compile(rf"^\s*(?:{_YEAR}\s*年|今年|这一年)是[^。]*。")
_CN_DIGIT = {c: str(d) for d, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}  # 二〇二五年 → 2025
_DATE_LINE = re.compile(r"^(?:(?P<y>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日|(?P<cy>[〇零一二三四五六七八九]{4})年(?P<cm>[一二三四五六七八九十]{1,2})月(?P<cd>[一二三四五六七八九十]{1,3})日)$")


@dataclass
class Mention:
    name: Name
    source: str  # one of STRONG_SOURCES + WEAK_SOURCES


def _unknown_org(filename: str, why: str) -> BadInput:
    name = Path(filename).name
    return BadInput(
        f"{name}: 无法识别报告单位({why})。请用 --org 指定(如 --org 吉昌镇),或在文件旁放 {name}.meta.yaml 写 org: 吉昌镇"
    )


def level_of(org: str) -> str:
    """Level of a body from its name (a user's --org too); '部门' when it is not a place's government."""
    found = names_in(org)
    if found and found[-1].level:
        return found[-1].level
    norm = normalize(org).strip()
    for suffix, level in (("街道", "街道"), ("镇", "镇"), ("乡", "乡"), ("县", "县/区"), ("区", "县/区"), ("旗", "县/区")):
        if norm.endswith(suffix):
            return level
    return "部门"


def validate_overrides(values: dict, where: str) -> dict:
    """Check user/sidecar overrides: known keys, a real level, a plausible year. ``where`` names the source."""
    unknown = sorted(set(values) - set(OVERRIDE_KEYS))
    if unknown:
        raise BadInput(f"{where}: 不认识的字段 {', '.join(unknown)}(可用: {', '.join(OVERRIDE_KEYS)})")
    out: dict = {}
    for key, value in values.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key == "year":
            try:
                year = int(str(value).strip().rstrip("年"))
            except ValueError:
                raise BadInput(f"{where}: 年度 {value!r} 不是数字(例如 2024)") from None
            if not 1990 <= year <= 2100:
                raise BadInput(f"{where}: 年度 {year} 不在合理范围(1990–2100)")
            out[key] = year
        elif key == "level":
            level = _LEVEL_ALIASES.get(str(value).strip(), str(value).strip())
            if level not in LEVELS:
                raise BadInput(f"{where}: 级别 {value!r} 无效,可用: {'、'.join(LEVELS)}")
            out[key] = level
        else:
            out[key] = str(value).strip()
    return out


# ---------------------------------------------------------------- where things are in the text


@dataclass
class Head:
    """The parts of a report that name its author: found once, read by the org and year rules."""

    titles: list[str]  # the title (lines joined) and any repeat of it; a page's 名称 field last
    letterhead: list[str]  # name lines right above the title (or at the top when there is none)
    opening: list[str]  # the first paragraphs of the text proper (addressee lines left out)
    signature: list[str]  # name lines above the closing date
    signed: date | None


def read_head(text: str, fields: dict[str, str]) -> Head:
    paras = split_paragraphs(text, normalize(text))
    lines = [p.text.strip() for p in paras]
    titles: list[str] = []
    letterhead: list[str] = []
    body_start = 0
    k, run, names_above = 0, [], []
    while k < min(len(lines), _HEAD_LINES):
        line = lines[k]
        if _is_body_line(line, paras[k]):
            break
        if _titleish(line):
            run.append(line)
            joined = "".join(run)
            if _is_title(joined) and (_TITLE_WORDS.search(normalize(line)) or k + 1 >= len(lines) or not _titleish(lines[k + 1])):
                if not titles:
                    letterhead = names_above
                titles.append(joined)
                body_start, run, names_above = k + 1, [], []
        elif names_in(line) is not None:
            run, names_above = [], [*names_above, line] if not run else [line]
            if not titles:
                body_start = k + 1
        else:
            run, names_above = [], []
        k += 1
    if not titles:
        letterhead = []
        for line in lines[:3]:  # no title: name lines at the very top are the letterhead
            if _is_addressee(line) or names_in(line) is None:
                break
            letterhead.append(line)
        body_start = len(letterhead)
    titles += [v for label in TITLE_FIELDS if (v := fields.get(label)) and _is_title(v)]
    opening = _opening(lines, paras, body_start)
    signature, signed = _signature(lines)
    return Head(titles, letterhead, opening, signature, signed)


def _is_body_line(line: str, para) -> bool:
    norm = normalize(line)
    return (
        bool(heading_of(para)) or _is_addressee(line) or "现将" in norm or "。" in norm
        or (len(norm) > 30 and _SENTENCE_PUNCT.search(norm) is not None)
    )


def _titleish(line: str) -> bool:
    """A line that can be (part of) a title: short, not a sentence, about the report or the year."""
    norm = normalize(line)
    return (
        len(norm) <= 80 and not _SENTENCE_PUNCT.search(norm) and not norm.startswith("现将")
        and bool(re.search(r"法治|报告|总结|情况|汇报|(?:19|20)\d{2}", norm)) and not _DATE_LINE.match(norm.strip("() "))
    )


def _is_title(text: str) -> bool:
    norm = normalize(text)
    return len(norm) <= 120 and "法治" in norm and bool(_TITLE_WORDS.search(norm)) and not _SENTENCE_PUNCT.search(norm)


def _is_addressee(line: str) -> bool:
    """县委、县政府: — short, ends in a colon, says nothing else (unlike "现将…报告如下:")."""
    norm = normalize(line).strip()
    return len(norm) <= 30 and norm.endswith(":") and not re.search(r"报告|如下|\d", norm)


def _opening(lines: list[str], paras, start: int) -> list[str]:
    """Up to two paragraphs after the title: addressee lines, document numbers and other short lines
    without a sentence skipped; none when the text goes straight to its first numbered section."""
    out = []
    for k in range(start, min(len(lines), start + 6)):
        line = lines[k]
        if heading_of(paras[k]):
            break
        norm = normalize(line)
        prose = _SENTENCE.search(norm) if len(norm) <= 30 else _SENTENCE_PUNCT.search(norm)
        if _is_addressee(line) or (not prose and "现将" not in norm):
            continue  # an addressee, a document number, a site or menu line: not the opening
        out.append(line)
        if len(out) == 2:
            break
    return out


def _signature(lines: list[str]) -> tuple[list[str], date | None]:
    """Name lines of the signature block above a closing date line (荆家镇: 中共荆家镇委 / 2023年12月18日)."""
    tail = lines[-5:]
    for i in range(len(tail) - 1, -1, -1):
        signed = _date_line(tail[i])
        if signed is not False:
            names = [ln for ln in tail[:i] if len(ln) <= 40 and names_in(ln) is not None]
            return names[-2:], signed or None
    return [], None


def _date_line(line: str) -> date | None | bool:
    """The date of a closing date line (None when it is no valid date), False when the line is no date line."""
    m = _DATE_LINE.match(normalize(line).replace(" ", ""))
    if not m:
        return False
    try:
        if m.group("y"):
            return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        year = int("".join(_CN_DIGIT[c] for c in m.group("cy")))
        return date(year, cn_number(m.group("cm")), cn_number(m.group("cd")))
    except ValueError:
        return None


# ---------------------------------------------------------------- the body


def title_mentions(title: str) -> list[Name]:
    """The body a title names before its year or 关于 (徐行镇2024年…, 中共XX镇委员会 XX镇人民政府关于…), or
    between a leading year and 法治 (2022年绿塘乡法治政府建设工作报告). [] when the title names none."""
    lead = re.match(r"\s*关于", normalize(title))  # 关于XX镇2024年…的报告
    if lead:
        return title_mentions(title[lead.end():])
    norm = normalize(title)
    cut = re.search(rf"关于|{_YEAR}\s*年|{_YEAR}度|{_YEAR}(?=法治)|法治|全面依法治", norm)
    phrase = title[: cut.start()] if cut else title
    if not phrase.strip(" /") and cut and re.match(_YEAR, norm[cut.start():]):
        after = re.match(rf"{_YEAR}\s*年?度?\s*(.*?)(?:法治|全面依法治)", norm[cut.start():])
        phrase = title[cut.start() + after.start(2): cut.start() + after.end(2)] if after else ""
    return names_in(phrase) or [] if phrase.strip(" /") else []


def opening_mentions(paragraphs: list[str]) -> list[Name]:
    """The subject of the opening sentence, after its year, lead and basis clauses (2024年,在区委、区政府
    坚强领导下,望津街道… → 望津街道), of the sentence after a 'YYYY年是…' theme sentence, and the body a
    '现将XX镇2024年…报告如下' sentence names."""
    found: list[Name] = []
    for k, para in enumerate(paragraphs):
        text = para
        if m := _THEME.match(normalize(text)):
            text = text[m.end():]
        # the second paragraph's first words are its subject only after a first paragraph that is all
        # preamble (a theme or basis sentence); otherwise they may well be another body (县司法局指导我镇…)
        if (k == 0 or _PREAMBLE.match(normalize(paragraphs[0]))) and (name := _subject(text)):
            found.append(name)
        for m in _XIANJIANG.finditer(normalize(para)):
            if name := leading_name(para[m.end():]):
                found.append(name)
        if found:
            break
    return found


def _subject_start(norm: str) -> tuple[int, int | None]:
    """Where an opening sentence's subject starts, past its year, lead and basis clauses; and the year
    one of those clauses gave (根据…要求,2023年,清波街道… → 2023)."""
    pos, year, moved = 0, None, True
    while moved:
        moved = False
        for pattern in _BEFORE_SUBJECT:
            if (m := pattern.match(norm, pos)) and m.end() > pos:
                if year is None and m.lastindex and m.group(1):
                    year = int(m.group(1))
                pos, moved = m.end(), True
    return pos, year


def _subject(sentence: str) -> Name | None:
    pos, _ = _subject_start(normalize(sentence))
    return leading_name(sentence[pos:])


def filename_mentions(stem: str) -> list[Name]:
    """吉昌镇2024年法治政府建设报告, 2024-吉昌镇, 吉昌镇_2024 → 吉昌镇 (pinyin names give nothing)."""
    for m in re.finditer(r"(?:(?!(?:19|20)\d{2})[^-_\s.,()])+", normalize(stem)):
        part = stem[m.start():m.end()]
        if found := names_in(part) or title_mentions(part):
            return found
    return []


def find_org(head: Head, fields: dict[str, str], filename: str) -> tuple[str, str]:
    """(org, source) for a report, or ``BadInput`` with the reason."""
    mentions: list[Mention] = []
    for title in head.titles:
        mentions += [Mention(n, "title") for n in title_mentions(title)]
    for line in head.letterhead:  # without a title, name lines at the top may be a copied page's site name
        mentions += [Mention(n, "header" if head.titles else "top") for n in names_in(line) or []]
    for line in head.signature:
        mentions += [Mention(n, "signature") for n in names_in(line) or []]
    mentions += [Mention(n, "opening") for n in opening_mentions(head.opening)]
    for label in PUBLISHER_FIELDS:
        if value := fields.get(label):
            mentions += [Mention(n, "meta") for n in names_in(value) or []]
    mentions += [Mention(n, "filename") for n in filename_mentions(Path(filename).stem)]

    partial = [m for m in mentions if not m.name.complete and m.source in STRONG_SOURCES]
    strong = [m for m in mentions if m.name.complete and m.source in STRONG_SOURCES]
    weak = [m for m in mentions if m.name.complete and m.source in WEAK_SOURCES]

    body = _one_body(strong, filename)
    if body is None and partial:  # a weak name counts only when the text's own mentions (我镇, 区司法局) fit it
        fitting = [m for m in weak if all(agrees(p.name, m.name) or complete_with(p.name, m.name) for p in partial)]
        body = _one_body(fitting, filename) if fitting else None
    # 县市场监督管理局 takes its county from a title or letterhead naming the place (关于柏阳县…) or from the page
    # table; not from one naming the county's government (柏阳县人民政府关于…): that report is the government's
    composable = body is not None and not body.name.is_department and not (body.name.government and body.source in STRONG_SOURCES)
    if composable:
        bare = [p.name for p in partial if complete_with(p.name, body.name)]
        if bare and all(agrees(b, complete_with(bare[0], body.name)) for b in bare):
            body = Mention(complete_with(max(bare, key=lambda b: len(b.department)), body.name), body.source)
    if body is None:
        raise _unknown_org(filename, _why_none(mentions, partial))
    misfits = [p for p in partial if not agrees(p.name, body.name)]
    if misfits:
        bad = misfits[0]
        raise _unknown_org(filename, f"{_SOURCE_WORDS[body.source]}为{body.name.org},但{_SOURCE_WORDS[bad.source]}称“{bad.name.text}”")
    return _display(body, mentions), body.source


_SOURCE_WORDS = {"title": "标题", "header": "文头", "top": "文首", "signature": "落款", "opening": "开头", "meta": "网页信息栏",
                 "filename": "文件名"}


def _one_body(mentions: list[Mention], filename: str) -> Mention | None:
    """The one body the mentions name (preferring the strongest source), or ``BadInput`` when they
    name two."""
    if not mentions:
        return None
    ranked = sorted(mentions, key=lambda m: (STRONG_SOURCES + WEAK_SOURCES).index(m.source))
    first = ranked[0]
    for other in ranked[1:]:
        if not agrees(other.name, first.name):
            raise _unknown_org(
                filename,
                f"{_SOURCE_WORDS[first.source]}为{first.name.org},{_SOURCE_WORDS[other.source]}为{other.name.org},互相矛盾",
            )
    return first


def _display(body: Mention, mentions: list[Mention]) -> str:
    """The body as filed: place from the chosen name, the department written out in full where any
    mention does (卫生健康委 in the page table, 卫生健康委员会 in the title)."""
    name = body.name
    if name.is_department:
        spelled = [full_department(m.name.department) for m in mentions if m.name.is_department and agrees(m.name, name)]
        return name.place + max(spelled, key=len, default=full_department(name.department))
    return name.org


def _why_none(mentions: list[Mention], partial: list[Mention]) -> str:
    if partial:
        said = "、".join(dict.fromkeys(f"“{p.name.text}”" for p in partial))
        return f"只写了{said},没有写明是哪个单位"
    weak = [m for m in mentions if m.name.complete]
    if weak:
        where = "、".join(dict.fromkeys(_SOURCE_WORDS[m.source] for m in weak))
        return f"只有{where}写了单位名称,正文没有可印证的称呼"
    return "标题、文头、开头、落款、网页信息栏和文件名中都没有完整的单位名称"


# ---------------------------------------------------------------- the year


def title_year(title: str) -> int | None:
    m = _TITLE_YEAR.search(normalize(title))
    return int(m.group(1)) if m else None


def opening_year(paragraphs: list[str]) -> int | None:
    """2024年,… / 2023年以来 / 现将我镇2024年…报告如下 in the first opening paragraph that has one."""
    for para in paragraphs:
        norm = normalize(para)
        if m := _LEADING_YEAR.match(norm):
            return int(m.group(1))
        if year := _subject_start(norm)[1]:
            return year
        if m := re.search(rf"现将.{{0,30}}?{_YEAR}\s*年", norm):
            return int(m.group(1))
    return None


def find_year(head: Head, filename: str) -> tuple[int, str]:
    titled = [y for t in head.titles if (y := title_year(t))]
    opened = opening_year(head.opening)
    if len(set(titled)) > 1:
        raise _unknown_year(filename, f"标题中的年度不一致: {'、'.join(map(str, sorted(set(titled))))}")
    if titled and opened and titled[0] != opened:
        raise _unknown_year(filename, f"标题为{titled[0]}年,开头为{opened}年,互相矛盾")
    if titled:
        return titled[0], "title"
    if opened:
        return opened, "opening"
    if m := YEAR.search(Path(filename).stem):
        return int(m.group(1)), "filename"
    raise _unknown_year(filename, "标题、开头和文件名中都没有年份")


def _unknown_year(filename: str, why: str) -> BadInput:
    name = Path(filename).name
    return BadInput(f"{name}: 无法识别报告年度({why})。请用 --year 指定(如 --year 2024),或在文件旁放 {name}.meta.yaml 写 year: 2024")


# ---------------------------------------------------------------- together


def extract_meta(
    text: str,
    filename: str,
    *,
    published: date | None = None,
    fields: dict[str, str] | None = None,
    overrides: dict | None = None,
    override_source: dict[str, str] | None = None,
) -> ReportMeta:
    """Metadata of a cleaned report. ``fields`` is the page's information table (``Cleaned.fields``);
    ``overrides`` (already validated) win; ``override_source`` says for each overridden key whether it
    came from the user's flags or a sidecar file (default: user)."""
    overrides = overrides or {}
    source_of = override_source or {}
    fields = fields or {}
    head = read_head(text, fields)
    found: dict[str, tuple[object, str]] = {key: (overrides[key], source_of.get(key, "user")) for key in OVERRIDE_KEYS if key in overrides}
    if "org" not in found:
        found["org"] = find_org(head, fields, filename)
    if "year" not in found:
        found["year"] = find_year(head, filename)
    org, year = str(found["org"][0]), int(found["year"][0])
    if "level" not in found:
        found["level"] = (level_of(org), "org")
    generated = False
    if "title" not in found:
        if head.titles:
            found["title"] = (head.titles[0], "title")
        else:
            found["title"] = (f"{org}{year}年法治政府建设情况报告", "generated")
            generated = True
    provenance = {key: src for key, (_, src) in found.items()}
    if published:
        provenance["published"] = "page"
    if head.signed:
        provenance["signed"] = "signature"
    doc_number, doc_number_source = _doc_number(text, fields)
    if doc_number:
        provenance["doc_number"] = doc_number_source
    return ReportMeta(
        org=org,
        level=str(found["level"][0]),
        year=year,
        title=str(found["title"][0]),
        title_generated=generated,
        published=published,
        signed=head.signed,
        doc_number=doc_number,
        source=Path(filename).name,
        provenance=provenance,
    )


def _doc_number(text: str, fields: dict[str, str]) -> tuple[str, str]:
    """(the report's 文号, where it was found): the page's 文号 field ("meta"), else a number on its own line
    among the first lines ("header": a letterhead prints it under the issuing body, above the title); ("", "")
    when neither has one. A 文号 quoted in the text is another document's."""
    for label in ("文号", "发文字号"):
        if m := DOC_NUMBER.search(fields.get(label, "")):
            return re.sub(r"\s+", "", m.group(0)), "meta"
    for line in text.splitlines()[:_HEAD_LINES]:
        if (m := DOC_NUMBER.search(line)) and len(line.strip()) <= len(m.group(0)) + 4:
            return re.sub(r"\s+", "", m.group(0)), "header"
    return "", ""
