"""Word export read back with python-docx: page setup, fonts (w:eastAsia), highlight, footer, appendix."""

from __future__ import annotations

import shutil

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from assistant.drafting import draft_report, export_docx, to_markdown
from assistant.drafting.export_docx import FONTS, font_warnings
from assistant.errors import BadInput
from test_draft_support import MATERIAL_JICHANG, library, scripted_model

ALL_FONTS = {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"}


@pytest.fixture(scope="module")
def draft():
    return draft_report("吉昌镇", 2025, library=library(), model=scripted_model(
        {"measures": "矛盾纠纷化解。调解矛盾纠纷45件,另有930件待核。"}), material=[MATERIAL_JICHANG])


def _east_asia(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_page_setup_fonts_and_sizes(draft, tmp_path):
    out = tmp_path / "draft.docx"
    warnings = export_docx(draft, out, available_fonts=ALL_FONTS)
    assert not any("字体" in w for w in warnings)
    doc = docx.Document(str(out))
    sec = doc.sections[0]
    margins = (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin, sec.page_width, sec.page_height)
    for got, mm in zip(margins, (37, 35, 28, 26, 210, 297)):
        assert abs(got - Mm(mm)) < Mm(0.1)  # stored in twips
    paras = doc.paragraphs
    title = paras[0]
    assert title.text == "吉昌镇2025年法治政府建设情况报告"
    assert title.runs[0].font.size == Pt(22) and _east_asia(title.runs[0]) == "方正小标宋简体"
    h1 = next(p for p in paras if p.text.startswith("一、2025年"))
    assert _east_asia(h1.runs[0]) == "黑体" and h1.runs[0].font.size == Pt(16)
    sub = next(p for p in paras if p.text.startswith("（一）深化普法宣传。"))
    assert _east_asia(sub.runs[0]) == "楷体_GB2312" and sub.runs[0].text == "（一）深化普法宣传。"
    assert _east_asia(sub.runs[1]) == "仿宋_GB2312" and sub.runs[1].font.size == Pt(16)
    assert sub.paragraph_format.line_spacing == Pt(28.95)
    assert sub.paragraph_format.first_line_indent == Pt(32)


def test_placeholders_highlighted_and_footer_page_field(draft, tmp_path):
    out = tmp_path / "draft.docx"
    warnings = export_docx(draft, out, available_fonts=ALL_FONTS)
    assert any("〔待补充〕" in w for w in warnings)
    doc = docx.Document(str(out))
    highlighted = [r.text for p in doc.paragraphs for r in p.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    body_placeholders = [ph for ph in draft.placeholders]
    assert body_placeholders and all(ph in highlighted for ph in body_placeholders)
    assert not any("〔待补充" in r.text for p in doc.paragraphs for r in p.runs
                   if r.font.highlight_color != WD_COLOR_INDEX.YELLOW)
    footer = doc.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert "PAGE" in "".join(t.text for t in footer._p.iter(qn("w:instrText")))


def test_page_numbers_odd_right_even_left_one_character_in(draft, tmp_path):
    """GB/T 9704: 单页码居右空一字, 双页码居左空一字."""
    out = tmp_path / "draft.docx"
    export_docx(draft, out, available_fonts=ALL_FONTS)
    doc = docx.Document(str(out))
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = doc.sections[0].footer.paragraphs[0], doc.sections[0].even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and odd.paragraph_format.right_indent == Pt(14)
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT and even.paragraph_format.left_indent == Pt(14)
    for p in (odd, even):
        assert p.text.startswith("— ") and "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))


def test_sources_only_in_appendix(draft, tmp_path):
    out = tmp_path / "draft.docx"
    export_docx(draft, out, available_fonts=ALL_FONTS)
    doc = docx.Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    appendix = texts.index("附:材料来源(供核对,不属于报告正文)")
    assert not any("吉昌镇 2024年 · 安排" in t for t in texts[:appendix])
    assert len(doc.sections) == 2  # the appendix starts on its own page
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "吉昌镇 2024年 · 安排-1" in cells and "材料1第3段" in cells
    assert "附:不足与措施对照" in texts and "附:待补充事项" in texts
    assert any("930件" in t and "均未找到" in t for t in texts[appendix:])


def test_official_font_names_are_written_on_a_machine_without_them(draft, tmp_path):
    """Written where only Noto CJK exists, the document still names the GB/T 9704 fonts (the staffer's
    computer has them); the font table offers alternatives, and the warning says only a preview here changes."""
    out = tmp_path / "draft.docx"
    warnings = export_docx(draft, out, available_fonts={"Noto Serif CJK SC", "Noto Sans CJK SC", "DejaVu Sans"})
    assert any("仿宋_GB2312" in w and "方正小标宋简体" in w and "预览" in w for w in warnings)
    doc = docx.Document(str(out))
    names = {r._element.rPr.rFonts.get(qn(a)) for p in doc.paragraphs for r in p.runs for a in ("w:eastAsia", "w:ascii")}
    assert names <= set(FONTS.values()) and {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"} <= names
    assert not any("Noto" in str(n) for n in names)
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    table = doc.part.rels
    fonts_xml = next(r.target_part for r in table.values() if r.reltype.endswith("/fontTable")).blob.decode()
    assert 'w:name="仿宋_GB2312"' in fonts_xml and '<w:altName w:val="仿宋"/>' in fonts_xml
    assert font_warnings(set(FONTS.values())) == [] and font_warnings(None) == []


def test_bad_paths_are_refused_and_nothing_written(draft, tmp_path):
    with pytest.raises(BadInput, match=r"\.docx"):
        export_docx(draft, tmp_path / "draft.pdf")
    with pytest.raises(BadInput, match="目录不存在"):
        export_docx(draft, tmp_path / "nope" / "draft.docx")
    assert list(tmp_path.iterdir()) == []


def test_markdown_text_then_sources_table(draft):
    md = to_markdown(draft)
    body, _, appendix = md.partition("## 附:材料来源")
    assert body.startswith("# 吉昌镇2025年法治政府建设情况报告\n")
    assert "## 一、2025年推进法治政府建设的主要举措和成效" in body
    assert "**（三）化解矛盾纠纷。**" in body and "调解矛盾纠纷45件" in body
    assert "吉昌镇 2024年 · 安排" not in body
    assert "| 一（一） | 上一年度报告 | 吉昌镇 2024年 · 安排-1 |" in appendix
    assert "## 附:材料中的数字" in appendix
    assert "## 附:不足与措施对照" in appendix and "## 附:待补充事项" in appendix


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason="LibreOffice is not installed (Debian: apt-get install libreoffice-writer-nogui)")
def test_libreoffice_renders_the_docx_as_a_user_would_see_it(draft, tmp_path):
    """Rendered headless to PDF and read page by page: the text is there, the appendix on its own page,
    Chinese punctuation full-width; the official fonts, missing here, are substituted in the preview only."""
    import pypdf

    from assistant.drafting.export_docx import preview_pdf

    out = tmp_path / "draft.docx"
    export_docx(draft, out)
    pdf = preview_pdf(out, tmp_path)
    pages = ["".join(p.extract_text().split()) for p in pypdf.PdfReader(str(pdf)).pages]  # PDF text has odd spaces
    assert len(pages) >= 2
    appendix = next(i for i, p in enumerate(pages) if "附:材料来源" in p)
    assert appendix >= 1  # the appendix starts after a page break
    body = "".join(pages[:appendix])
    assert "吉昌镇2025年法治政府建设情况报告" in body and "一、2025年推进法治政府建设的主要举措和成效" in body
    assert "（一）深化普法宣传。" in body and "，" in body and not any(f"{c}," in body for c in "镇县年")
    assert not (tmp_path / ".lo-profile").exists()
