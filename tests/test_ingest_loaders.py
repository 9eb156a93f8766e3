"""Loaders: every format and every bad-input case gives text or a one-line Chinese BadInput."""

from __future__ import annotations

import io
import os

import docx
import pytest

from assistant.errors import BadInput
from assistant.ingest import parse_file
from assistant.ingest.loaders import decode_text
from assistant.ingest.pdf import reflow_lines
from assistant.ingest.testing import minimal_pdf
from assistant.settings import get_settings

REPORT = (
    "吉昌镇2024年法治政府建设情况报告\n"
    "2024年，吉昌镇坚持以习近平法治思想为指导，现将有关情况报告如下：\n"
    "一、推进法治政府建设的主要举措和成效\n"
    "全年开展法律咨询180人次，调解矛盾纠纷186件，调解成功率达到95%以上。\n"
    "二、存在的不足和原因\n"
    "一是部分干部法治意识有待提高。二是执法人员不足。\n"
    "三、2025年主要安排\n"
    "一是加强学法用法。二是规范行政执法。三是创新普法方式。\n"
)


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _check(report):
    assert (report.meta.org, report.meta.year, report.meta.level) == ("吉昌镇", 2024, "镇")
    assert "调解矛盾纠纷186件" in report.text
    assert [len(report.items_of(p)) for p in ("不足", "安排")] == [2, 3]


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-32"],
)
def test_txt_in_every_encoding(tmp_path, encoding):
    report = parse_file(_write(tmp_path, f"r-{encoding}.txt", REPORT.encode(encoding)))
    _check(report)
    assert report.text.startswith("吉昌镇2024年法治政府建设情况报告")


def test_gb18030_only_characters(tmp_path):
    text = REPORT + "四、其他\n𠀀字与€符号只在GB18030里。\n"
    report = parse_file(_write(tmp_path, "r.txt", text.encode("gb18030")))
    assert "𠀀字与€符号" in report.text


def test_content_hash_is_sha256_of_the_decoded_text(tmp_path):
    import hashlib

    data = REPORT.encode("gbk")
    assert parse_file(_write(tmp_path, "r.txt", data)).content_hash == hashlib.sha256(REPORT.encode()).hexdigest()


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    document = docx.Document()
    lines = REPORT.strip().split("\n")
    for line in lines[:4]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "数量"
    table.cell(1, 0).text, table.cell(1, 1).text = "法律咨询", "180人次"
    for line in lines[4:]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    report = parse_file(_write(tmp_path, "r.docx", buffer.getvalue()))
    _check(report)
    assert "法律咨询\t180人次" in report.text
    assert report.text.index("180人次") < report.text.index("二、存在的不足和原因")


def test_pdf_text_layer(tmp_path):
    report = parse_file(_write(tmp_path, "r.pdf", minimal_pdf(REPORT.strip().split("\n"))))
    _check(report)


def test_pdf_reflow_joins_page_width_breaks_but_not_headings():
    lines = [
        "2024年，吉昌镇坚持以习近平法治思想为指导，扎实推进各项工作，取得",
        "了一定成效。全年开展法律咨询180人次，调解矛盾纠纷186件，调解成功",
        "率达到95%以上。",
        "一、推进法治政府建设的主要举措和成效",
        "（一）加强学习",
    ]
    out = reflow_lines(lines).split("\n")
    assert out[0].endswith("调解成功率达到95%以上。")
    assert out[1:] == ["一、推进法治政府建设的主要举措和成效", "（一）加强学习"]


