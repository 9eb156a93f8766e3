"""Every guard is a named step that acts only with evidence in hand, says why, and never refuses a right figure."""

from __future__ import annotations

import pytest

from assistant.answers.citations import REFUSAL, CheckedText, check_reply, strip_headers
from assistant.answers.evidence import evidence_header
from assistant.answers.guards import dump, invented_count
from assistant.answers.pipeline import answer
from assistant.answers.question import parse_question
from assistant.answers.quote import source_of
from assistant.answers.settle import settle
from assistant.llm import FakeChatModel
from assistant.settings import GuardSettings
from assistant.types import Evidence
from fake_library import FakeLibrary, make_report, sample_library
from test_qa_unit import ev_id_containing, reply_citing

# These tests script the model's reply to figure questions code would otherwise answer from the report's
# own clause (answer.quote_first): here the model answers, and the guards after it are what is tested.
pytestmark = pytest.mark.usefixtures("model_answers")

Q = "泾源县2024年调解矛盾纠纷多少件?"
CATALOG = [("泾源县", 2024), ("徐行镇", 2024), ("柱山乡", 2024)]


def evidence_of(text: str, org: str = "清水镇") -> list[Evidence]:
    report = make_report(org, 2024, "一、主要举措和成效\n" + text)
    return [Evidence(Evidence.make_id(c.id), c, 1.0) for c in report.chunks]


def judged(passage: str, question: str, reply: str):
    """(checked, verdict) for the model's ``reply`` to ``question`` over one 清水镇 report holding ``passage``;
    "{id}" in ``reply`` stands for the passage's evidence id."""
    evidence = evidence_of(passage)
    q = parse_question(question, [("清水镇", 2024)])
    reply = reply.replace("{id}", evidence[0].id)
    return settle(q, check_reply(reply, evidence), evidence, reply)


def test_an_echoed_header_is_taken_out_and_the_answer_kept():
    """"吉昌镇 2024年 · 原因 · 二、…中提到,…": the answer starts after the header, and the note says so."""
    def reply(messages):
        ev_id = ev_id_containing(messages, "930件")
        return f"泾源县 2024年 · 举措成效 · 一、主要举措和成效中提到,全县各级调解组织共调解矛盾纠纷930件[{ev_id}]。"

    ans = answer(Q, library=sample_library(), model=FakeChatModel([reply]))
    assert ans.text.startswith("全县各级调解组织共调解矛盾纠纷930件[1]") and not ans.refused
    assert ans.guard == "echo" and ans.guard_action == "repaired" and "标题行" in ans.note
    assert ans.reply.startswith("泾源县 2024年 · 举措成效")  # the raw reply is kept for replays


def test_header_lines_without_their_heading_shown_are_still_recognised():
    evidence = evidence_of("全年调解矛盾纠纷930件。")
    text, count = strip_headers("[1] 荆家镇 2023年 · 不足 · …\n清水镇 2024年 · 举措成效 · 二、某某中提到,调解930件。", evidence)
    assert count == 2 and text == "调解930件。"
    assert strip_headers("泾源县2024年调解矛盾纠纷930件。", evidence) == ("泾源县2024年调解矛盾纠纷930件。", 0)


def test_a_heading_written_as_a_sentence_leaves_no_full_stop_in_front_of_the_answer():
    report = make_report("岚川县人民政府办公室", 2024, "一、主要举措和成效\n全年审查文件12件。\n二、存在的问题\n"
                         "（一）合法性审查力量仍然薄弱\n法规股现有工作人员3名,仅1人具有法律职业资格。")
    evidence = [Evidence(Evidence.make_id(c.id), c, 1.0) for c in report.chunks]
    header = evidence_header(evidence[1])  # "[ev-…] 岚川县人民政府办公室 2024年 · 不足 · 二、存在的问题"
    text, count = strip_headers(f"{header}。法规股现有工作人员3名。", evidence)
    assert count == 1 and text == "法规股现有工作人员3名。", text


