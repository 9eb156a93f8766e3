"""A draft as a Word file in official-document style (GB/T 9704-2012), sources in an appendix.

A4 with margins 37/35/28/26 mm; title 小标宋 二号 (22pt) centred; body 仿宋_GB2312 三号 (16pt) with a
two-character first-line indent; 一级标题 黑体, run-in 二级标题 楷体_GB2312; exact line spacing 28.95pt so a
page holds 28 lines; "— 1 —" page numbers (PAGE field, 四号) in the footer, odd pages right and even pages
left, one character in from the edge. Every run names its East-Asian font
(w:eastAsia), or Word would show Chinese in the Latin font. 〔待补充:…〕 placeholders are highlighted yellow.

The GB/T 9704 font names are written whatever fonts this machine has: the document is finished on the
staffer's computer, which has them. The font table also gives each an alternative name (w:altName: 仿宋,
楷体…) that Word and LibreOffice use where the official font is missing. A missing font only changes a
preview made here (``preview_pdf``), and the warnings say so.
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
from assistant.drafting.layout import KIND_LABELS, check_notes, numbered, paragraph_names, short, unused_lines
from assistant.errors import BadInput
from assistant.types import Draft

TITLE_PT, BODY_PT, FOOTER_PT = 22, 16, 14
LINE_PT = 28.95  # (297 − 37 − 35) mm of text height / 28 lines
# GB/T 9704 fonts per role, and the alternative name a viewer without them should use (font table altName).
FONTS = {"title": "方正小标宋简体", "body": "仿宋_GB2312", "h1": "黑体", "h2": "楷体_GB2312", "footer": "宋体"}
ALT_NAMES = {"方正小标宋简体": "华文中宋", "仿宋_GB2312": "仿宋", "黑体": "SimHei", "楷体_GB2312": "楷体", "宋体": "SimSun"}
PREVIEW_TIMEOUT_S = 120


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


def font_warnings(available: frozenset[str] | set[str] | None) -> list[str]:
    """One warning naming the official fonts this machine lacks (none when it has them or cannot tell)."""
    if available is None:
        return []
    missing = [name for name in dict.fromkeys(FONTS.values()) if name not in available]
    if not missing:
        return []
    return [f"本机未安装公文字体 {'、'.join(missing)}:文档中仍按公文格式写明这些字体,在装有它们的电脑上打开即正常显示;"
            "只有在本机生成的预览(如 PDF)会临时使用替代字体。"]


def _font_table(doc) -> None:
    """Declare each official font in word/fontTable.xml with GB2312 charset and an alternative name."""
    from lxml import etree

    part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    w = root.nsmap["w"]
    for name in dict.fromkeys(FONTS.values()):
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        for tag, value in (("altName", ALT_NAMES[name]), ("charset", "86"), ("family", "auto"), ("pitch", "variable")):
            etree.SubElement(font, f"{{{w}}}{tag}", {f"{{{w}}}val": value})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


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
    """Write ``draft`` to ``path`` (.docx); return warnings (fonts this machine lacks, placeholders left).

    ``available_fonts``: the fonts to report as present (default: what fontconfig lists on this machine);
    they change only the warnings, never the fonts the document names.
    """
    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise BadInput(f"导出文件须以 .docx 结尾: {path.name}")
    if not path.parent.is_dir():
        raise BadInput(f"导出目录不存在: {path.parent}")
    fonts = FONTS
    warnings = font_warnings(installed_fonts() if available_fonts is None else available_fonts)
    doc = docx.Document()
    _font_table(doc)
    normal = doc.styles["Normal"]
    normal.font.name = fonts["body"]
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), fonts["body"])
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
    _heading(doc, "附:材料中的数字", fonts["h1"])
    for line in unused_lines(draft):
        p = doc.add_paragraph()
        _format(p)
        _add_text(p, line, fonts["body"])
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


def preview_pdf(docx_path: str | Path, out_dir: str | Path) -> Path:
    """A PDF preview of a .docx made with LibreOffice (headless) on this machine, in ``out_dir``. Fonts
    this machine lacks are shown in substitutes here only (see ``font_warnings``). BadInput when
    LibreOffice is not installed or the conversion fails."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise BadInput("本机未安装 LibreOffice(soffice),无法生成 PDF 预览;可安装 libreoffice-writer-nogui。")
    out_dir = Path(out_dir)
    profile = out_dir / ".lo-profile"  # its own profile: several conversions at once must not share one
    cmd = [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--convert-to", "pdf",
           "--outdir", str(out_dir), str(docx_path)]
    try:
        subprocess.run(cmd, capture_output=True, timeout=PREVIEW_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise BadInput(f"PDF 预览生成失败: {exc}") from exc
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = out_dir / (Path(docx_path).stem + ".pdf")
    if not pdf.is_file():
        raise BadInput(f"PDF 预览生成失败: LibreOffice 没有写出 {pdf.name}")
    return pdf


def docx_text(path: str | Path) -> str:
    """All paragraph text of a .docx (tests and the CLI use it to show what was written)."""
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
