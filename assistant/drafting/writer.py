"""Write a draft section by section (one model call per unit), checking every paragraph by code."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from assistant.drafting.checks import CheckContext, check_paragraph, placeholders_in
from assistant.drafting.coverage import build_coverage
from assistant.drafting.events import DraftEvent
from assistant.drafting.figures_used import add_material_figures, unused_material_figures
from assistant.drafting.material import load_material, material_headings
from assistant.drafting.reply import clean_reply, split_heading
from assistant.drafting.plan import DRAFT_PARTS, DraftInputs, SectionPlan, Unit, plan_draft, plan_section
from assistant.drafting.review import clause_keys, fullwidth, heading_problem, review_heading, review_paragraph
from assistant.errors import BadInput
from assistant.llm import as_chat_model
from assistant.prompts import load_prompt
from assistant.settings import get_settings
from assistant.types import Draft, DraftParagraph, DraftSection, Part, Report, ReviewNote, SourceRef

EventSink = Callable[[DraftEvent], None] | None
MIN_BODY_CHARS = 10  # Han characters a paragraph needs, once the checks have dropped sentences, to be kept


def draft_title(org: str, year: int) -> str:
    return f"{org}{year}年法治政府建设情况报告"


def _find_reports(org: str, year: int, library) -> tuple[Report, list[Report], list[Report]]:
    """Last year's report of ``org``, all its reports, and everyone else's."""
    reports = library.reports()
    own = [r for r in reports if r.meta.org == org]
    previous = [r for r in own if r.meta.year == year - 1]
    if not previous:
        listing = "、".join(r.meta.label for r in reports) or "(库中还没有报告)"
        if own:
            raise BadInput(f"库中没有{org}{year - 1}年的报告,无法起草{year}年报告(需要上一年度报告)。库中{org}的报告: "
                           + "、".join(r.meta.label for r in own))
        raise BadInput(f"库中没有{org}的报告,无法起草。库中已有: {listing}。请先用 assistant ingest 导入上一年度报告。")
    return previous[0], own, [r for r in reports if r.meta.org != org]


def _resolve_peers(peers: Sequence[str | Report] | None, others: list[Report], library, org: str) -> list[Report]:
    if peers is None:
        return others
    chosen = [p if isinstance(p, Report) else library.get(p) for p in peers]
    return [p for p in chosen if p.meta.org != org]


def prepare_inputs(org: str, year: int, library, material, peers) -> tuple[DraftInputs, CheckContext]:
    """Last year's report, the material passages and peers (the plan's inputs), and what the checks need."""
    if not org or not org.strip():
        raise BadInput("请指定单位名称(--org),例如 徐行镇。")
    if not 2000 <= int(year) <= 2100:
        raise BadInput(f"年份不合理: {year}。请填写新报告所写的年份,例如 2025。")
    previous, own, others = _find_reports(org, year, library)
    passages = load_material(material)
    peer_reports = _resolve_peers(peers, others, library, org)
    inputs = DraftInputs(org, year, previous, passages, peer_reports)
    other_orgs = sorted({r.meta.org for r in [*others, *peer_reports]})
    ctx = CheckContext(org, previous.meta.level, year, other_orgs, [r.text for r in own], [p.text for p in passages],
                       last_report=previous.text, library_texts=[r.text for r in [*own, *others]],
                       material_headings=material_headings(passages), settings=get_settings().draft)
    return inputs, ctx


def _render(unit: Unit, inp: DraftInputs, ctx: CheckContext) -> list[dict[str, str]]:
    """The messages for one unit: the system rules, then the unit's prompt with its values."""
    common = {"org": inp.org, "year": inp.year, "next_year": inp.year + 1, "self_ref": ctx.self_reference}
    system = load_prompt("draft_system").render(**common)
    prompt = load_prompt(unit.prompt)
    values = {**common, **unit.values}
    user = prompt.render(**{k: v for k, v in values.items() if k in prompt.placeholders})
    return system + user


def _from_material(unit: Unit) -> str:
    """The unit's material passages as written: the fallback when the model wrote nothing usable."""
    quotes = [p.body.strip() for p in unit.passages if p.body.strip()]
    return "".join(q if q[-1] in "。!！?？" else q + "。" for q in quotes)