@pytest.mark.usefixtures("model_reads_every_passage")  # three headers listed: three passages shown
def test_a_dump_of_headers_is_replaced_by_the_reports_sentence():
    lib = sample_library()

    def reply(messages):
        shown = [line for line in messages[-1]["content"].splitlines() if line.startswith("[ev-")]
        return "\n".join(shown[:3])  # the model lists evidence headers instead of answering

    ans = answer(Q, library=lib, model=FakeChatModel([reply]))
    assert ans.guard == "dump" and ans.guard_action == "quoted" and not ans.refused and "930件" in ans.text
    assert ans.citations[0].matched_by_code and "程序从报告中摘录" in ans.note and "·" not in ans.text


def test_a_dump_of_passages_for_a_count_question_is_replaced_by_the_sentence_that_answers():
    from answers_support import material_ids

    ans = answer(Q, library=sample_library(), model=FakeChatModel([lambda m: "\n".join(material_ids(m).values())]))
    assert ans.guard == "dump" and ans.text.startswith("全县各级调解组织共调解矛盾纠纷930件") and ans.text.endswith("[1]。")


def test_copied_passages_answering_a_list_like_question_are_kept():
    """Only a count question's answer is one sentence; a "what did they do" answer may quote several passages."""
    evidence = evidence_of("开展法治宣传活动12次,覆盖全镇群众。\n组织执法培训。全体执法人员参加培训并通过考试。")
    q = parse_question("清水镇做了哪些法治工作?", [("清水镇", 2024)])
    reply = evidence[0].chunk.text + "\n" + evidence[1].chunk.text
    assert dump(q, check_reply(reply, evidence), evidence, GuardSettings()) is None


def test_a_figure_of_another_kind_than_asked_is_not_an_answer():
    """多少件申请 answered with 274条 (a count of published items): no sentence gives 件 of it, so a refusal."""
    evidence = evidence_of("深化政务公开,主动公开各类信息274条。")
    q = parse_question("清水镇2024年收到了多少件政府信息公开申请?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{evidence[0].id}] 清水镇公开信息274条。", evidence), evidence)
    assert checked.refused and verdict.guard == "invented_count" and "274条" in verdict.why and "件" in verdict.why


def test_a_figure_about_something_else_gives_way_to_the_sentence_on_the_topic():
    evidence = evidence_of("开展法治宣传活动12次。\n化解矛盾纠纷。全年调解矛盾纠纷186件,调解成功率95%。")
    q = parse_question("清水镇2024年调解矛盾纠纷多少件?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{evidence[0].id}] 清水镇调解矛盾纠纷12次。", evidence), evidence)
    assert not checked.refused and "186件" in checked.text and verdict.guard == "invented_count"
    assert checked.citations[0].matched_by_code and "186件" in checked.citations[0].quote


def test_a_right_figure_is_never_overturned_in_any_shape_the_model_writes_it():
    lib = sample_library()
    shapes = [
        "[{id}] 泾源县2024年调解矛盾纠纷930件。",
        "泾源县2024年调解矛盾纠纷930件。",  # uncited
        "泾源县 2024年 · 举措成效 · 一、主要举措和成效中提到,调解矛盾纠纷930件[{id}]。",  # header echoed
        "全县各级调解组织共调解矛盾纠纷930件,矛盾纠纷化解率96.77%,涉及金额7800万元[{id}]。",  # copied
    ]
    for shape in shapes:
        ans = answer(Q, library=lib, model=FakeChatModel([reply_citing("930件", shape)]))
        assert not ans.refused and "930件" in ans.text and ans.ungrounded == [], (shape, ans.text, ans.note)


def test_a_figure_written_in_words_is_written_as_its_quote_writes_it():
    evidence = evidence_of("组织执法培训2次。")
    checked = check_reply(f"清水镇开展执法培训两次[{evidence[0].id}]。", evidence)
    assert checked.text == "清水镇开展执法培训2次[1]。" and checked.ungrounded == []


def test_thresholds_are_settings():
    """dump_min_copies decides what counts as a dump: the same reply is a dump at 2 copies, not at 3."""
    evidence = evidence_of("全年调解矛盾纠纷186件,调解成功率95%,涉及群众300余人,全部依法处理完毕。\n"
                           "组织开展矛盾纠纷排查12次,排查出矛盾纠纷隐患40处,均已落实责任人跟踪化解,做到件件有回音。")
    q = parse_question("清水镇2024年调解矛盾纠纷多少件?", [("清水镇", 2024)])
    checked = check_reply("\n".join(ev.chunk.text for ev in evidence), evidence)
    assert dump(q, checked, evidence, GuardSettings(dump_min_copies=2)) is not None
    assert dump(q, checked, evidence, GuardSettings(dump_min_copies=3)) is None


