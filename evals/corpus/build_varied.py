#!/usr/bin/env python3
"""Build the binary / encoded forms of the varied development reports.

Reads  evals/corpus/sources/<stem>.src.txt   (UTF-8, light markup, see below)
Writes evals/corpus/varied/<stem>.<ext>       (docx, pdf, html, or txt in a given encoding)

Run:   /work/main/.venv/bin/python evals/corpus/build_varied.py [--check] [stem ...]
       (Python 3.11; no stems = build every source.  --check only verifies the files already in varied/.)

Libraries
  python-docx  -- writes the .docx files (numbering.xml is built by hand on top of it, see _add_numbering).
  fpdf2        -- (pip install -e ".[corpus]") writes the PDF.  Chosen over reportlab because it embeds a subset of a Unicode TrueType
                  font as a CIDFontType2 with /Identity-H and a /ToUnicode CMap, so pypdf's extract_text gives
                  the Chinese text back (the same structure as a PDF exported from Word/WPS).
  fontTools    -- (installed with fpdf2) the only CJK fonts on the build machine are Noto Serif/Sans CJK
                  .ttc files with CFF outlines; fpdf2 embeds CFF fonts with a custom /Encoding CMap stream
                  that pypdf does not decode (every glyph comes back as "\\x00X").  The builder therefore
                  subsets the SC face to the characters the PDF needs and converts the outlines to TrueType
                  (quadratic) in a temporary folder before handing it to fpdf2.
  pypdf, bs4   -- only for the checks at the end.

Fonts needed (for the PDF only): /usr/share/fonts/opentype/noto/NotoSerifCJK-{Regular,Bold}.ttc and
NotoSansCJK-Regular.ttc (Debian package fonts-noto-cjk).  With other font files the PDF text is the same
but the bytes differ.

Determinism: docx core properties and every zip entry carry the fixed date from the source's @date; the PDF
has a fixed /CreationDate and a content-derived /ID.  Rebuilding with the same library versions gives the
same bytes (checked: run twice, compare sha256).

Source markup (one block per line; blank lines are ignored)
  % text            comment, ignored
  @key: value       setting for the whole document (see below)
  = text            title line; several '=' lines = a title printed over several lines
  # text            level-1 heading       (docx-auto: text WITHOUT number; Word numbering shows 一、)
  ## text           level-2 heading/item  (docx-auto: shows （一）)
  ### text          level-3 item          (docx-auto: shows 1.)
  | a | b | c |     table row, the first row of a run of rows is the header row
  > text            right-aligned line (signature, date)
  anything else     a body paragraph
In every form except docx-auto the numbers are typed in the text itself.

Settings
  @form:      docx-auto | docx-plain | pdf | html | txt
  @date:      ISO date-time used for file metadata (docx, pdf)
  @author:    docx author
  @encoding:  txt: utf-8 | utf-8-sig | gbk | utf-16 (= UTF-16 LE with BOM)
  @newline:   txt: lf | crlf
  @indent:    txt: none | fullwidth (two U+3000 before body paragraphs)
  @blank:     txt: yes = blank line between paragraphs
  @header:    pdf: running header text (pages 2..n)
  @site, @index, @publisher, @created, @topic, @docno, @keywords, @published, @views, @crumbs:
              html: site name, metadata-table fields, breadcrumb items separated by '|'
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import io
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
OUT = HERE / "varied"

EXT = {"docx-auto": ".docx", "docx-plain": ".docx", "pdf": ".pdf", "html": ".html", "txt": ".txt"}


# --------------------------------------------------------------------------------------------- parsing
@dataclass
class Doc:
    stem: str
    settings: dict[str, str] = field(default_factory=dict)
    blocks: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)

    def get(self, key: str, default: str = "") -> str:
        return self.settings.get(key, default)

    @property
    def title_lines(self) -> list[str]:
        return [t for k, t in self.blocks if k == "title"]

    @property
    def date(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.get("date", "2025-01-01T09:00:00"))


def parse(path: Path) -> Doc:
    doc = Doc(stem=path.name.removesuffix(".src.txt"))
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if not line.strip() or line.startswith("%"):
            continue
        if line.startswith("@"):
            key, _, value = line[1:].partition(":")
            doc.settings[key.strip()] = value.strip()
        elif line.startswith("="):
            doc.blocks.append(("title", line[1:].strip()))
        elif line.startswith("###"):
            doc.blocks.append(("h3", line[3:].strip()))
        elif line.startswith("##"):
            doc.blocks.append(("h2", line[2:].strip()))
        elif line.startswith("#"):
            doc.blocks.append(("h1", line[1:].strip()))
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            doc.blocks.append(("row", "\t".join(cells)))
        elif line.startswith(">"):
            doc.blocks.append(("right", line[1:].strip()))
        else:
            doc.blocks.append(("p", line.strip()))
    return doc


def is_salutation(text: str) -> bool:
    """'县委、县政府：' -- a short line ending in a colon is printed without first-line indent."""
    return len(text) <= 30 and text.endswith(("：", ":"))


def split_lead(text: str) -> tuple[str, str]:
    """Split '带头学法。主要负责人…' into lead sentence and the rest (rest may be '')."""
    m = re.match(r"^(.{2,40}?[。．])(.*)$", text)
    if m and m.group(2):
        return m.group(1), m.group(2)
    return text, ""


# --------------------------------------------------------------------------------------------- txt
def build_txt(doc: Doc) -> bytes:
    indent = "\u3000\u3000" if doc.get("indent") == "fullwidth" else ""
    blank = doc.get("blank") == "yes"
    lines: list[str] = []
    lines.extend(doc.title_lines)
    lines.append("")
    rows: list[str] = []
    for kind, text in doc.blocks:
        if kind == "title":
            continue
        if kind == "row":
            rows.append(text)
            continue
        if rows:
            lines.extend(rows)
            rows = []
        if kind == "right":
            lines.append(" " * 24 + text)
        elif kind == "p" and not is_salutation(text):
            lines.append(indent + text)
        else:
            lines.append(text)
        if blank:
            lines.append("")
    lines.extend(rows)
    while lines and lines[-1] == "":
        lines.pop()
    nl = "\r\n" if doc.get("newline") == "crlf" else "\n"
    text = nl.join(lines) + nl
    enc = doc.get("encoding", "utf-8")
    if enc == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if enc == "utf-8-sig":
        return text.encode("utf-8-sig")
    return text.encode(enc)  # strict: a character outside GBK is an error in the source


# --------------------------------------------------------------------------------------------- docx
FANGSONG, HEITI, KAITI, XBS = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"


def _docx_modules():
    import docx  # noqa: F401
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from docx.shared import Cm, Pt

    return docx, WD_TABLE_ALIGNMENT, WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, parse_xml, nsdecls, qn, Cm, Pt


def _set_run_font(run, east_asia: str, size_pt: float, bold: bool = False) -> None:
    _, _, _, _, _, _, qn, _, Pt = _docx_modules()
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)


# Multi-level list as Word/WPS writes it for 公文: 一、 / （一） / 1.  (suffix 'nothing' = no tab after number)
NUMBERING_XML = """
<w:abstractNum {ns} w:abstractNumId="10">
  <w:nsid w:val="3B6A1C52"/>
  <w:multiLevelType w:val="multilevel"/>
  <w:tmpl w:val="5E2C7A10"/>
  <w:lvl w:ilvl="0">
    <w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:suff w:val="nothing"/>
    <w:lvlText w:val="%1、"/><w:lvlJc w:val="left"/>
    <w:pPr><w:ind w:left="0" w:firstLine="640"/></w:pPr>
    <w:rPr><w:rFonts w:ascii="黑体" w:eastAsia="黑体" w:hAnsi="黑体" w:hint="eastAsia"/></w:rPr>
  </w:lvl>
  <w:lvl w:ilvl="1">
    <w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:suff w:val="nothing"/>
    <w:lvlText w:val="（%2）"/><w:lvlJc w:val="left"/>
    <w:pPr><w:ind w:left="0" w:firstLine="640"/></w:pPr>
    <w:rPr><w:rFonts w:ascii="楷体_GB2312" w:eastAsia="楷体_GB2312" w:hAnsi="楷体_GB2312" w:hint="eastAsia"/></w:rPr>
  </w:lvl>
  <w:lvl w:ilvl="2">
    <w:start w:val="1"/><w:numFmt w:val="decimal"/><w:suff w:val="nothing"/>
    <w:lvlText w:val="%3."/><w:lvlJc w:val="left"/>
    <w:pPr><w:ind w:left="0" w:firstLine="640"/></w:pPr>
    <w:rPr><w:rFonts w:ascii="Times New Roman" w:eastAsia="仿宋_GB2312" w:hAnsi="Times New Roman" w:hint="eastAsia"/></w:rPr>
  </w:lvl>
