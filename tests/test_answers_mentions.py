"""Which reports mention something: the term read off the question, found by code in every report."""

from __future__ import annotations

import pytest

from assistant.answers.mentions import find_mentions, match, mention_terms
from assistant.answers.question import parse_question
from assistant.textnorm import simplified
from fake_library import FakeLibrary, make_report


def terms(question: str) -> list[str]:
    return mention_terms(parse_question(question, []))


@pytest.mark.parametrize(
    "question, expected",
    [
        ("哪些单位提到配备或设立了公职律师?", ["公职律师"]),  # the verbs are the asker's, the thing is 公职律师
        ("哪些乡镇为中小学配备了法治副校长?", ["法治副校长"]),
        ("哪些单位的报告谈到了帮企业做信用修复?", ["信用修复"]),
        ("哪些单位提出要争取配备执法记录仪?", ["执法记录仪"]),
        ("哪些报告里提到了12345热线?", ["12345热线"]),
        ("哪些单位在报告里提到了“首违不罚”?", ["首违不罚"]),
        ("哪些单位的报告提到了“枫桥”经验?", ["枫桥"]),
        ("哪些单位的报告提到了“123”工作法?", ["123工作法"]),  # a quoted number takes the word after it
        ("哪些乡镇还有村没有建立调委会?", ["未建立调委会"]),  # a negation is part of what is asked
        ("哪些單位提到了法律顧問?", ["法律顾问"]),  # traditional characters read as simplified
    ],
)
def test_the_term_is_read_off_the_question(question, expected):
    assert terms(question) == expected


@pytest.mark.parametrize(
    "term, text, how",
    [
        ("公职律师", "发挥政府法律顾问和公职律师作用", "exact"),
        ("未取得执法证", "仍有2名执法人员未取得行政执法证件", "longer form"),
        ("12345政务服务便民热线", "畅通12345热线诉求渠道", "short form"),
        ("首违不罚", simplified("適用首違不罰清單"), "exact"),
    ],
)
def test_exact_longer_and_short_forms_match(term, text, how):
    assert match(term, text, max_gap=4, short_share=0.5)[0] == how


@pytest.mark.parametrize(
    "term, text",
    [
        ("法治副校长", "打造茶园法治长廊1处"),  # 法治…长 is not a short form of 法治副校长
        ("未取得执法证", "全部取得执法证件"),  # the negation asked is missing
        ("未取得执法证", "督促未持证人员年内全部取得执法证件"),  # too far apart to be one phrase
        ("公职律师", "律师事务所参与调解"),
    ],
)
def test_what_is_not_a_mention(term, text):
    assert match(term, text, max_gap=4, short_share=0.5) is None


def test_every_report_that_says_it_is_found_with_its_sentence_cited():
    lib = FakeLibrary([
        make_report("清水镇", 2024, "一、主要举措和成效\n聘请法律顾问。充分发挥政府法律顾问和公职律师作用,审查合同12份。"),
        make_report("石桥镇", 2023, "一、主要举措和成效\n全镇設立公職律師2名。", level="镇"),
        make_report("柏林镇", 2024, "一、主要举措和成效\n律师事务所参与调解。"),
    ])
    q = parse_question("哪些单位提到配备或设立了公职律师?", [(e.org, e.year) for e in lib.catalog()])
    found = find_mentions(q, lib)
    assert [(m.org, m.year) for m in found] == [("清水镇", 2024), ("石桥镇", 2023)]
    first = found[0]
    assert first.sentence == "充分发挥政府法律顾问和公职律师作用,审查合同12份" and first.how == "exact"
    assert first.citation.org == "清水镇" and first.sentence in first.citation.quote and first.citation.matched_by_code
    assert found[1].sentence == "全镇設立公職律師2名"  # shown as the report writes it
    only = find_mentions(q, lib, reports=[("石桥镇-2023", "石桥镇", 2023)])
    assert [m.org for m in only] == ["石桥镇"]


def test_a_heading_that_says_it_counts():
    text = "一、主要举措和成效\n(一)畅通12345热线诉求渠道\n全年受理群众诉求3841件,按期办结率99.2%。"
    lib = FakeLibrary([make_report("岚川县", 2024, text, level="县/区")])
    lib.reports_[0].chunks[0].heading_path = ("一、主要举措和成效", "(一)畅通12345热线诉求渠道")
    found = find_mentions(parse_question("哪些报告里提到了12345热线?", []), lib)
    assert [m.sentence for m in found] == ["(一)畅通12345热线诉求渠道"]


def test_a_long_sentence_is_shown_around_the_match():
    long = "加强规范性文件制定及合法性审查、" * 6 + "法律顾问、公职律师等队伍职业化、专业化建设。"
    lib = FakeLibrary([make_report("柱山乡", 2024, "一、主要举措和成效\n" + long, level="乡")])
    (m,) = find_mentions(parse_question("哪些单位提到了公职律师?", []), lib)
    assert "公职律师" in m.sentence and m.sentence.startswith("…") and len(m.sentence) <= 92
