"""Questions about a report itself — its dates, signer, title, addressee, document number, the years the
library holds — answered by code from the report's metadata and its own text, cited to the report.

A model has no better way to know when a report was published than the metadata ingestion read off the
page, and it tends to answer with a date from the report's body. So these are answered without one; a
fact neither the metadata nor the text holds is said to be missing, never guessed.
"""

from __future__ import annotations

import re
from datetime import date

from assistant.answers.citations import REFUSAL
from assistant.answers.question import Question
from assistant.lexicon import DOC_NUMBER
from assistant.types import Answer, Citation, Evidence, Part, Report, SearchFilter

FIELDS = {
    "years": "报告年度", "signer": "落款单位", "published": "发布日期", "signed": "落款日期",
    "title": "标题", "addressee": "报送机关", "docnumber": "文号",
}
_ADDRESSEE = re.compile(r"^\s*([^\s。,，;；]{2,40})[:：]\s*$")
_DATE_LINE = re.compile(r"^\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_PROVENANCE = {"page": "网页上的发布日期", "sidecar": "随文件提供的元数据", "user": "用户更正的元数据",
               "signature": "文末落款", "title": "报告标题", "generated": "报告没有标题,系统按单位和年度生成"}


def meta_answer(question: Question, catalog: list, library, given: SearchFilter | None = None) -> Answer:
    """The answer to a question about a report itself (``question.meta_field``): which years from the
    ``catalog``; any other fact read off the one report asked about (``library.get``)."""
    field = question.meta_field or ""
    orgs = (given.orgs if given is not None and given.orgs else None) or list(question.bodies)
    if not orgs and len({e.org for e in catalog}) == 1:
        orgs = [catalog[0].org]
    own = sorted((e for e in catalog if e.org in orgs), key=lambda e: (e.org, e.year))
    if field == "years":
        return _years(question, orgs, own)
    years = set((given.years if given is not None and given.years else None) or question.report_years)
    chosen = [library.get(e.id) for e in ([e for e in own if e.year in years] or own[-1:])]
    lines, citations, missing = [], [], []
    for report in chosen:
        fact = _fact(field, report)
        if fact is None:
            missing.append(report.meta.label)
            continue
        text, citation = fact
        citations.append(citation)
        lines.append(f"{text}[{len(citations)}]。")
    if not lines:
        why = f"{'、'.join(missing) or '所问单位'}的报告元数据和正文中都没有{FIELDS.get(field, '这一信息')}。"
        return _answer(question, REFUSAL, [], why, refused=True)
    note = "以上由程序从报告的元数据和原文读出,未经模型。"
    if missing:
        note += f"{'、'.join(missing)}的报告中没有{FIELDS[field]}。"
    return _answer(question, "".join(lines), citations, note)


def _years(question: Question, orgs: list[str], own: list) -> Answer:
    """Which years the library holds for the bodies asked, from their catalog entries."""
    if not own:
        return _answer(question, REFUSAL, [], "报告库中没有所问单位的报告。", refused=True)
    citations = [_meta_citation(e, "报告", f"《{e.title}》(文件 {e.source})") for e in own]
    years = "、".join(f"{e.year}年度[{i}]" for i, e in enumerate(own, start=1))
    who = "、".join(orgs)
    text = f"报告库中{who}共有{len(own)}份法治政府建设年度报告:{years}。"
    return _answer(question, text, citations, "以上由程序从报告库的目录读出,未经模型。")