def test_the_support_and_scope_guards_name_themselves():
    lib = sample_library()
    assert answer("泾源县2024年新建了多少公里高速公路?", library=lib, model=FakeChatModel([])).guard == "support"
    assert answer("潼关2024年组织行政执法培训多少次?", library=lib, model=FakeChatModel([])).guard == "scope"


def test_a_refusal_by_the_model_stays_one_and_no_guard_claims_it():
    ans = answer(Q, library=sample_library(), model=FakeChatModel([REFUSAL]))
    assert ans.refused and ans.guard == "" and ans.route == "single"


def test_an_uncited_invented_count_with_nothing_on_the_topic_is_refused():
    lib = FakeLibrary([make_report("清水镇", 2024, "一、主要举措和成效\n规范行政复议。做好行政复议应诉工作。")])
    ans = answer("清水镇2024年受理行政复议案件多少件?", library=lib, model=FakeChatModel(["清水镇受理行政复议案件3件。"]))
    assert ans.refused and ans.guard == "invented_count" and ans.guard_action == "refused" and "3件" in ans.note
    assert invented_count(parse_question("清水镇怎样做好复议?", [("清水镇", 2024)]), CheckedText("3件"), [], GuardSettings()) is None


def test_echo_header_shape_matches_the_evidence_header():
    ev = evidence_of("全年调解矛盾纠纷186件。")[0]
    header = evidence_header(ev)
    assert header.startswith(f"[{ev.id}] 清水镇 2024年 · 举措成效 · ")
    assert strip_headers(header.split("] ", 1)[1] + "中提到,调解186件。", [ev]) == ("调解186件。", 1)


def test_a_plan_target_is_not_quoted_as_the_count_a_year_achieved():
    report = make_report("清水镇", 2024, "一、主要举措和成效\n开展普法宣传进村入户活动。\n三、下一步工作安排\n全年开展普法活动不少于10场次。")
    evidence = [Evidence(Evidence.make_id(c.id), c, 1.0) for c in report.chunks]
    catalog = [("清水镇", 2024)]
    done = parse_question("清水镇2024年开展了多少场次普法活动?", catalog)
    checked, verdict = settle(done, check_reply("清水镇2024年开展了多少场次普法活动?", evidence), evidence)
    assert checked.refused and verdict.guard == "quote_over"
    planned = parse_question("清水镇下一步计划开展多少场次普法活动?", catalog)
    checked, verdict = settle(planned, check_reply("清水镇下一步计划开展多少场次普法活动?", evidence), evidence)
    assert "10场次" in checked.text and verdict.action == "quoted"


def test_a_reply_in_simplified_characters_is_matched_to_a_traditional_passage():
    evidence = evidence_of("建立“茶季糾紛快調”機制，現場化解買賣糾紛29件、涉及金額18.7萬元。", org="桐溪鎮")
    checked = check_reply("桐溪镇现场化解买卖纠纷29件,涉及金额18.7万元。", evidence)
    assert checked.citations and checked.citations[0].matched_by_code and checked.ungrounded == []


LONG = ("针对上年度执法人员持证率偏低、案卷质量不高的问题,镇党委把执法规范化建设作为全年法治工作的重点来抓。"
        "一是全员持证上岗,组织5名执法人员参加执法资格考试,全部考试合格。二是开展两轮案卷评查,上半年、下半年各开展一次,"
        "共评查行政执法案卷40卷,发现问题12个并全部整改。三是规范执法程序,推行执法全过程记录。")


def test_a_long_copied_passage_is_cut_down_to_the_sentences_that_answer():
    evidence = evidence_of(LONG)
    q = parse_question("清水镇2024年开展了几轮案卷评查?一共评查了多少卷?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{evidence[0].id}] {LONG}", evidence), evidence)
    assert verdict.guard == "dump" and verdict.action == "repaired"
    assert "两轮" in checked.text and "40卷" in checked.text and "持证率" not in checked.text and checked.citations