</w:abstractNum>
"""
NUM_ID = 7  # arbitrary, as in real files


def _add_numbering(document) -> None:
    _, _, _, _, parse_xml, nsdecls, qn, _, _ = _docx_modules()
    numbering = document.part.numbering_part.element
    for child in list(numbering):  # drop the template's own lists
        numbering.remove(child)
    numbering.append(parse_xml(NUMBERING_XML.format(ns=nsdecls("w"))))
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="{NUM_ID}"><w:abstractNumId w:val="10"/></w:num>')
    )


def _set_numpr(paragraph, ilvl: int) -> None:
    _, _, _, _, _, _, qn, _, _ = _docx_modules()
    ppr = paragraph._p.get_or_add_pPr()
    numpr = ppr.get_or_add_numPr()
    numpr.get_or_add_ilvl().val = ilvl
    numpr.get_or_add_numId().val = NUM_ID


def build_docx(doc: Doc) -> bytes:
    docx, WD_TABLE_ALIGNMENT, ALIGN, SPACING, _, _, qn, Cm, Pt = _docx_modules()
    auto = doc.get("form") == "docx-auto"
    document = docx.Document()
    sec = document.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)

    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    pf = normal.paragraph_format
    pf.line_spacing_rule = SPACING.EXACTLY
    pf.line_spacing = Pt(28)
    pf.space_before = pf.space_after = Pt(0)

    if auto:
        _add_numbering(document)

    def para(first_indent: bool = True, align=None):
        p = document.add_paragraph()
        if first_indent:
            p.paragraph_format.first_line_indent = Pt(32)
        if align is not None:
            p.alignment = align
        return p

    rows: list[list[str]] = []

    def flush_table() -> None:
        if not rows:
            return
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                cell = table.cell(r, c)
                p = cell.paragraphs[0]
                p.alignment = ALIGN.LEFT if c == 0 and r else ALIGN.CENTER
                p.paragraph_format.line_spacing = Pt(20)
                _set_run_font(p.add_run(value), HEITI if r == 0 else FANGSONG, 12, bold=False)
        rows.clear()

    for kind, text in doc.blocks:
        if kind == "row":
            rows.append(text.split("\t"))
            continue
        flush_table()
        if kind == "title":
            p = para(first_indent=False, align=ALIGN.CENTER)
            p.paragraph_format.line_spacing = Pt(36)
            _set_run_font(p.add_run(text), XBS, 22)
        elif kind == "h1":
            p = para(first_indent=not auto)
            if auto:
                _set_numpr(p, 0)
            _set_run_font(p.add_run(text), HEITI, 16)
        elif kind == "h2":
            p = para(first_indent=not auto)
            if auto:
                _set_numpr(p, 1)
            lead, rest = split_lead(text)
            _set_run_font(p.add_run(lead), KAITI, 16)
            if rest:
                _set_run_font(p.add_run(rest), FANGSONG, 16)
        elif kind == "h3":
            p = para(first_indent=not auto)
            if auto:
                _set_numpr(p, 2)
            lead, rest = split_lead(text)
            _set_run_font(p.add_run(lead), FANGSONG, 16, bold=True)
            if rest:
                _set_run_font(p.add_run(rest), FANGSONG, 16)
        elif kind == "right":
            p = para(first_indent=False, align=ALIGN.RIGHT)
            p.paragraph_format.right_indent = Pt(64)
            _set_run_font(p.add_run(text), FANGSONG, 16)
        else:
            p = para(first_indent=not is_salutation(text))
            _set_run_font(p.add_run(text), FANGSONG, 16)
    flush_table()

    when = doc.date
    cp = document.core_properties
    cp.author = doc.get("author", "Administrator")
    cp.last_modified_by = doc.get("author", "Administrator")
    cp.created = when
    cp.modified = when
    cp.last_printed = when
    cp.revision = 3
    cp.title = ""
    cp.subject = ""
    cp.comments = ""
    cp.keywords = ""
    cp.category = ""

    buf = io.BytesIO()
    document.save(buf)
    return _normalize_zip(buf.getvalue(), when)


def _normalize_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite the package with fixed entry timestamps (python-docx stamps the current time)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/app.xml":
                blob = blob.replace(b"Microsoft Macintosh Word", b"Microsoft Office Word")
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, blob)
    return out.getvalue()


# --------------------------------------------------------------------------------------------- pdf
NOTO = Path("/usr/share/fonts/opentype/noto")
PDF_FONTS = {  # name -> (ttc file, face index of the SC face)
    "song": (NOTO / "NotoSerifCJK-Regular.ttc", 2),
    "songb": (NOTO / "NotoSerifCJK-Bold.ttc", 2),
    "hei": (NOTO / "NotoSansCJK-Regular.ttc", 2),
}

# page geometry (pt), A4.  14 pt body text in a 450 pt wide block: 32 CJK characters a line.
PAGE_W, PAGE_H = 595.28, 841.89
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 75.0, 70.28, 78.0, 80.0
BODY_PT, TITLE_PT, LINE_H, TITLE_LINE_H = 14.0, 20.0, 24.5, 34.0
TEXT_W = PAGE_W - MARGIN_L - MARGIN_R
INDENT = 2 * BODY_PT

NO_LINE_START = set("，。、；：？！）》」』”’％,.;:?!)%·—")
NO_LINE_END = set("（《「『“‘(")


def _cff_to_ttf(ttc: Path, index: int, chars: str, dest: Path) -> None:
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(str(ttc), fontNumber=index, recalcTimestamp=False)  # keep head.modified fixed
    opts = subset.Options()
    opts.layout_features = []
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    opts.desubroutinize = True
    opts.drop_tables += ["VORG", "vhea", "vmtx", "GSUB", "GPOS", "BASE"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted({ord(c) for c in chars}))
    sub.subset(font)

    order = font.getGlyphOrder()
    glyphset = font.getGlyphSet()
    quad = {}
    for name in order:
        tt_pen = TTGlyphPen(glyphset)
        glyphset[name].draw(Cu2QuPen(tt_pen, 1.0, reverse_direction=True))
        quad[name] = tt_pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = quad
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, g in glyf.glyphs.items():
        adv, _ = hmtx.metrics[name]
        hmtx.metrics[name] = (adv, getattr(g, "xMin", 0) if g.numberOfContours else 0)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones",):
        setattr(maxp, attr, 1)
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    post = font["post"]
    post.formatType = 3.0
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(str(dest))


def _tokens(text: str) -> list[str]:
    """Unbreakable units: runs of ASCII letters/digits (with . % - inside numbers), else single characters."""
    return re.findall(r"[0-9A-Za-z][0-9A-Za-z.%\-]*|.", text)


def _wrap(pdf, text: str, first_width: float, width: float) -> list[str]:
    """Greedy line breaking as Word does for CJK text, with simple kinsoku rules."""
    toks = _tokens(text)
    lines: list[str] = []
    cur, cur_w, limit = "", 0.0, first_width
    i = 0
    while i < len(toks):
        tok = toks[i]
        w = pdf.get_string_width(tok)
        if cur and cur_w + w > limit + 0.01:
            if tok[0] in NO_LINE_START:  # hang closing punctuation on the line end
                cur += tok
                i += 1
                tok = None
            elif cur[-1] in NO_LINE_END:  # do not leave an opening bracket at the end
                lines.append(cur[:-1])
                cur, cur_w, limit = cur[-1], pdf.get_string_width(cur[-1]), width
                continue
            lines.append(cur)
            cur, cur_w, limit = "", 0.0, width
            if tok is None:
                continue
        cur += tok
        cur_w += w
        i += 1
    if cur:
        lines.append(cur)
    return lines


def build_pdf(doc: Doc) -> bytes:
    from fpdf import FPDF

    header = doc.get("header")
    all_text = "".join(t for _, t in doc.blocks) + header + "—0123456789 "
    with tempfile.TemporaryDirectory() as tmp:
        pdf = FPDF(unit="pt", format="A4")
        pdf.set_creation_date(doc.date.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))))
        pdf.set_creator("WPS 文字")
        pdf.set_producer("WPS 文字")
        pdf.set_auto_page_break(False)
        pdf.set_margins(MARGIN_L, MARGIN_T, MARGIN_R)
        for name, (ttc, idx) in PDF_FONTS.items():
            ttf = Path(tmp) / f"{name}.ttf"
            _cff_to_ttf(ttc, idx, all_text, ttf)
            pdf.add_font(name, fname=str(ttf))

        state = {"y": 0.0, "page": 0}

        def footer() -> None:  # drawn after the page body, as the page's last text
            pdf.set_font("song", size=12)
            foot = f"— {state['page']} —"
            pdf.text((PAGE_W - pdf.get_string_width(foot)) / 2, PAGE_H - 44, foot)

        def new_page() -> None:
            if state["page"]:
                footer()
            pdf.add_page()
            state["page"] += 1
            if state["page"] > 1 and header:
                pdf.set_font("song", size=9)
                w = pdf.get_string_width(header)
                pdf.text((PAGE_W - w) / 2, 46, header)
                pdf.set_line_width(0.5)
                pdf.line(MARGIN_L, 52, PAGE_W - MARGIN_R, 52)
            state["y"] = MARGIN_T

        def put_line(text: str, font: str, size: float, x: float, line_h: float) -> None:
            if state["y"] + line_h > PAGE_H - MARGIN_B:
                new_page()
            state["y"] += line_h
            pdf.set_font(font, size=size)
            pdf.text(x, state["y"] - line_h * 0.28, text)

        new_page()
        rows_seen = False
        for kind, text in doc.blocks:
            if kind == "title":
                pdf.set_font("songb", size=TITLE_PT)
                put_line(text, "songb", TITLE_PT, (PAGE_W - pdf.get_string_width(text)) / 2, TITLE_LINE_H)
                continue
            if kind == "row":
                raise ValueError("tables are not supported in the pdf form")
            if not rows_seen and doc.blocks and kind != "title":
                state["y"] += LINE_H * 0.6  # gap below the title
                rows_seen = True
            font = {"h1": "hei", "h2": "songb"}.get(kind, "song")
            pdf.set_font(font, size=BODY_PT)
            if kind == "right":
                put_line(text, font, BODY_PT, PAGE_W - MARGIN_R - 2 * BODY_PT - pdf.get_string_width(text), LINE_H)
                continue
            indent = 0.0 if is_salutation(text) else INDENT
            for i, line in enumerate(_wrap(pdf, text, TEXT_W - indent, TEXT_W)):
                put_line(line, font, BODY_PT, MARGIN_L + (indent if i == 0 else 0.0), LINE_H)
        footer()
        return bytes(pdf.output())


# --------------------------------------------------------------------------------------------- html
HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="SiteName" content="{site}">
<meta name="SiteDomain" content="www.ningchuan.gov.cn">
<meta name="SiteIDCode" content="4331270012">
<meta name="ColumnName" content="{last_crumb}">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{published}">
<meta name="ContentSource" content="{site}">
<title>{title}_{site}</title>
<link rel="stylesheet" href="/static/css/common.css">
<link rel="stylesheet" href="/static/css/xxgk-detail.css">
<!-- saved from url=(0067)http://www.ningchuan.gov.cn/zwgk/fdzdgknr/fzzfjs/ndbg/202503/t20250321_3827416.html -->
</head>
<body>
<div class="top-bar">
  <div class="w1200">
    <span class="fl">今天是：<span id="today"></span></span>
    <span class="fr"><a href="/wza/">无障碍浏览</a> | <a href="/yhzx/">长者模式</a> | <a href="/jtcn/">繁體</a> | <a href="/wap/">手机版</a></span>
  </div>
</div>
<div class="header">
  <div class="w1200">
    <a class="logo" href="/"><img src="/static/images/logo.png" alt="{site}"><span>{site}</span></a>
    <div class="search"><input type="text" placeholder="请输入关键字"><button type="button">搜索</button></div>
  </div>
</div>
<div class="nav">
  <ul class="w1200">
    <li><a href="/">首页</a></li>
    <li><a href="/zjnc/">走进宁川</a></li>
    <li class="on"><a href="/zwgk/">政务公开</a></li>
    <li><a href="/zwfw/">政务服务</a></li>
    <li><a href="/hdjl/">互动交流</a></li>
    <li><a href="/ztzl/">专题专栏</a></li>
  </ul>
</div>
<div class="w1200 main">
  <div class="crumbs">当前位置：{crumbs}</div>
  <div class="left-side">
    <h3>信息公开目录</h3>
    <ul class="menu">
      <li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li>
      <li><a href="/zwgk/zfxxgkzd/">政府信息公开制度</a></li>
      <li class="on"><a href="/zwgk/fdzdgknr/">法定主动公开内容</a>
        <ul>
          <li><a href="/zwgk/fdzdgknr/jgzn/">机构职能</a></li>
          <li><a href="/zwgk/fdzdgknr/zcwj/">政策文件</a></li>
          <li><a href="/zwgk/fdzdgknr/ghxx/">规划信息</a></li>
          <li class="on"><a href="/zwgk/fdzdgknr/fzzfjs/">法治政府建设</a></li>
          <li><a href="/zwgk/fdzdgknr/czzj/">财政资金</a></li>
        </ul>
      </li>
      <li><a href="/zwgk/zfxxgkndbg/">政府信息公开年报</a></li>
    </ul>
    <h3>乡镇信息公开</h3>
    <ul class="menu towns">
      <li><a href="/zwgk/xzxxgk/cgz/">城关镇</a></li>
      <li><a href="/zwgk/xzxxgk/hmz/">鹤鸣镇</a></li>
      <li><a href="/zwgk/xzxxgk/qlz/">青龙镇</a></li>
      <li><a href="/zwgk/xzxxgk/yxz/">永兴镇</a></li>
      <li><a href="/zwgk/xzxxgk/bsx/">白沙乡</a></li>
      <li><a href="/zwgk/xzxxgk/sqx/">石桥乡</a></li>
    </ul>
  </div>
  <div class="right-content">
    <table class="xxgk-table" cellspacing="0" cellpadding="0">
      <tbody>
        <tr><th>索引号</th><td>{index}</td><th>发布机构</th><td>{publisher}</td></tr>
        <tr><th>生成日期</th><td>{created}</td><th>主题分类</th><td>{topic}</td></tr>
        <tr><th>文号</th><td>{docno}</td><th>关键词</th><td>{keywords}</td></tr>
        <tr><th>名称</th><td colspan="3">{title}</td></tr>
      </tbody>
    </table>
    <div class="article">
      <h1 class="article-title">{title}</h1>
      <div class="article-info">
        <span>发布时间：{published}</span>
        <span>浏览次数：{views}</span>
        <span class="font-size">字体：<a href="javascript:;" data-size="18">[大]</a><a href="javascript:;" data-size="16">[中]</a><a href="javascript:;" data-size="14">[小]</a></span>
      </div>
      <div class="article-content" id="zoom">
{body}
      </div>
      <div class="article-tools">
        <div class="qrcode"><img src="/static/images/qrcode.png" alt=""><p>扫一扫在手机打开当前页</p></div>
        <a href="javascript:window.print();">【打印本页】</a>
        <a href="javascript:window.close();">【关闭窗口】</a>
      </div>
    </div>
  </div>
</div>
<div class="footer">
  <div class="w1200">
    <div class="links"><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | <a href="/wzsm/">网站声明</a></div>
    <p>主办单位：宁川县人民政府办公室　　承办单位：宁川县数据服务中心</p>
    <p>联系电话：0743-6821055　　地址：宁川县城关镇府前路18号</p>
    <p>ICP备案号：<a href="https://beian.miit.gov.cn/">湘ICP备05006312号-1</a>　　网站标识码：4331270012　　<img src="/static/images/ga.png" alt="">公安备案号：湘公网安备 43312702000125号</p>
    <p><img src="/static/images/jiucuo.png" alt="政府网站找错"></p>
  </div>
</div>
<script src="/static/js/jquery.min.js"></script>
<script>
  (function () {{
    var d = new Date();
    document.getElementById("today").innerHTML = d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日";
  }})();
</script>
</body>
</html>
"""


