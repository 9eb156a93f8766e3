"""Routes: metadata by code, two bodies or two years report by report (code first), "哪些单位提到…" by code."""

from __future__ import annotations

from datetime import date

from assistant.answers.citations import REFUSAL
from assistant.answers.pipeline import answer
from assistant.llm import FakeChatModel
from assistant.types import SearchFilter
from fake_library import FakeLibrary, make_report, sample_library
from test_compare import per_report_reply

SIGNED = """县委、县政府:
2024年,清水镇扎实推进法治政府建设。
一、主要举措和成效
化解矛盾纠纷。全年受理矛盾纠纷150件。
特此报告。
中共清水镇委员会
清水镇人民政府
2025年1月20日"""


def signed_library() -> FakeLibrary:
    report = make_report("清水镇", 2024, SIGNED)
    report.meta.signed, report.meta.published = date(2025, 1, 20), date(2025, 3, 2)
    report.meta.provenance.update(signed="signature", published="page")
    earlier = make_report("清水镇", 2023, "一、主要举措和成效\n全年受理矛盾纠纷120件。")
    return FakeLibrary([earlier, report, *sample_library().reports_])


def test_a_date_question_is_answered_from_the_metadata_and_cited_without_a_model():
    model = FakeChatModel([])  # an empty queue fails loudly if the model is asked
    ans = answer("清水镇2024年的报告是哪天落款的?", library=signed_library(), model=model)
    assert model.history == [] and ans.route == "meta" and not ans.refused
    assert ans.text == "清水镇2024年度报告的落款日期是2025年1月20日[1]。"
    assert ans.citations[0].org == "清水镇" and "2025年1月20日" in ans.citations[0].quote and "未经模型" in ans.note
    published = answer("清水镇2024年度报告是什么时候发布的?", library=signed_library(), model=model)
    assert "2025年3月2日" in published.text and "网页上的发布日期" in published.citations[0].quote


def test_the_signer_is_read_off_the_signature_block():
    ans = answer("清水镇2024年的报告是以哪些单位的名义落款的?", library=signed_library(), model=FakeChatModel([]))
    assert ans.text == "清水镇2024年度报告以中共清水镇委员会、清水镇人民政府的名义落款,落款日期为2025年1月20日[1]。"


def test_which_years_cites_every_report_of_the_body():
    ans = answer("资料库里清水镇有哪几个年度的报告?", library=signed_library(), model=FakeChatModel([]))
    assert "2023年度[1]" in ans.text and "2024年度[2]" in ans.text
    assert [(c.org, c.year) for c in ans.citations] == [("清水镇", 2023), ("清水镇", 2024)]


def test_addressee_and_title():
    lib = signed_library()
    assert "报送给县委、县政府" in answer("清水镇2024年的报告报送给哪个机关?", library=lib, model=FakeChatModel([])).text
    title = answer("清水镇2024年那份报告的标题是什么?", library=lib, model=FakeChatModel([]))
    assert "《清水镇2024年法治政府建设情况报告》" in title.text


def test_the_document_number_is_answered_from_the_metadata():
    lib = signed_library()
    lib.reports_[1].meta.doc_number = "清政报〔2025〕6号"
    ans = answer("清水镇2024年度报告的文号是多少?", library=lib, model=FakeChatModel([]))
    assert ans.route == "meta" and ans.text == "清水镇2024年度报告的文号是清政报〔2025〕6号[1]。"
    assert (ans.citations[0].org, ans.citations[0].year) == ("清水镇", 2024)
    missing = answer("清水镇2023年度报告的文号是多少?", library=lib, model=FakeChatModel([]))
    assert missing.refused and "文号" in missing.note


def test_a_fact_the_report_does_not_hold_is_said_to_be_missing():
    ans = answer("清水镇2023年的报告是哪天落款的?", library=signed_library(), model=FakeChatModel([]))
    assert ans.refused and ans.text == REFUSAL and "没有落款日期" in ans.note and ans.route == "meta"


def test_two_bodies_in_ask_go_report_by_report():
    model = FakeChatModel([])  # code finds both counts: the model is not asked
    ans = answer("泾源县和徐行镇2024年各调解了多少件矛盾纠纷?", library=sample_library(), model=model)
    assert ans.route == "comparison" and model.history == [] and ans.model == ""
    lines = ans.text.splitlines()
    assert lines[0].startswith("泾源县 2024年: ") and "930件" in lines[0] and lines[0].endswith("[1]。")
    assert lines[1].startswith("徐行镇 2024年: ") and "186件" in lines[1] and lines[1].endswith("[2]。")
    assert [c.org for c in ans.citations] == ["泾源县", "徐行镇"] and "基于 2/2 份报告" in ans.note