def test_a_quote_answers_every_unit_asked():
    from assistant.answers.quote import quoted_answer

    evidence = evidence_of("全县作出行政处罚决定8620件,办结率100%。\n罚没款3160万元,全部上缴国库。", org="磐溪县")
    q = parse_question("磐溪县作出了多少件行政处罚决定?罚没款多少?", [("磐溪县", 2024)])
    text, citations = quoted_answer(q, evidence, GuardSettings())
    assert "8620件" in text and "3160万元" in text and len(citations) == 2


def test_a_figure_the_report_gives_for_a_wider_thing_than_asked_is_refused():
    """刑事法律援助案件 answered with the report's count of all 法律援助案件: not the figure asked."""
    evidence = evidence_of("全年受理法律援助案件826件,为受援人挽回经济损失1860万元。")
    q = parse_question("清水镇2024年办理的刑事法律援助案件有多少件?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{evidence[0].id}] 清水镇办理刑事法律援助案件826件。", evidence), evidence)
    assert checked.refused and verdict.guard == "narrower"
    assert "826件" in verdict.why and "“法律援助案件”" in verdict.why and "刑事" in verdict.why


def test_a_qualifier_the_sentence_holds_or_a_plain_one_keeps_the_figure():
    evidence = evidence_of("全年受理法律援助案件826件,其中刑事法律援助案件214件。")
    q = parse_question("清水镇2024年刑事法律援助案件有多少件?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{evidence[0].id}] 清水镇刑事法律援助案件214件。", evidence), evidence)
    assert not checked.refused and "214件" in checked.text and verdict is None
    plain = evidence_of("全年调解矛盾纠纷930件。")
    q = parse_question("清水镇2024年全镇调解矛盾纠纷多少件?", [("清水镇", 2024)])  # 全镇 narrows nothing
    checked, verdict = settle(q, check_reply(f"[{plain[0].id}] 清水镇调解矛盾纠纷930件。", plain), plain)
    assert not checked.refused and "930件" in checked.text and verdict is None
    # a qualifier the paragraph names elsewhere is the figure's context: 执法 of 执法罚没款 in a paragraph on 执法
    context = evidence_of("全面推行行政执法公示制度。全年作出行政处罚决定29件,罚没款12.4万元。")
    q = parse_question("清水镇2024年执法罚没款一共多少?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{context[0].id}] 清水镇2024年执法罚没款12.4万元。", context), context)
    assert not checked.refused and "12.4万元" in checked.text and verdict is None


def test_a_total_over_things_the_question_asks_one_of_gives_way_to_the_reports_sentence():
    evidence = evidence_of("依托12315平台受理消费者投诉、举报、咨询共5187件,其中投诉2146件,为消费者挽回经济损失93.6万元。")
    q = parse_question("清水镇2024年通过12315收到的投诉有多少件?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{evidence[0].id}] 清水镇收到投诉5187件。", evidence), evidence)
    assert verdict.guard == "narrower" and "合计" in verdict.why and "2146件" in checked.text


def test_a_figure_the_report_gives_for_a_sibling_item_is_refused():
    """"其中山林地界纠纷24件" counts another kind of 纠纷: asked about 邻里纠纷, 24件 would be a figure the report never
    gave. The same figure asked about what it does count is kept."""
    evidence = evidence_of("全年排查矛盾纠纷168件,调解成功163件,其中山林地界纠纷24件、婚姻家庭纠纷39件。")
    q = parse_question("清水镇2024年排查的矛盾纠纷中,邻里纠纷有多少件?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{evidence[0].id}] 邻里纠纷有24件。", evidence), evidence)
    assert checked.refused and verdict.guard == "narrower"
    assert "“山林地界纠纷”" in verdict.why and "邻里纠纷" in verdict.why
    q = parse_question("清水镇2024年山林地界纠纷有多少件?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{evidence[0].id}] 山林地界纠纷24件。", evidence), evidence)
    assert not checked.refused and verdict is None


def test_a_total_is_not_the_count_of_an_item_the_sentence_counts_apart():
    """物业纠纷 stands in the sentence only as an item with its own count (173件): it is not the context of
    调解成功404件, which counts every kind of dispute."""
    evidence = evidence_of("共调解各类矛盾纠纷412件,调解成功404件,调解成功率98.1%,其中物业纠纷173件、邻里纠纷96件。")
    q = parse_question("清水镇2024年物业纠纷调解成功了多少件?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{evidence[0].id}] 物业纠纷调解成功了404件。", evidence), evidence)
    assert checked.refused and verdict.guard == "narrower" and "404件" in verdict.why
    q = parse_question("清水镇2024年物业纠纷有多少件?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{evidence[0].id}] 物业纠纷173件。", evidence), evidence)
    assert not checked.refused and verdict is None