def build_html(doc: Doc) -> bytes:
    esc = html.escape
    body: list[str] = []
    for kind, text in doc.blocks:
        if kind == "title":
            continue
        if kind in ("h1", "h2"):
            body.append(f'        <p style="text-indent:2em;"><strong>{esc(text)}</strong></p>')
        elif kind == "right":
            body.append(f'        <p style="text-align:right;">{esc(text)}</p>')
        elif kind == "row":
            raise ValueError("tables are not supported in the html form")
        elif is_salutation(text):
            body.append(f"        <p>{esc(text)}</p>")
        else:
            body.append(f'        <p style="text-indent:2em;">{esc(text)}</p>')
    crumbs = doc.get("crumbs").split("|")
    crumb_html = " &gt; ".join(f'<a href="javascript:;">{esc(c)}</a>' for c in crumbs)
    page = HTML_TEMPLATE.format(
        site=esc(doc.get("site")),
        title=esc("".join(doc.title_lines)),
        published=esc(doc.get("published")),
        last_crumb=esc(crumbs[-1]),
        crumbs=crumb_html,
        index=esc(doc.get("index")),
        publisher=esc(doc.get("publisher")),
        created=esc(doc.get("created")),
        topic=esc(doc.get("topic")),
        docno=esc(doc.get("docno")),
        keywords=esc(doc.get("keywords")),
        views=esc(doc.get("views")),
        body="\n".join(body),
    )
    return page.encode("utf-8")