HTML = """<html><head><title>吉昌镇2024年法治政府建设情况报告_吉县人民政府</title>
<meta name="ArticleTitle" content="吉昌镇2024年法治政府建设情况报告">
<meta name="PubDate" content="2025-02-10 09:30"></head><body>
<div class="header"><a href="/">首页</a><a href="/a">政务公开</a><a href="/b">政务服务</a></div>
<nav><ul><li><a href="/c">机构设置</a></li><li><a href="/d">政策文件</a></li></ul></nav>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 法治政府建设</div>
<div class="main"><h1>吉昌镇2024年法治政府建设情况报告</h1>
<div id="zoom">%s</div></div>
<div class="footer"><p>主办单位：吉县人民政府 版权所有</p><p>晋ICP备18009906号 网站标识码：1410280001</p></div>
<script>var x = "不应出现的脚本文字";</script>
</body></html>"""


def test_html_article_text_without_navigation(tmp_path):
    body = "".join(f"<p>{line}</p>" for line in REPORT.strip().split("\n")[1:])
    report = parse_file(_write(tmp_path, "r.html", (HTML % body).encode("utf-8")))
    _check(report)
    for junk in ("首页", "机构设置", "当前位置", "主办单位", "ICP", "脚本"):
        assert junk not in report.text
    assert report.meta.title == "吉昌镇2024年法治政府建设情况报告" and not report.meta.title_generated
    assert report.meta.published.isoformat() == "2025-02-10"


def test_gbk_html_page(tmp_path):
    body = "".join(f"<p>{line}</p>" for line in REPORT.strip().split("\n")[1:])
    markup = (HTML % body).replace("<head>", '<head><meta charset="gbk">')
    report = parse_file(_write(tmp_path, "r.htm", markup.encode("gbk")))
    _check(report)


# ------------------------------------------------------------------ bad input


def _reason(tmp_path, name, data: bytes) -> str:
    with pytest.raises(BadInput) as err:
        parse_file(_write(tmp_path, name, data))
    message = str(err.value)
    assert "\n" not in message and name in message  # one line, names the file
    return message


def test_empty_file(tmp_path):
    assert "为空" in _reason(tmp_path, "empty.txt", b"")
    assert "为空" in _reason(tmp_path, "blank.txt", b"  \r\n\t \n")


def test_binary_junk_named_txt(tmp_path):
    junk = bytes((i * 7919 + 13) % 256 for i in range(4096)) + os.urandom(2048)
    assert "不是可识别的文本文件" in _reason(tmp_path, "junk.txt", junk)


def test_png_named_txt(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    assert "不是可识别的文本文件" in _reason(tmp_path, "image.txt", png)


def test_corrupt_docx(tmp_path):
    assert ".docx" in _reason(tmp_path, "broken.docx", b"PK\x03\x04 not really a zip file at all")


def test_docx_that_is_a_zip_without_word_content(tmp_path):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "hi")
    assert ".docx" in _reason(tmp_path, "zip.docx", buffer.getvalue())


def test_corrupt_pdf(tmp_path):
    assert "PDF" in _reason(tmp_path, "broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")


def test_truncated_pdf(tmp_path):
    assert "PDF" in _reason(tmp_path, "cut.pdf", minimal_pdf(["吉昌镇2024年报告"])[:120])


def test_pdf_without_text_layer(tmp_path):
    assert "没有文字层" in _reason(tmp_path, "scan.pdf", minimal_pdf(None))


def test_unsupported_types(tmp_path):
    assert "不支持的文件类型 .xlsx" in _reason(tmp_path, "table.xlsx", b"PK\x03\x04")
    assert "另存为 .docx" in _reason(tmp_path, "old.doc", b"\xd0\xcf\x11\xe0")


def test_file_over_size_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_INGEST_MAX_FILE_MB", "0.001")
    get_settings.cache_clear()
    message = _reason(tmp_path, "big.txt", REPORT.encode("utf-8") * 10)
    assert "文件太大" in message and "0.001 MB" in message


def test_missing_file(tmp_path):
    with pytest.raises(BadInput, match="文件不存在"):
        parse_file(tmp_path / "nope.txt")


def test_decode_text_prefers_real_encoding_over_lookalikes():
    text = "执法人员360人次，化解率96.77%。"
    for encoding in ("utf-8", "gbk", "utf-16-le", "utf-16-be"):
        assert decode_text(text.encode(encoding), "x.txt") == text