def test_what_the_question_says_not_to_count_is_not_its_topic():
    """"只算投诉,不算举报和咨询": the total over 投诉、举报、咨询 is not the answer; the report's sentence shows 2146件."""
    q = parse_question("清水镇2024年通过12315收到的消费投诉有多少件?只算投诉,不算举报和咨询。", [("清水镇", 2024)])
    assert q.excluded == ("举报", "咨询") and not any("举报" in w or "咨询" in w for w in q.topic)
    evidence = evidence_of("依托12315平台受理消费者投诉、举报、咨询共5187件,其中投诉2146件,为消费者挽回经济损失93.6万元。")
    checked, verdict = settle(q, check_reply(f"[{evidence[0].id}] 收到消费投诉5187件。", evidence), evidence)
    assert verdict.guard == "narrower" and "2146件" in checked.text


def test_each_half_of_a_two_figure_question_is_checked_against_its_own_topic():
    """The 化解率 is right, but 134件 is said of 行政争议, not of 矛盾纠纷: the report's sentence replaces the answer."""
    evidence = evidence_of("全年调解矛盾纠纷930件,矛盾纠纷化解率96.77%。\n通过联席会议化解行政争议134件。")
    q = parse_question("清水镇2024年一共化解了几件矛盾纠纷?化解率是多少?", [("清水镇", 2024)])
    reply = f"[{evidence[0].id}] 一共化解了134件矛盾纠纷,化解率96.77%。"
    checked, verdict = settle(q, check_reply(reply, evidence), evidence)
    assert verdict.guard == "invented_count" and "930件" in checked.text and "134件" not in checked.text


def test_a_sentence_may_leave_the_topic_to_its_paragraph():
    """罚款16.4万元 stands in a paragraph on the 综合行政执法队: it is the 综合执法罚款 asked, and stays."""
    checked, verdict = judged("街道综合行政执法队现有执法人员26名。坚持“721”工作法,全年开展专项整治行动48次,"
                              "立案查处违法行为87件,罚款16.4万元。",
                              "清水镇2024年综合执法罚款金额是多少?", "[{id}] 综合执法罚款金额是16.4万元。")
    assert not checked.refused and "16.4万元" in checked.text and verdict is None


def test_a_figure_no_passage_gives_is_kept_only_as_a_miscopy():
    """12名 is no miscopy of 345名: refused. 903件 next to 930件 is one: kept, marked ⚠ beside its passage."""
    evidence = evidence_of("培育法律明白人345名,创建民主法治示范村4个。")
    q = parse_question("清水镇2024年培育了几名法律明白人?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{evidence[0].id}] 培育了12名法律明白人。", evidence), evidence)
    assert verdict.guard == "invented_count" and "12名" not in checked.text  # the report's sentence instead
    assert verdict.action == "quoted" and "345名" in checked.text
    checked, verdict = settle(q, check_reply(f"[{evidence[0].id}] 培育了354名法律明白人。", evidence), evidence)
    assert not checked.refused and verdict is None
    checked, verdict = judged("全年排查化解矛盾纠纷153件,化解150件。", "清水镇2024年婚姻家庭纠纷有多少件?",
                              "[{id}] 婚姻家庭纠纷有15件。")
    assert verdict is not None and verdict.guard == "invented_count" and "15件" not in checked.text


def test_a_reply_that_restates_the_question_and_fills_its_gap_is_an_answer():
    evidence = evidence_of("在景区周边推行“721”工作法,即70%的问题用服务手段解决。")
    q = parse_question("清水镇2024年在景区周边管理占道经营,推行的是什么工作法?", [("清水镇", 2024)])
    reply = f"[{evidence[0].id}] 清水镇2024年在景区周边管理占道经营,推行的是“721”工作法。"
    checked, verdict = settle(q, check_reply(reply, evidence), evidence)
    assert not checked.refused and "721" in checked.text
    echo = f"[{evidence[0].id}] 清水镇2024年在景区周边管理占道经营,推行了工作法。"
    checked, verdict = settle(q, check_reply(echo, evidence), evidence)
    assert verdict is not None and verdict.guard == "quote_over"