def _fact(field: str, report: Report) -> tuple[str, Citation] | None:
    """(sentence without its citation mark, citation) for one report, or None when the report lacks it."""
    m, label = report.meta, f"{report.meta.org}{report.meta.year}年度报告"
    if field == "published":
        if m.published is None:
            return None
        where = _PROVENANCE.get(m.provenance.get("published", ""), "元数据")
        return f"{label}的发布日期是{_cn(m.published)}", _meta_citation(report, "发布日期", f"发布日期 {m.published.isoformat()}({where})")
    if field in ("signed", "signer"):
        return _signature(field, report, label)
    if field == "title":
        title = _title(report)
        return f"{label}的标题是《{title}》", _cite_text(report, title, "标题") or _meta_citation(report, "标题", title)
    if field == "addressee":
        head = report.text[:400].splitlines()[:6]
        found = next((mm.group(1) for line in head if (mm := _ADDRESSEE.match(line))), None)
        if found is None:
            return None
        return f"{label}报送给{found}", _cite_text(report, found, "抬头") or _meta_citation(report, "抬头", found + ":")
    if field == "docnumber":
        if m.doc_number:  # from the page's information table or the letterhead, at import
            number = m.doc_number
        elif mm := DOC_NUMBER.search(report.text):
            number = mm.group(0)
        else:
            return None
        return f"{label}的文号是{number}", _cite_text(report, number, "文号") or _meta_citation(report, "文号", number)
    return None


def _signature(field: str, report: Report, label: str) -> tuple[str, Citation] | None:
    """The signing bodies (the short lines right above the date at the end) and the date."""
    signed = report.meta.signed
    if signed is None:
        return None
    tail = report.text.rstrip().splitlines()[-6:]
    at = max((i for i, line in enumerate(tail) if _DATE_LINE.match(line)), default=None)
    signers: list[str] = []
    if at is not None:
        for line in reversed(tail[:at]):
            if not line.strip() or line.strip().endswith(("。", ":", "：")) or len(line.strip()) > 40:
                break
            signers[:0] = [s for s in re.split(r"\s{2,}|\u3000+", line.strip()) if s]
    date_line = tail[at].strip() if at is not None else ""
    citation = _cite_text(report, date_line, "落款") or _meta_citation(report, "落款", "\n".join([*signers, _cn(signed)]))
    if field == "signer":
        if not signers:
            return f"{label}文末落款只有日期({_cn(signed)}),没有署名单位", citation
        return f"{label}以{'、'.join(signers)}的名义落款,落款日期为{_cn(signed)}", citation
    return f"{label}的落款日期是{_cn(signed)}", citation


def _title(report: Report) -> str:
    """The title as printed; for a report whose title ingestion did not take (a PDF title wrapped over two
    lines), the opening lines before the addressee or the first paragraph, joined."""
    if not report.meta.title_generated or report.meta.title in report.text:
        return report.meta.title
    lines = []
    for line in report.text[:300].splitlines():
        line = line.strip()
        if not line or _ADDRESSEE.match(line) or re.search(r"[。,，;；]", line):
            break
        lines.append(line)
    joined = "".join(lines)
    return joined if "报告" in joined and len(joined) <= 80 else report.meta.title


def _cite_text(report: Report, needle: str, heading: str) -> Citation | None:
    """A citation to the chunk holding ``needle``; else to the report text around it (headings and title
    lines are not chunks); None when the text does not hold it."""
    for chunk in report.chunks:
        if needle and needle in chunk.text:
            return Citation(Evidence.make_id(chunk.id), report.id, report.meta.org, report.meta.year, chunk.part,
                            chunk.heading_path[-1] if chunk.heading_path else heading, chunk.text, chunk.id, matched_by_code=True)
    if needle and needle in report.text.replace("\n", ""):
        return _meta_citation(report, heading, needle)
    return None


def _meta_citation(source, heading: str, quote: str) -> Citation:
    """A citation to a report's metadata; ``source``: the Report, or its catalog entry."""
    org, year = (source.meta.org, source.meta.year) if isinstance(source, Report) else (source.org, source.year)
    return Citation(f"meta-{source.id}", source.id, org, year, Part.PREAMBLE, heading, quote, "", matched_by_code=True)


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _answer(question: Question, text: str, citations: list[Citation], note: str, refused: bool = False) -> Answer:
    return Answer(question=question.text, text=text, citations=citations, evidence=[], refused=refused, note=note,
                  route="meta", filter=question.search_filter())
