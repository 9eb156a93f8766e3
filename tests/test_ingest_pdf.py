"""PDFs as Word/WPS export them: lines broken at the page width, a running header, page numbers."""

from __future__ import annotations

from assistant.ingest import parse_file
from assistant.ingest.pdf import drop_furniture, reflow_lines
from assistant.ingest.testing import minimal_pdf
from assistant.types import Part

HEADER = "关于2023年度法治政府建设工作情况的报告"
PAGES = [
    [
        "柏阳县市场监督管理局关于2023年度法治政府",
        "建设工作情况的报告",
        "县委依法治县办：",
        "2023年，县市场监督管理局坚持以习近平新时代中国特色社会主义思想为指",
        "导，深入学习贯彻习近平法治思想，现将有关情况报告如下：",
        "一、主要举措和成效",
        "全年查办各类行政案件412件，罚没款386.7万元，移送公安机关涉嫌犯罪",
        "— 1 —",
    ],
    [
        HEADER,
        "案件6件，食品安全监督抽检2860批次，不合格率1.9%。",
        "二、存在的不足",
        "一是基层执法力量较为薄弱。二是执法规范化水平不够均衡。",
        "三、2024年工作安排",
        "（一）加强基层执法力量建设。为执法力量薄弱的4个市场监管所各充实执",
        "— 2 —",
    ],
    [
        HEADER,
        "法人员不少于2名，持证执法人员比例达到90%以上。",
        "（二）提升新兴业态监管效能。组建8人网络监管专班，全年开展网络交易",
        "专项执法行动不少于3次。",
        "— 3 —",
    ],
]


def test_wrapped_pdf_with_running_header_and_page_numbers(tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(minimal_pdf(None, pages=PAGES))
    report = parse_file(path)
    assert HEADER not in report.text.split("\n")[2:] and "— 2 —" not in report.text
    assert "移送公安机关涉嫌犯罪案件6件，食品安全监督抽检2860批次" in report.text  # joined across the page break
    assert (report.meta.org, report.meta.year) == ("柏阳县市场监督管理局", 2023)
    assert report.meta.title == "柏阳县市场监督管理局关于2023年度法治政府建设工作情况的报告"  # two-line title
    plans = report.items_of(Part.PLANS)
    assert [p.heading.split("。")[0] for p in plans] == ["（一）加强基层执法力量建设", "（二）提升新兴业态监管效能"]
    assert plans[0].text.endswith("持证执法人员比例达到90%以上。")  # an item that runs over a page break
    assert len(report.items_of(Part.SHORTCOMINGS)) == 2


def test_furniture_only_at_page_edges():
    pages = [
        ["标题", "正文第一行", "某县司法局印发", "12"],
        ["页眉", "正文", "12", "更多正文", "某县司法局印发", "第2页 共3页"],
        ["页眉", "另一页正文", "某县司法局印发", "第3页 共3页"],
    ]
    kept = drop_furniture(pages)
    assert kept[0] == ["标题", "正文第一行"]  # a page number and the running footer at the foot of page 1
    assert kept[1] == ["正文", "12", "更多正文"]  # '12' inside the page is text; the header repeats on pages 2 and 3
    assert kept[2] == ["另一页正文"]


def test_reflow_keeps_headings_and_short_lines():
    lines = [
        "2024年，吉昌镇坚持以习近平法治思想为指导，扎实推进各项工作，取得",
        "了一定成效。全年开展法律咨询180人次，调解矛盾纠纷186件，调解成功",
        "率达到95%以上。",
        "第二部分 存在的问题",
        "（一）加强学习",
    ]
    out = reflow_lines(lines).split("\n")
    assert out == [lines[0] + lines[1] + lines[2], "第二部分 存在的问题", "（一）加强学习"]