def test_every_counting_word_can_be_asked():
    q = parse_question("清水镇2024年配了多少台执法记录仪?", [("清水镇", 2024)])
    assert q.asks_figure and q.units == ("台",) and q.topic == ("执法记录仪",)
    assert parse_question("清水镇挽回多少万元损失?", [("清水镇", 2024)]).units == ("元",)
    assert parse_question("清水镇新增几辆执法车?", [("清水镇", 2024)]).units == ("辆",)


def test_a_figure_for_the_core_of_what_was_asked_without_its_head_is_refused():
    """The report counts 职业技能培训 (1.12万人次), never 职业技能等级证书: the figure is not the one asked."""
    evidence = evidence_of("依法规范职业技能培训补贴发放,开展补贴性职业技能培训1.12万人次,追回违规申领补贴资金17.6万元。")
    q = parse_question("清水镇2024年有多少人拿到了职业技能等级证书?", [("清水镇", 2024)])
    reply = f"[{evidence[0].id}] 共发放了1.12万人次的职业技能等级证书。"
    checked, verdict = settle(q, check_reply(reply, evidence), evidence)
    assert checked.refused and verdict.guard == "narrower" and "职业技能等级证书" in verdict.why
    money = evidence_of("全面推行行政执法公示制度。全年作出行政处罚决定29件,罚没款12.4万元。")
    q = parse_question("清水镇2024年罚没款金额是多少?", [("清水镇", 2024)])  # 金额 is how it asks, not a head
    checked, verdict = settle(q, check_reply(f"[{money[0].id}] 罚没款12.4万元。", money), money)
    assert not checked.refused and verdict is None


def test_code_quotes_in_the_models_stead_only_what_answers_the_whole_topic():
    """No passage speaks of 价格: the 立案查处42件 sentence is no answer to 查处价格违法案件, so the refusal. A
    sentence counting all disputes is no answer to 婚姻家庭纠纷 either."""
    checked, verdict = judged("推行“诉转案”机制,从投诉举报中发现违法线索并立案查处42件。", "清水镇2024年查处价格违法案件多少件?",
                              "[{id}] 查处价格违法案件57件。")
    assert checked.refused and verdict.guard == "invented_count" and "价格" in verdict.why
    checked, verdict = judged("全年排查化解矛盾纠纷153件,化解150件,化解率98.0%。", "清水镇2024年化解的矛盾纠纷里,婚姻家庭纠纷有几件?",
                              "[{id}] 全年排查化解矛盾纠纷153件,化解150件;婚姻家庭纠纷有15件。")
    assert checked.refused and verdict.guard == "invented_count" and "15件" in verdict.why


def test_the_clause_that_names_what_is_counted_keeps_its_figure():
    """"…综合执法一共罚款多少钱?": the paragraph never says 综合, but the clause giving 9.6万元 says 罚款, the word
    the question counts."""
    assert parse_question("清水镇2024年综合执法一共罚款多少钱?", [("清水镇", 2024)]).counted == "罚款"
    checked, verdict = judged("针对上年度执法人员持证率偏低的问题,开展两轮案卷评查。全年立案查处违法行为46件,罚款9.6万元,"
                              "重大执法决定法制审核5件。", "清水镇2024年综合执法一共罚款多少钱?", "[{id}] 综合执法一共罚款9.6万元。")
    assert not checked.refused and "9.6万元" in checked.text and verdict is None


def test_a_target_is_not_what_a_year_achieved():
    """"…组建率是多少?" answered with "力争…调解成功率达到95%以上" from next year's plans: a target, and of another
    rate; and a target given for the rate asked is still no result, unless plans are asked."""
    report = make_report("清水镇", 2024, "一、主要举措和成效\n全年调解矛盾纠纷412件。\n三、下一步工作安排\n"
                         "新组建业主委员会5个,力争物业纠纷调解成功率达到95%以上。")
    evidence = [Evidence(Evidence.make_id(c.id), c, 1.0) for c in report.chunks]
    plan = next(ev for ev in evidence if "95%" in ev.chunk.text)
    q = parse_question("清水镇2024年物业纠纷调解成功率是多少?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{plan.id}] 物业纠纷调解成功率达到95%以上。", evidence), evidence)
    assert checked.refused and verdict.guard == "narrower" and "计划或目标" in verdict.why
    q = parse_question("清水镇计划把物业纠纷调解成功率提高到多少?", [("清水镇", 2024)])
    checked, verdict = settle(q, check_reply(f"[{plan.id}] 物业纠纷调解成功率力争达到95%以上。", evidence), evidence)
    assert not checked.refused and "95%" in checked.text


