"""Who wrote a report, about which year: from the title, letterhead, opening sentence, signature or file name.

Never guesses: a report whose body (org) or year is found nowhere raises ``BadInput`` saying how to
pass it (``--org``/``--year`` or a sidecar ``<file>.meta.yaml``). Every field records where it came
from in ``ReportMeta.provenance``: title, header (letterhead lines above the title), opening,
signature, filename, org (level derived from the body's name), user (flags), sidecar, generated.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from assistant.errors import BadInput
from assistant.lexicon import YEAR
from assistant.textnorm import normalize
from assistant.types import LEVELS, ReportMeta

OVERRIDE_KEYS = ("org", "level", "year", "title")
_HAN = r"[\u4e00-\u9fff]"
# one administrative unit, shortest first: 重庆市|万州区|柱山乡; 街道 is tried before the one-character suffixes
_UNIT = re.compile(rf"{_HAN}{{1,10}}?(?:街道|自治区|自治州|自治县|省|市|州|盟|地区|区|县|旗|镇|乡)")
_DEPARTMENT = re.compile(rf"{_HAN}{{1,12}}?(?:局|办公室|委员会|中心|办|委|所|院|署|队)$")
_LEVEL_BY_SUFFIX = (("街道", "街道"), ("镇", "镇"), ("乡", "乡"), ("县", "县/区"), ("区", "县/区"), ("旗", "县/区"), ("市", "县/区"))
_LEVEL_ALIASES = {"县": "县/区", "区": "县/区", "县区": "县/区", "县级": "县/区", "旗": "县/区", "市": "县/区", "局": "部门", "department": "部门"}
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE_LINE = re.compile(r"^((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日$")
_NOT_A_NAME = set("我本全各该")


def org_from_phrase(phrase: str) -> str | None:
    """The innermost body named by a name-only phrase, in the phrase's own characters.

    中共重庆市万州区柱山乡委员会 → 柱山乡, 中共荆家镇委 → 荆家镇, 上海市嘉定区徐行镇人民政府 → 徐行镇,
    潼关县司法局 → 潼关县司法局 (a department keeps its county), XX街道办事处 → XX街道.
    Matching runs on normalize(phrase) (same offsets), so 涇源縣人民政府 → 涇源縣 works too."""
    norm = normalize(phrase)
    a, b = 0, len(norm)
    while a < b and norm[a] in " :,.。":
        a += 1
    while b > a and norm[b - 1] in " :,.。":
        b -= 1
    if m := re.match(r"关于|中共|中国共产党", norm[a:b]):
        a += m.end()
        if m.group() != "关于" and (tail := re.search(r"(委员会|党委|委)$", norm[a:b])):
            b = a + tail.start()
    if tail := re.search(r"(人民政府|政府|办事处)$", norm[a:b]):
        b = a + tail.start()
    units: list[tuple[int, int]] = []
    pos = a
    while m := _UNIT.match(norm, pos, b):
        end = _extend_unit(norm[:b], m.end())
        units.append((m.start(), end))
        pos = end
    if not units or norm[units[-1][0]] in _NOT_A_NAME:
        return None
    if pos == b:
        return phrase[units[-1][0]:b]
    if _DEPARTMENT.fullmatch(norm[pos:b]):
        return phrase[units[-1][0]:b]
    return None


def _extend_unit(s: str, end: int) -> int:
    """The shortest match stops too early in 万州|区 and 温州|市, or before 街道: take those along."""
    if s.startswith("街道", end):
        return end + 2
    if end < len(s) and s[end] in "市区县旗" and s[end - 1] in "州盟":
        return end + 1
    return end


def level_of(org: str) -> str:
    org = normalize(org)
    if _DEPARTMENT.search(org) and not org.endswith(("街道", "镇", "乡", "县", "区", "旗")):
        return "部门"
    for suffix, level in _LEVEL_BY_SUFFIX:
        if org.endswith(suffix):
            return level
    return "部门"


def _opening_org(norm_line: str, line: str) -> str | None:
    """Body named at the start of the opening sentence: '2024年,吉昌镇在…', '现将柱山乡2024年…'."""
    for anchor in (re.compile(r"^(?:19|20)\d{2}年度?(?:以来)?,?\s*"), re.compile(r"现将\s*")):
        a = anchor.search(norm_line)
        if not a:
            continue
        m = _UNIT.match(norm_line, a.end())
        if not m or norm_line[m.start()] in _NOT_A_NAME:
            continue
        end = _extend_unit(norm_line, m.end())
        dept = re.match(rf"{_HAN}{{1,8}}?(?:局|办公室)", norm_line[end:])
        if dept:
            end += dept.end()
        return line[m.start():end]
    return None


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


def extract_meta(
    text: str,
    filename: str,
    *,
    published: date | None = None,
    overrides: dict | None = None,
    override_source: dict[str, str] | None = None,
) -> ReportMeta:
    """Metadata of a cleaned report. ``overrides`` (already validated) win; ``override_source`` says
    for each overridden key whether it came from the user's flags or a sidecar file (default: user)."""
    overrides = overrides or {}
    source_of = override_source or {}
    lines = [ln for ln in text.split("\n") if ln.strip()]
    head = lines[:8]
    title_index = next((i for i, ln in enumerate(head) if _is_title(ln)), None)
    title = lines[title_index] if title_index is not None else None
    if title_index is not None:
        letterhead, body_start = lines[:title_index], title_index + 1
    else:  # no title: short unpunctuated lines at the top are still a letterhead (中共XX乡委员会 / XX乡人民政府)
        letterhead = []
        for ln in lines[:3]:
            if len(ln) > 30 or re.search(r"[。,，:：;；、]", ln) or re.match(r"^[一二三四五六七八九十]+、", ln):
                break
            letterhead.append(ln)
        body_start = len(letterhead)
    opening = [ln for ln in lines[body_start : body_start + 3] if not _is_addressee(ln)][:2]
    signature, signed = _signature(lines)
    stem = Path(filename).stem

    found: dict[str, tuple[object, str]] = {}
    for key in OVERRIDE_KEYS:
        if key in overrides:
            found[key] = (overrides[key], source_of.get(key, "user"))

    if "org" not in found:
        candidates = []
        if title:
            candidates.append((_title_prefix(title), "title"))
        candidates += [(org_from_phrase(ln), "header") for ln in reversed(letterhead)]
        candidates += [(_opening_org(normalize(ln), ln), "opening") for ln in opening]
        candidates += [(org_from_phrase(ln), "signature") for ln in signature]
        candidates.append((_filename_org(stem), "filename"))
        org = next(((o, src) for o, src in candidates if o), None)
        if org is None:
            raise BadInput(
                f"{filename}: 无法识别报告单位(标题、开头、落款和文件名中都没有单位名称)。"
                f"请用 --org 指定(如 --org 吉昌镇),或在文件旁放 {Path(filename).name}.meta.yaml 写 org: 吉昌镇"
            )
        found["org"] = org
    if "year" not in found:
        year = None
        for value, src in [(title, "title"), *((ln, "opening") for ln in opening)]:
            if value and (year := _year_in(value)):
                found["year"] = (year, src)
                break
        if year is None and (m := YEAR.search(stem)):
            found["year"] = (int(m.group(1)), "filename")
        if "year" not in found:
            raise BadInput(
                f"{filename}: 无法识别报告年度(标题、开头和文件名中都没有年份)。"
                f"请用 --year 指定(如 --year 2024),或在文件旁放 {Path(filename).name}.meta.yaml 写 year: 2024"
            )
    org, year = str(found["org"][0]), int(found["year"][0])
    if "level" not in found:
        found["level"] = (level_of(org), "org")
    generated = False
    if "title" not in found:
        if title:
            found["title"] = (title, "title")
        else:
            found["title"] = (f"{org}{year}年法治政府建设情况报告", "generated")
            generated = True
    provenance = {key: src for key, (_, src) in found.items()}
    if published:
        provenance["published"] = "page"
    if signed:
        provenance["signed"] = "signature"
    return ReportMeta(
        org=org,
        level=str(found["level"][0]),
        year=year,
        title=str(found["title"][0]),
        title_generated=generated,
        published=published,
        signed=signed,
        source=Path(filename).name,
        provenance=provenance,
    )