# --------------------------------------------------------------------------------------------- checks
def check(path: Path, doc: Doc) -> list[str]:
    """Verify one output; returns human-readable findings (raises AssertionError on failure)."""
    form = doc.get("form")
    notes: list[str] = []
    body_texts = [t for k, t in doc.blocks if k != "row"]
    if form.startswith("docx"):
        import docx
        from docx.oxml.ns import qn

        d = docx.Document(str(path))
        paras = d.paragraphs
        numbered = [p for p in paras if p._p.pPr is not None and p._p.pPr.numPr is not None]
        typed = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.、．])")
        if form == "docx-auto":
            assert numbered, "no numPr paragraphs"
            assert not any(typed.match(p.text) for p in numbered), "a numbered paragraph carries a typed number"
            levels = sorted({int(p._p.pPr.numPr.ilvl.val) for p in numbered})
            fmts = [
                (lvl.get(qn("w:ilvl")), lvl.find(qn("w:numFmt")).get(qn("w:val")), lvl.find(qn("w:lvlText")).get(qn("w:val")))
                for lvl in d.part.numbering_part.element.iter(qn("w:lvl"))
            ]
            assert len(d.tables) == 1 and len(d.tables[0].rows) >= 7
            notes.append(
                f"{len(paras)} paragraphs, {len(numbered)} with numPr (levels {levels}), none with a typed number; "
                f"numbering.xml levels {fmts}; table {len(d.tables[0].rows)}x{len(d.tables[0].columns)}"
            )
        else:
            assert not numbered, "plain docx must not use numPr"
            n_typed = sum(1 for p in paras if typed.match(p.text))
            notes.append(f"{len(paras)} paragraphs, 0 with numPr, {n_typed} starting with a typed number")
        all_text = "\n".join(p.text for p in paras)
        assert doc.title_lines[0] in all_text
    elif form == "pdf":
        import pypdf

        r = pypdf.PdfReader(str(path))
        pages = [pg.extract_text() for pg in r.pages]
        assert len(pages) >= 3, f"only {len(pages)} pages"
        text = "\n".join(pages)
        lines = text.splitlines()
        assert lines[0] == doc.title_lines[0] and lines[1] == doc.title_lines[1], lines[:2]
        assert "\x00" not in text
        header = doc.get("header")
        for n, pg in enumerate(pages, 1):
            assert f"— {n} —" in pg, f"page number missing on page {n}"
            assert (header in pg) == (n > 1), f"running header wrong on page {n}"
        joined = re.sub(r"\s+", "", "".join(l for l in lines if l != header and not re.fullmatch(r"— \d+ —", l)))
        for t in body_texts:
            assert re.sub(r"\s+", "", t) in joined, f"text lost: {t[:20]}"
        cjk_per_line = [len(re.findall(r"[\u3000-\u9fff\uff00-\uffef]", l)) for l in lines]
        notes.append(
            f"{len(pages)} pages; extract_text lines {len(lines)}; max CJK chars/line {max(cjk_per_line)}; "
            f"title lines {lines[0]!r} / {lines[1]!r}; every source paragraph recovered after joining lines"
        )
        # the plan items must wrap, one of them across a page break
        plans = [t for k, t in doc.blocks if k == "p" and re.match(r"^（[一二三四五]）", t)]
        spans = []
        for t in plans:
            head = t[:8]
            pg_first = next(i for i, pg in enumerate(pages) if head in pg.replace("\n", ""))
            tail = t[-8:]
            pg_last = next(i for i, pg in enumerate(pages) if tail in pg.replace("\n", ""))
            spans.append((t[:3], pg_first + 1, pg_last + 1))
        assert len(plans) == 5 and any(a != b for _, a, b in spans), spans
        notes.append(f"plan items (item, first page, last page): {spans}")
    elif form == "html":
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(path.read_bytes(), "html.parser")
        assert soup.meta.get("charset") == "utf-8"
        cells = {th.get_text(strip=True): th.find_next_sibling("td").get_text(strip=True) for th in soup.select("table.xxgk-table th")}
        assert cells["发布机构"] == doc.get("publisher")
        h1 = soup.select_one("h1.article-title").get_text(strip=True)
        content = soup.select_one("#zoom").get_text("\n", strip=True)
        for t in body_texts[1:]:
            assert t in content
        notes.append(f"parsed with bs4; title {h1!r}; 发布机构 {cells['发布机构']!r}; {len(soup.select('#zoom p'))} body paragraphs")
    else:
        raw = path.read_bytes()
        enc = doc.get("encoding", "utf-8")
        if enc == "utf-16":
            assert raw[:2] == b"\xff\xfe"
            text = raw[2:].decode("utf-16-le")
            assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
        elif enc == "gbk":
            assert not raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe"))
            text = raw.decode("gbk")
            try:
                raw.decode("utf-8")
                raise AssertionError("GBK file also decodes as UTF-8")
            except UnicodeDecodeError:
                pass
        else:
            text = raw.decode(enc)
        assert text.splitlines()[0] == doc.title_lines[0]
        for t in body_texts:
            assert t in text
        crlf = "\r\n" in text
        notes.append(f"{enc}: {len(raw)} bytes, decodes, {len(text.splitlines())} lines, CRLF={crlf}")
    return notes


# --------------------------------------------------------------------------------------------- main
BUILDERS = {"docx-auto": build_docx, "docx-plain": build_docx, "pdf": build_pdf, "html": build_html, "txt": build_txt}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stems", nargs="*", help="source stems (default: all)")
    ap.add_argument("--check", action="store_true", help="only verify the existing outputs")
    args = ap.parse_args(argv)
    srcs = sorted(SOURCES.glob("*.src.txt"))
    if args.stems:
        srcs = [s for s in srcs if s.name.removesuffix(".src.txt") in args.stems]
    OUT.mkdir(parents=True, exist_ok=True)
    for src in srcs:
        doc = parse(src)
        form = doc.get("form")
        out = OUT / (doc.stem + EXT[form])
        if not args.check:
            out.write_bytes(BUILDERS[form](doc))
        digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
        print(f"{out.name}  [{form}]  sha256:{digest}")
        for note in check(out, doc):
            print("    " + note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