def _han(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", text))


def _model_heading(body: str, unit: Unit, ctx: CheckContext) -> tuple[str, list[ReviewNote]]:
    """Code gives the subheading; a short first sentence the model wrote as one anyway is dropped."""
    head, rest = split_heading(body)
    named = bool(unit.title) and (head in unit.title or unit.title in head)
    if head and (named or not heading_problem(head, ctx)):
        return rest, [ReviewNote("echoed_heading", f"删除模型自拟的小标题“{head}”(小标题由程序给出)")]
    return body, []


def write_unit(unit: Unit, inp: DraftInputs, ctx: CheckContext, model, emit: Callable[[str], None],
               max_tokens: int, earlier: set[str] | None = None) -> DraftParagraph:
    """One model call, streamed through ``emit``, then cleanup and every check; the paragraph records what
    was changed (``notes``) and what the reviewer's checks found (``review``). ``earlier``: clause keys of
    the draft's earlier paragraphs (a clause said again is dropped); updated with this paragraph's."""
    earlier = earlier if earlier is not None else set()
    reply = ""
    for delta in model.stream(_render(unit, inp, ctx), max_tokens=max_tokens):
        reply += delta
        emit(delta)
    body, review = _model_heading(clean_reply(reply), unit, ctx)
    para = check_paragraph(body, unit.part, ctx)
    text, found = review_paragraph(para.text, ctx, topic=unit.title, earlier=earlier,
                                   no_copy=[unit.values.get(k, "") for k in unit.no_copy], borrowed=unit.borrowed)
    review += found
    notes: list[str] = []
    if _han(re.sub(r"〔[^〕]*〕", "", text)) < MIN_BODY_CHARS:
        text = re.sub(r"^[^〔]*", "", text)  # a fragment is not a paragraph; placeholders the model left stay
        if _from_material(unit):
            text = _from_material(unit) + text
            notes.append("模型未写出可用内容,已按今年材料原文整理,请润色")
    text, added = add_material_figures(text, unit.passages)
    if added:
        notes.append("补入材料中未写到的数字: " + "、".join(added))
    if not text.strip():
        text = unit.missing or f"〔待补充:{unit.title or unit.label}相关内容(模型未生成)〕"
        notes.append("模型未生成内容,已留待补充")
    elif unit.missing and not placeholders_in(text):  # no material behind it: the gap must stay visible
        text += unit.missing
    para.text = fullwidth(text)[0]
    para.heading, heading_notes = review_heading(unit.heading, ctx)
    para.review = review + heading_notes
    para.notes = notes + para.notes + [n.detail for n in para.review]
    earlier.update(clause_keys(para.text, 2 * ctx.settings.repeat_chars))
    # a unit with nothing behind it (e.g. 原因 when last year listed none) says so rather than citing nothing
    para.sources = list(unit.sources) or [SourceRef("template", "无对应来源,仅按格式起草", "")]
    return para


def _write_section(section: SectionPlan, index: int, total: int, inp: DraftInputs, ctx: CheckContext, model,
                   on_event: EventSink, max_tokens: int, earlier: set[str]) -> DraftSection:
    def send(**kw) -> None:
        if on_event:
            on_event(DraftEvent(section=index, sections=total, part=section.part, heading=section.heading, **kw))

    send(kind="section", units=len(section.units))
    out = DraftSection(section.part, section.heading)
    for i, unit in enumerate(section.units, 1):
        para = write_unit(unit, inp, ctx, model,
                          lambda d, i=i, u=unit: send(kind="delta", unit=i, units=len(section.units), label=u.label,
                                                      text=d), max_tokens, earlier)
        if para.heading and any(p.heading == para.heading for p in out.paragraphs):
            para.review.append(ReviewNote("item_heading", f"小标题“{para.heading}”与本部分前文重复,已去掉"))
            para.notes.append(para.review[-1].detail)
            para.heading = ""
        out.paragraphs.append(para)
        send(kind="paragraph", unit=i, units=len(section.units), label=unit.label, text=para.text,
             notes=list(para.notes))
    send(kind="section_done", units=len(section.units))
    return out


def _preamble(inp: DraftInputs) -> DraftSection:
    text = (f"{inp.year}年，{inp.org}坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，"
            f"认真落实法治政府建设各项任务。现将{inp.year}年法治政府建设情况报告如下：")
    ref = SourceRef("template", "固定开头(格式参照上一年度报告)", "")
    return DraftSection(Part.PREAMBLE, "", [DraftParagraph(text=text, sources=[ref])])


def even_headings(section: DraftSection) -> None:
    """Numbered subsections are for a section whose paragraphs mostly have them: a lone （一） among
    unheaded paragraphs (e.g. only 原因分析 after inline 不足 items) reads as a mistake, so it goes."""
    paragraphs = section.paragraphs
    headed = [p for p in paragraphs if p.heading]
    if headed and len(headed) * 2 < len(paragraphs):
        for p in headed:
            p.review.append(ReviewNote("item_heading", f"本部分多数段落无小标题,“{p.heading}”也不单独编号"))
            p.notes.append(p.review[-1].detail)
            p.heading = ""


def _finish(draft: Draft, inp: DraftInputs, ctx: CheckContext, *, add_missing: bool) -> Draft:
    draft.coverage = build_coverage(draft, inp, ctx, add_missing=add_missing)
    for section in draft.sections:
        even_headings(section)
    draft.placeholders = [ph for s in draft.sections for p in s.paragraphs
                          for ph in placeholders_in(p.heading + p.text)]
    draft.unused_figures = unused_material_figures(draft, inp.material)
    return draft


def draft_report(org: str, year: int, *, library, model, material: Iterable[str | Path] = (),
                 peers: Sequence[str | Report] | None = None, on_event: EventSink = None,
                 max_tokens: int | None = None) -> Draft:
    """Draft ``org``'s report on ``year`` from its report on ``year``-1, the user's material and peers.
    ``max_tokens`` per model call defaults to ``settings.draft.max_tokens``."""
    model = as_chat_model(model)  # ours, or any LangChain chat model
    inp, ctx = prepare_inputs(org, year, library, material, peers)
    max_tokens = max_tokens or ctx.settings.max_tokens
    plans = plan_draft(inp)
    draft = Draft(org, year, draft_title(org, year), inp.previous.id, sections=[_preamble(inp)],
                  model=getattr(model, "name", ""), settings_hash=get_settings().fingerprint_hash())
    earlier: set[str] = set()
    for i, section in enumerate(plans, 1):
        draft.sections.append(_write_section(section, i, len(plans), inp, ctx, model, on_event, max_tokens, earlier))
    _finish(draft, inp, ctx, add_missing=True)
    if on_event:
        on_event(DraftEvent(kind="done", section=len(plans), sections=len(plans)))
    return draft


def regenerate_section(draft: Draft, part: Part, *, library, model, material: Iterable[str | Path] = (),
                       peers: Sequence[str | Report] | None = None, on_event: EventSink = None,
                       max_tokens: int | None = None) -> Draft:
    """A copy of ``draft`` with one section written anew; every other section keeps the user's text."""
    model = as_chat_model(model)
    if part not in DRAFT_PARTS:
        raise BadInput(f"只能重新生成正文部分({'、'.join(p.value for p in DRAFT_PARTS)}),不能重新生成“{part}”。")
    inp, ctx = prepare_inputs(draft.org, draft.year, library, material, peers)
    if inp.previous.id != draft.previous_report_id:
        raise BadInput(f"草稿依据的上一年度报告 {draft.previous_report_id} 已不在库中(现为 {inp.previous.id})。")
    max_tokens = max_tokens or ctx.settings.max_tokens
    section = plan_section(part, inp)
    new = copy.deepcopy(draft)
    new.model = getattr(model, "name", new.model)
    if section is None:  # e.g. 其他 without material: the section goes away
        new.sections = [s for s in new.sections if s.part != part]
    else:
        earlier = {k for s in new.sections if s.part != part for p in s.paragraphs
                   for k in clause_keys(p.text, 2 * ctx.settings.repeat_chars)}
        written = _write_section(section, 1, 1, inp, ctx, model, on_event, max_tokens, earlier)
        existing = [i for i, s in enumerate(new.sections) if s.part == part]
        if existing:
            new.sections[existing[0]] = written
        else:  # keep the five-part order
            order = [Part.PREAMBLE, *DRAFT_PARTS]
            at = next((i for i, s in enumerate(new.sections) if order.index(s.part) > order.index(part)),
                      len(new.sections))
            new.sections.insert(at, written)
    _finish(new, inp, ctx, add_missing=part == Part.PLANS)
    if on_event:
        on_event(DraftEvent(kind="done", section=1, sections=1, part=part))
    return new