def test_two_bodies_where_code_finds_nothing_ask_the_model_per_report():
    lib = FakeLibrary([make_report("清水镇", 2024, "一、主要举措和成效\n矛盾纠纷调解工作有序开展,调解成效明显。"),
                       make_report("石桥镇", 2024, "一、主要举措和成效\n石桥镇矛盾纠纷调解组织健全,调解工作规范。")])
    model = FakeChatModel([REFUSAL, REFUSAL])
    ans = answer("清水镇和石桥镇的矛盾纠纷调解工作怎么样?", library=lib, model=model)
    assert ans.route == "comparison" and len(model.history) == 2
    headers = [{line.split()[1] for line in c.messages[-1]["content"].splitlines() if line.startswith("[ev-")}
               for c in model.history]
    assert headers == [{"清水镇"}, {"石桥镇"}]  # each report's passages on their own: the bodies never mix


def test_the_rows_stream_as_they_are_settled():
    from assistant.answers.pipeline import stream_answer
    from assistant.types import Answer

    pieces = list(stream_answer("泾源县和徐行镇2024年各调解了多少件矛盾纠纷?", library=sample_library(),
                                model=FakeChatModel([])))
    lines = [p for p in pieces if isinstance(p, str)]
    assert len(lines) == 2 and lines[0].startswith("泾源县 2024年: ") and isinstance(pieces[-1], Answer)


def test_a_plan_and_what_came_of_it_reads_both_years():
    lib = signed_library()
    model = FakeChatModel([per_report_reply, per_report_reply])
    ans = answer("清水镇2023年和2024年分别受理了多少件矛盾纠纷?", library=lib, model=model)
    assert ans.route == "comparison" and [(c.org, c.year) for c in ans.citations] == [("清水镇", 2023), ("清水镇", 2024)]
    assert "120件" in ans.text and "150件" in ans.text


def test_a_report_that_says_nothing_is_shown_as_not_mentioned():
    model = FakeChatModel([per_report_reply, per_report_reply])
    ans = answer("柱山乡和徐行镇2024年各调解了多少件矛盾纠纷?", library=sample_library(), model=model)
    assert "柱山乡 2024年: 未提及" in ans.text and "未提及: 柱山乡(2024)" in ans.note


def test_which_reports_mention_is_found_by_code():
    model = FakeChatModel([])  # fails if asked
    ans = answer("哪些乡镇提到了矛盾纠纷?", library=sample_library(), model=model)
    assert ans.route == "mention" and model.history == [] and ans.model == ""
    assert ans.text.startswith("徐行镇 2024年: ") and "柱山乡" not in ans.text and ans.citations[0].org == "徐行镇"
    assert "“矛盾纠纷”" in ans.note and "未提及: 柱山乡(2024)" in ans.note


def test_nothing_decodes_every_report_to_answer_one_question():
    from test_compare import CatalogOnlyLibrary

    lib = CatalogOnlyLibrary(signed_library().reports_)
    assert answer("清水镇2024年的报告是哪天落款的?", library=lib, model=FakeChatModel([])).route == "meta"
    assert lib.decoded == ["清水镇-2024"]  # the one report asked about
    lib.decoded = []
    assert answer("资料库里清水镇有哪几个年度的报告?", library=lib, model=FakeChatModel([])).route == "meta"
    assert answer("泾源县存在哪些不足?", library=lib, model=FakeChatModel([])).route == "list"
    assert answer("哪些乡镇提到了矛盾纠纷?", library=lib, model=FakeChatModel([])).route == "mention"
    answer("泾源县2024年调解矛盾纠纷多少件?", library=lib, model=FakeChatModel(["930件[ev-00000000]"]))
    assert lib.decoded == ["泾源县-2024"]  # the list; the years, the mention and the single answer decode none


def test_a_filter_the_user_gave_keeps_the_single_path():
    model = FakeChatModel([REFUSAL])
    ans = answer("泾源县和徐行镇各调解了多少件矛盾纠纷?", library=sample_library(), model=model,
                 filter=SearchFilter(orgs=["泾源县"]))
    assert ans.route == "single" and len(model.history) == 1