def test_a_figure_said_of_something_else_does_not_rescue_the_one_asked():
    """A copied sentence gives 826件 for 法律援助案件 (no 刑事 anywhere) and 3120件 for 公证: neither is the count of
    刑事案件法律援助, and the off-topic 3120件 does not make the answer stand."""
    checked, verdict = judged("全年受理法律援助案件826件,其中农民工讨薪案件214件;办理公证事项3120件,开展司法鉴定案件640件。",
                              "清水镇2024年刑事案件法律援助一共办了多少件?", "[{id}] 受理法律援助案件826件;办理公证事项3120件。")
    assert checked.refused and verdict.guard == "narrower" and "刑事" in verdict.why


def test_a_report_may_use_another_verb_for_what_was_asked():
    """新添 in the question, 新增 in the report: the thing counted (执法车辆) is there, so code quotes the sentence
    in place of a reply that gave no figure; a thing no passage names (价格) still blocks it (above)."""
    checked, verdict = judged("年内为综合执法队新增执法车辆2辆、执法终端10部。", "清水镇2024年给综合执法队新添了几辆执法车?",
                              "[{id}] 清水镇给综合执法队新添了执法车。")
    assert verdict.guard == "quote_over" and verdict.action == "quoted" and "2辆" in checked.text


EQUIPMENT = "一、主要举措和成效\n推进执法装备建设,全年配备执法记录仪56台、执法终端24台,检定计量器具1560台(件)。"


def test_an_uncited_figure_is_cited_to_the_passage_that_gives_it_for_what_was_asked():
    """The model dropped the id and echoed the question's own words, which share little with the report's."""
    checked, verdict = judged(EQUIPMENT, "清水镇24年执法终端一共配了几台?", "清水镇24年给执法队员的执法终端一共配了24台。")
    assert checked.text == "清水镇24年给执法队员的执法终端一共配了24台[1]。" and not checked.ungrounded
    assert checked.citations[0].matched_by_code and "执法终端24台" in checked.citations[0].quote
    assert verdict is None


def test_code_finds_no_source_for_the_figure_of_the_item_beside():
    """56台 counts 执法记录仪: citing the passage for it would dress the wrong figure as verified."""
    evidence = evidence_of(EQUIPMENT)
    q = parse_question("清水镇24年执法终端一共配了几台?", [("清水镇", 2024)])
    limits = GuardSettings()
    assert source_of(q, "配了24台。", evidence, limits) is evidence[0]
    assert source_of(q, "配了56台。", evidence, limits) is None
    assert source_of(q, "配了30台。", evidence, limits) is None


REVIEW = ("一、主要举措和成效\n认真贯彻新修订的行政复议法,全年收到行政复议申请96件,受理84件,审结79件,其中纠错13件,"
          "纠错率16.5%,调解和解率19%。\n二、存在的问题\n行政复议办案力量与案件数量增长不相适应,新行政复议法实施后"
          "申请量同比增长37%,而专职复议人员仅4名。\n三、党政主要负责人履行推进法治建设第一责任人职责情况\n"
          "镇党委书记带头讲法治课2次,镇长主持召开专题会议研究法治建设4次。\n四、下一步工作安排\n"
          "加强执法人员培训,全年组织培训不少于4期,推动矛盾纠纷多元化解。")
RATE_ASKED = "清水镇24年行政复议纠错率是多少?"


def settled_over_review(reply: str):
    """(checked, verdict) for ``reply`` to RATE_ASKED over REVIEW; {0} and {1} stand for its first two passages'
    ids, {4} and {5} for their evidence headers."""
    evidence = [Evidence(Evidence.make_id(c.id), c, 1.0) for c in make_report("清水镇", 2024, REVIEW).chunks]
    reply = reply.format(*(ev.id for ev in evidence), *(evidence_header(ev) for ev in evidence))
    return settle(parse_question(RATE_ASKED, [("清水镇", 2024)]), check_reply(reply, evidence), evidence, reply)