@pytest.mark.parametrize("name", ["2024-jichang-zhen.txt", "2024-zhushan-xiang.txt", "2024-jingyuan-xian.txt"])
def test_sample_as_wrapped_pdf_parses_like_the_txt(tmp_path, name):
    """Each paragraph hard-wrapped at 38 characters, as a PDF's text layer gives it: same text, same items."""
    from tests.conftest import SAMPLES

    source = parse_file(SAMPLES / name)
    lines = [para[i:i + 38] for para in source.text.split("\n") for i in range(0, len(para), 38)]
    report = parse_file(_write(tmp_path, "r.pdf", minimal_pdf(lines)))
    assert report.text == source.text
    assert report.items == source.items and report.sections == source.sections
    assert (report.meta.org, report.meta.year, report.meta.title) == (source.meta.org, source.meta.year, source.meta.title)


def test_sample_as_docx_parses_like_the_txt(tmp_path):
    from tests.conftest import SAMPLES

    source = parse_file(SAMPLES / "2023-jingjia-zhen.txt")
    document = docx.Document()
    for para in source.text.split("\n"):
        document.add_paragraph("\u3000\u3000" + para)  # first-line indent typed as ideographic spaces
    document.add_paragraph("")
    buffer = io.BytesIO()
    document.save(buffer)
    report = parse_file(_write(tmp_path, "r.docx", buffer.getvalue()))
    assert report.text == source.text and report.items == source.items
    assert report.meta.signed == source.meta.signed


def test_html_article_as_br_separated_text_in_a_table_layout(tmp_path):
    lines = REPORT.strip().split("\n")
    markup = (
        "<html><body><table><tr><td class='left'><a href='/1'>网站首页</a><br><a href='/2'>信息公开目录</a></td>"
        "<td><div class='article'><span>" + "<br>".join(lines) + "</span></div>"
        "<p>发布时间：2025-03-01 浏览次数：128</p></td></tr></table>"
        "<div>版权所有：新民镇人民政府 网站标识码：1410280001</div></body></html>"
    )
    report = parse_file(_write(tmp_path, "page.html", markup.encode("utf-8")))
    _check(report)
    assert "网站首页" not in report.text and "版权所有" not in report.text
    assert report.meta.published.isoformat() == "2025-03-01"  # from the page furniture outside the article


def _add_numbering(document, levels: list[tuple[str, str]]) -> int:
    """Add a multi-level list definition (numFmt, lvlText per level) to a python-docx document; returns numId."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    numbering = document.part.numbering_part.element
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    numbering.append(parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{lvls}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return 90


def test_docx_automatic_numbering_is_rendered(tmp_path):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    num_id = _add_numbering(document, [("chineseCounting", "%1、"), ("chineseCounting", "（%2）")])

    def numbered(text: str, level: int) -> None:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
        )

    document.add_paragraph("2024年，吉昌镇坚持以习近平法治思想为指导，现将有关情况报告如下：")
    numbered("推进法治政府建设的主要举措和成效", 0)
    document.add_paragraph("全年开展法律咨询180人次。")
    numbered("存在的不足和原因", 0)
    numbered("学法不深", 1)
    numbered("执法不规范", 1)
    numbered("2025年主要安排", 0)
    numbered("加强学法用法", 1)
    buffer = io.BytesIO()
    document.save(buffer)
    report = parse_file(_write(tmp_path, "auto.docx", buffer.getvalue()))
    assert "二、存在的不足和原因\n（一）学法不深\n（二）执法不规范\n三、2025年主要安排\n（一）加强学法用法" in report.text
    assert [len(report.items_of(p)) for p in ("不足", "安排")] == [2, 1]


def test_chinese_numerals_for_list_labels():
    from assistant.ingest.docx_numbering import chinese_numeral

    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 20, 23)] == ["一", "九", "十", "十一", "二十", "二十三"]