def _is_addressee(line: str) -> bool:
    """县委、县政府: — short, ends in a colon, says nothing else (unlike "现将…报告如下:")."""
    norm = normalize(line).strip()
    return len(norm) <= 24 and norm.endswith(":") and not re.search(r"报告|如下|\d", norm)


def _is_title(line: str) -> bool:
    norm = normalize(line)
    return (
        len(norm) <= 60 and "报告" in norm and "法治" in norm
        and not norm.startswith("现将") and not re.search(r"[。,:;]", norm)  # a sentence, not a title
    )


def _title_prefix(title: str) -> str | None:
    """Body named before the year in a title: 徐行镇2024年法治政府建设情况报告 → 徐行镇."""
    m = re.match(r"^\s*(?:关于)?(.+?)(?:关于)?(?:19|20)\d{2}\s*年", normalize(title))
    return org_from_phrase(title[m.start(1):m.end(1)]) if m else None


def _filename_org(stem: str) -> str | None:
    """吉昌镇2024年法治政府建设报告, 2024-吉昌镇, 吉昌镇_2024 → 吉昌镇 (pinyin names give nothing)."""
    for m in re.finditer(r"(?:(?!(?:19|20)\d{2})[^-_\s.,()])+", normalize(stem)):
        part = stem[m.start():m.end()]
        if org := org_from_phrase(part) or _title_prefix(part):
            return org
    return None


def _year_in(line: str) -> int | None:
    norm = normalize(line)
    m = re.search(r"现将.{0,20}?((?:19|20)\d{2})\s*年", norm) or _YEAR.search(norm)
    return int(m.group(1)) if m else None


def _signature(lines: list[str]) -> tuple[list[str], date | None]:
    """Lines of the signature block above a closing date line (荆家镇: 中共荆家镇委 / 2023年12月18日)."""
    tail = lines[-4:]
    for i in range(len(tail) - 1, -1, -1):
        m = _DATE_LINE.match(normalize(tail[i]).replace(" ", ""))
        if m:
            try:
                signed = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return [], None
            names = [ln for ln in tail[:i] if len(ln) <= 30 and not re.search(r"[。,，:：;；]", ln)]
            return names[-2:], signed
    return [], None