def test_a_percentage_of_another_rate_does_not_answer_the_rate_asked():
    assert parse_question(RATE_ASKED, [("清水镇", 2024)]).rate_asked == "纠错率"
    checked, verdict = settled_over_review("行政复议纠错率为16.5%[{0}]。")
    assert verdict is None and checked.citations and not checked.ungrounded
    for wrong in ("行政复议纠错率为19%[{0}]。", "清水镇行政复议纠错率为37%[{1}]。", "清水镇行政复议纠错率为37%。"):
        checked, verdict = settled_over_review(wrong)
        assert verdict is not None and "纠错率16.5%" in checked.text or checked.refused, (wrong, checked, verdict)


def test_a_dump_is_cut_to_the_sentence_giving_the_rate_asked():
    """Two passages copied, the second cut off before its rates (the reply hit its length limit): the sentence with
    37% is on 行政复议 but gives another rate, so it is not kept; code quotes the report's 纠错率 instead."""
    checked, verdict = settled_over_review("{5}\n行政复议办案力量与案件数量增长不相适应,新行政复议法实施后申请量同比增长37%,"
                                           "而专职复议人员仅4名。\n\n{4}\n认真贯彻新修订的行政复议法,全年收到行政复议申请96件,受理84件,审结79件,"
                                           "其中纠错13件")
    assert verdict is not None and verdict.guard == "dump", (checked, verdict)
    assert "16.5%" in checked.text and "37%" not in checked.text and checked.citations


def test_the_users_words_for_how_or_in_what_form_do_not_make_a_narrower_count():
    """The report counts 法律意见书 and 入户宣讲 by the 普法志愿服务队; users ask for 书面法律意见 and what the
    志愿队 told 挨家挨户: the same things in their words, so the right figures stay. A kind still narrows: 刑事
    法律援助 is not all 法律援助, and the 登记失业率 is not the 调查失业率."""
    checked, verdict = judged("街道聘请2名律师担任法律顾问,全年审查合同协议63份,出具法律意见书34份,提出修改意见112条。",
                              "清水镇24年请的律师顾问一共给出了多少份书面法律意见?", "[{id}] 一共给出了34份书面法律意见。")
    assert verdict is None and "34份" in checked.text and not checked.refused
    checked, verdict = judged("集中普法宣传15场次;组建普法志愿服务队1支,深入农户开展“以案说法”入户宣讲53场次。",
                              "清水镇24年普法志愿队挨家挨户去讲以案说法,一共讲了多少场?", "[{id}] 一共讲了53场次。")
    assert verdict is None and "53场次" in checked.text and not checked.refused
    checked, verdict = judged("全年受理法律援助案件826件,其中农民工讨薪案件214件。",
                              "清水镇2024年刑事案件法律援助一共办了多少件?", "[{id}] 一共办了826件。")
    assert checked.refused and verdict.guard == "narrower"
    checked, verdict = judged("落实稳岗扩就业政策,全年城镇新增就业1.86万人,城镇调查失业率控制在5%以内。",
                              "清水镇24年城镇登记失业率是多少?", "[{id}] 城镇登记失业率为5%以内。")
    assert checked.refused and verdict.guard == "narrower" and "登记" in verdict.why


def test_a_figure_cited_to_the_wrong_passage_is_cited_to_the_one_that_gives_it():
    report = make_report("清水镇", 2024, "一、主要举措和成效\n（一）依法决策\n街道聘请2名律师担任法律顾问,全年审查合同协议63份,"
                         "出具法律意见书34份。\n（二）普法宣传\n集中普法宣传15场次,发放资料3000余份。")
    evidence = [Evidence(Evidence.make_id(c.id), c, 1.0) for c in report.chunks]
    q = parse_question("清水镇24年法律顾问一共出具了多少份法律意见书?", [("清水镇", 2024)])
    wrong = next(ev for ev in evidence if "普法" in ev.chunk.text)
    reply = f"[{wrong.id}] 清水镇2024年度请来的两位律师顾问一共给了34份。"  # few of the report's words
    checked, verdict = settle(q, check_reply(reply, evidence), evidence, reply)
    assert not checked.ungrounded and len(checked.citations) == 1 and "34份" in checked.citations[0].quote
    assert checked.citations[0].matched_by_code and verdict is None
