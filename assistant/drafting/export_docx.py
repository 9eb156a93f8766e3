"""A draft as a Word file in official-document style (GB/T 9704-2012), sources in an appendix.

A4 with margins 37/35/28/26 mm; title 小标宋 二号 (22pt) centred; body 仿宋_GB2312 三号 (16pt) with a
two-character first-line indent; 一级标题 黑体, run-in 二级标题 楷体_GB2312; exact line spacing 28.95pt so a
page holds 28 lines; "— 1 —" page numbers (PAGE field, 四号) in the footer, odd pages right and even pages
left, one character in from the edge. Every run names its East-Asian font
(w:eastAsia), or Word would show Chinese in the Latin font. 〔待补充:…〕 placeholders are highlighted yellow.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import docx
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from assistant.drafting.checks import PLACEHOLDER
from assistant.drafting.layout import KIND_LABELS, check_notes, numbered, paragraph_names, short
from assistant.errors import BadInput
from assistant.types import Draft

TITLE_PT, BODY_PT, FOOTER_PT = 22, 16, 14
LINE_PT = 28.95  # (297 − 37 − 35) mm of text height / 28 lines
# Preferred font first; later names are what Word or the system usually has instead.
FONT_CHOICES = {
    "title": ("方正小标宋简体", "方正小标宋_GBK", "华文中宋", "宋体", "Noto Serif CJK SC"),
    "body": ("仿宋_GB2312", "仿宋", "FangSong", "华文仿宋", "Noto Serif CJK SC"),
    "h1": ("黑体", "SimHei", "Noto Sans CJK SC"),
    "h2": ("楷体_GB2312", "楷体", "KaiTi", "华文楷体", "Noto Serif CJK SC"),
    "footer": ("宋体", "SimSun", "Noto Serif CJK SC"),
}


@lru_cache(maxsize=1)
def installed_fonts() -> frozenset[str] | None:
    """Font family names on this machine (fontconfig), or None when they cannot be listed."""
    if not shutil.which("fc-list"):
        return None
    try:
        out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def choose_fonts(available: frozenset[str] | set[str] | None) -> tuple[dict[str, str], list[str]]:
    """The font to use per role and warnings for every fallback. Unknown availability → preferred names."""
    chosen, warnings = {}, []
    for role, names in FONT_CHOICES.items():
        if available is None or names[0] in available:
            chosen[role] = names[0]
            continue
        fallback = next((n for n in names[1:] if n in available), None)
        if fallback:
            chosen[role] = fallback
            warnings.append(f"本机未安装字体“{names[0]}”,已改用“{fallback}”;定稿前请在装有该字体的电脑上改回。")
        else:
            chosen[role] = names[0]
            warnings.append(f"本机未安装字体“{names[0]}”及其替代字体,文档仍按“{names[0]}”设置,Word 会临时替换显示。")
    return chosen, warnings


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        rfonts.set(qn(attr), name)


def _format(paragraph, *, indent: bool = True, align=None) -> None:
    pf = paragraph.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PT)
    pf.space_before = pf.space_after = Pt(0)
    pf.first_line_indent = Pt(BODY_PT * 2) if indent else None
    if align is not None:
        paragraph.alignment = align


def _add_text(paragraph, text: str, font: str, size: float = BODY_PT) -> None:
    """Text in runs; every 〔待补充:…〕 is its own highlighted run so it cannot be missed."""
    pos = 0
    for m in PLACEHOLDER.finditer(text):
        if m.start() > pos:
            _font(paragraph.add_run(text[pos : m.start()]), font, size)
        run = paragraph.add_run(m.group())
        _font(run, font, size)
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        pos = m.end()
    if pos < len(text):
        _font(paragraph.add_run(text[pos:]), font, size)


def _page_number(p, font: str, align) -> None:
    """"— N —" with a PAGE field, one character (四号) in from the outer edge."""
    p.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        p.paragraph_format.right_indent = Pt(FOOTER_PT)
    else:
        p.paragraph_format.left_indent = Pt(FOOTER_PT)
    _font(p.add_run("— "), font, FOOTER_PT)
    run = p.add_run()
    _font(run, font, FOOTER_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    _font(p.add_run(" —"), font, FOOTER_PT)


def _page_number_footer(doc, section, font: str) -> None:
    # GB/T 9704: 单页码居右空一字, 双页码居左空一字 (the footer for odd pages is the default one).
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], font, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], font, WD_ALIGN_PARAGRAPH.LEFT)


def _appendix_table(doc, header: list[str], rows: list[list[str]], font: str) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header):
        _font(cell.paragraphs[0].add_run(text), font, 12, bold=True)
    for values in rows:
        for cell, text in zip(table.add_row().cells, values):
            _add_text(cell.paragraphs[0], text, font, 12)


def _heading(doc, text: str, font: str) -> None:
    p = doc.add_paragraph()
    _format(p)
    _font(p.add_run(text), font, BODY_PT)


def export_docx(draft: Draft, path: str | Path, *, available_fonts: frozenset[str] | set[str] | None = None) -> list[str]:
    """Write ``draft`` to ``path`` (.docx); return warnings (font fallbacks, placeholders left).

    ``available_fonts``: font names to choose from (default: what fontconfig lists on this machine).
    """
    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise BadInput(f"导出文件须以 .docx 结尾: {path.name}")
    if not path.parent.is_dir():
        raise BadInput(f"导出目录不存在: {path.parent}")
    fonts, warnings = choose_fonts(installed_fonts() if available_fonts is None else available_fonts)
    doc = docx.Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    _page_number_footer(doc, sec, fonts["footer"])

    title = doc.add_paragraph()
    _format(title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(max(LINE_PT, TITLE_PT * 1.5))
    _font(title.add_run(draft.title), fonts["title"], TITLE_PT)
    blank = doc.add_paragraph()
    _format(blank)

    for section in draft.sections:
        if section.heading:
            _heading(doc, section.heading, fonts["h1"])
        for sub, para in numbered(section):
            p = doc.add_paragraph()
            _format(p)
            if sub:
                _add_text(p, sub, fonts["h2"])
            _add_text(p, para.text, fonts["body"])

    # Review material goes after a section break, outside the official text.
    doc.add_section(WD_SECTION.NEW_PAGE)
    _heading(doc, "附:材料来源(供核对,不属于报告正文)", fonts["h1"])
    rows = [[name, KIND_LABELS.get(s.kind, s.kind), s.label, short(s.quote, 80)]
            for name, p in paragraph_names(draft) for s in p.sources]
    _appendix_table(doc, ["段落", "来源类型", "出处", "摘录"], rows, fonts["body"])
    if draft.coverage:
        _heading(doc, "附:不足与措施对照", fonts["h1"])
        _appendix_table(doc, ["上一年度不足", "新报告措施", "依据"], [
            [f"{r.shortcoming.key} {short(r.shortcoming.text, 30)}",
             ";".join(r.measures) + ("(自动补充,请核改)" if r.added else ""),
             ";".join(s.label for s in r.sources) or "—"] for r in draft.coverage], fonts["body"])
    _heading(doc, "附:待补充事项", fonts["h1"])
    for ph in draft.placeholders or ["(无)"]:
        p = doc.add_paragraph()
        _format(p)
        _add_text(p, ph, fonts["body"])
    notes = check_notes(draft)
    if notes:
        _heading(doc, "附:自动检查记录", fonts["h1"])
        for name, note in notes:
            p = doc.add_paragraph()
            _format(p)
            _add_text(p, f"{name}: {note}", fonts["body"])
    try:
        doc.save(str(path))
    except OSError as exc:
        raise BadInput(f"无法写入 {path}: {exc.strerror or exc}") from exc
    if draft.placeholders:
        warnings.append(f"草稿中还有 {len(draft.placeholders)} 处〔待补充〕(已黄色标出),定稿前请逐一补齐。")
    return warnings


def docx_text(path: str | Path) -> str:
    """All paragraph text of a .docx (tests and the CLI use it to show what was written)."""
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
