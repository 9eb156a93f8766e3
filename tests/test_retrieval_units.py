"""Pure parts of retrieval: tokens, BM25, fusion, filter inference, report references. No Chroma."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.errors import BadInput
from assistant.types import Part, SearchFilter
from vectorstore.bm25 import BM25Index, TermCounts
from vectorstore.filters import infer_filter, matches, short_forms, to_where
from vectorstore.refs import relabelled, resolve_ref
from vectorstore.retrieval import fuse
from vectorstore.testing import make_report
from vectorstore.tokenize import DOMAIN_TERMS, tokens

CATALOG = [("泾源县", 2024), ("徐行镇", 2024), ("荆家镇", 2023), ("荆家镇", 2024), ("柱山乡", 2024)]


@pytest.mark.parametrize("term", ["法律明白人", "第一责任人", "三项制度", "行政复议", "枫桥经验", "重大行政决策", "八五普法"])
def test_domain_terms_stay_whole(term):
    assert term in DOMAIN_TERMS
    assert term in tokens(f"我们推进{term}工作")


def test_tokens_normalise_and_drop_noise():
    assert tokens("化解率９６．７７％，") == tokens("化解率96.77%,")
    toks = tokens("哪些乡镇提到了法律明白人?")
    assert "的" not in toks and "?" not in toks and "哪些" not in toks and "法律明白人" in toks


def test_bm25_ranks_the_matching_text_first_and_respects_mask():
    docs = ["全年调解矛盾纠纷930件", "培育法律明白人895人", "法律明白人参与调解"]
    index = BM25Index(TermCounts.from_tokens([tokens(d) for d in docs]))
    top = index.top(tokens("法律明白人有多少"), 3)
    assert [pos for pos, _ in top][:2] == [1, 2] or [pos for pos, _ in top][:2] == [2, 1]
    assert all(s > 0 for _, s in top) and 0 not in [p for p, _ in top]
    masked = index.top(tokens("法律明白人"), 3, mask=np.array([True, False, True]))
    assert [p for p, _ in masked] == [2]
    assert index.top(tokens("完全无关的词语"), 3) == []
    assert BM25Index(TermCounts.from_tokens([])).top(["调解"], 3) == []


def test_rrf_weights_bm25_over_dense():
    bm25 = [("a", 9.0), ("b", 5.0)]
    dense = [("b", 0.9), ("a", 0.8), ("c", 0.7)]
    fused = fuse(bm25, dense, method="rrf", bm25_weight=2.0, dense_weight=1.0, rrf_k=60)
    assert [c.key for c in fused] == ["a", "b", "c"]
    a = fused[0]
    assert a.bm25_rank == 1 and a.dense_rank == 2
    assert a.fused == pytest.approx(2 / 61 + 1 / 62)
    equal = fuse(bm25, dense, method="rrf", bm25_weight=1.0, dense_weight=1.0, rrf_k=60)
    assert equal[0].fused == equal[1].fused  # a and b each ranked 1st once and 2nd once
    assert [c.key for c in equal][:2] == ["a", "b"]  # tie broken by BM25 rank


def test_weighted_fusion_normalises_scores():
    fused = fuse([("a", 10.0), ("b", 0.0)], [("b", 0.9), ("a", 0.5)], method="weighted", bm25_weight=1.0, dense_weight=3.0)
    assert [c.key for c in fused] == ["b", "a"]
    assert fused[0].fused == pytest.approx(3.0) and fused[1].fused == pytest.approx(1.0)
    with pytest.raises(ValueError):
        fuse([], [], method="max")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "question, orgs, years",
    [
        ("泾源县2024年调解矛盾纠纷多少件?", ["泾源县"], [2024]),
        ("泾源调解了多少纠纷", ["泾源县"], None),
        ("荆家镇2023年的不足", ["荆家镇"], [2023]),
        ("徐行镇2025年的主要安排", ["徐行镇"], None),  # no 2025 report: the year is not a filter
        ("比较徐行镇和柱山乡的调解工作", ["徐行镇", "柱山乡"], None),
        ("2023年哪些乡镇提到法律明白人", None, [2023]),
        ("哪些乡镇提到了法律明白人?", None, None),
    ],
)
def test_infer_filter(question, orgs, years):
    f = infer_filter(question, CATALOG)
    assert f.orgs == orgs and f.years == years
    assert f.inferred == bool(orgs or years)


def test_short_forms_only_when_unambiguous():
    assert short_forms("泾源县") == ["泾源"] and short_forms("徐行镇") == ["徐行"]
    assert short_forms("乡") == [] and short_forms("某镇") == []
    catalog = [("和平镇", 2024), ("和平乡", 2024), ("泾源县", 2024), ("泾源县司法局", 2024)]
    assert infer_filter("和平的调解工作", catalog).orgs is None  # 和平 could be either
    assert infer_filter("泾源县司法局的执法", catalog).orgs == ["泾源县司法局"]  # longest name wins


def test_to_where_and_matches_agree():
    f = SearchFilter(orgs=["泾源县"], years=[2024], parts=[Part.SHORTCOMINGS])
    where = to_where(f, ["g1"])
    assert where == {
        "$and": [
            {"org": {"$in": ["泾源县"]}},
            {"year": {"$in": [2024]}},
            {"part": {"$in": ["不足"]}},
            {"generation": {"$in": ["g1"]}},
        ]
    }
    assert to_where(SearchFilter()) is None
    assert to_where(SearchFilter(levels=["镇"])) == {"level": {"$in": ["镇"]}}
    meta = {"org": "泾源县", "year": 2024, "level": "县/区", "part": "不足"}
    assert matches(meta, f) and matches(meta, None)
    assert not matches({**meta, "part": "安排"}, f)


def test_resolve_ref_forms_and_errors():
    cat = {"泾源县-2024": ("泾源县", 2024), "荆家镇-2023": ("荆家镇", 2023), "荆家镇-2024": ("荆家镇", 2024)}
    for ref in ("泾源县-2024", "泾源县2024", "泾源县 2024", "泾源县2024年", "泾源县", "泾源", "泾源-2024"):
        assert resolve_ref(ref, cat) == "泾源县-2024"
    assert resolve_ref("荆家镇 2023", cat) == "荆家镇-2023"
    with pytest.raises(BadInput, match="荆家镇-2023、荆家镇-2024"):
        resolve_ref("荆家镇", cat)
    with pytest.raises(BadInput, match="现有报告"):
        resolve_ref("徐行镇", cat)
    with pytest.raises(BadInput, match="还没有报告"):
        resolve_ref("徐行镇", {})
    with pytest.raises(BadInput):
        resolve_ref("  ", cat)


def test_relabelled_changes_id_chunks_and_label_only():
    r = make_report("荆家镇", 2023, [(Part.MEASURES, "荆家镇2023年调解纠纷210件。")])
    new = relabelled(r, {"org": "荆家乡", "year": "2022", "level": "乡"})
    c = new.chunks[0]
    assert new.id == "荆家乡-2022" and c.report_id == new.id and c.id != r.chunks[0].id
    assert c.index_text == "【荆家乡 2022年 · 举措成效】荆家镇2023年调解纠纷210件。"  # the text is the report's own
    assert c.text == r.chunks[0].text and new.text == r.text
    assert new.meta.provenance == {"org": "user", "year": "user", "level": "user"}
    for bad in ({"year": "明年"}, {"year": 1800}, {"level": "省"}, {"org": " "}, {"content_hash": "x"}):
        with pytest.raises(BadInput):
            relabelled(r, bad)


@pytest.mark.parametrize(
    "question, parts",
    [
        ("泾源县的干部学习习近平法治思想有什么欠缺?", [Part.SHORTCOMINGS]),
        ("为什么吉昌镇的乡村法治队伍整体素质不高?", [Part.CAUSES]),
        ("徐行镇今后如何约束对企业的行政检查?", [Part.PLANS]),
        ("柱山乡党委主要负责人听取了几次汇报?", [Part.LEADERSHIP]),
        ("泾源县去年为老百姓解答法律问题有多少人次?", []),  # 问题 here is not a shortcoming
    ],
)
def test_part_cues(question, parts):
    from vectorstore.filters import part_cues

    assert part_cues(question) == parts


def test_part_prior_reorders_only_within_reach():
    from vectorstore.retrieval import prefer_parts

    part_of = {"a": "举措成效", "b": "不足", "c": "不足"}
    close = fuse([("a", 10.0), ("b", 9.5), ("c", 1.0)], [], method="weighted", bm25_weight=1.0, dense_weight=1.0)
    assert [c.key for c in prefer_parts(close, part_of, ["不足"], 0.2)] == ["b", "a", "c"]
    far = fuse([("a", 10.0), ("b", 2.0), ("c", 1.0)], [], method="weighted", bm25_weight=1.0, dense_weight=1.0)
    assert [c.key for c in prefer_parts(far, part_of, ["不足"], 0.2)] == ["a", "b", "c"]
    assert [c.key for c in prefer_parts(far, part_of, [], 0.2)] == ["a", "b", "c"]


def test_figure_prior_raises_passages_that_give_a_figure_of_the_unit_asked():
    from vectorstore.retrieval import prefer_figures

    text_of = {"a": "死亡人员冒领养老金等问题仍需依靠事后核查发现。", "b": "追回违规领取养老保险待遇62人、金额138万元。",
               "c": "全年核查疑点数据3847条。", "d": "2024年,全镇推进社保基金监管。"}
    close = fuse([("a", 10.0), ("c", 9.8), ("b", 9.5), ("d", 9.4)], [], method="weighted", bm25_weight=1.0, dense_weight=1.0)
    assert [c.key for c in prefer_figures(close, text_of, ("人",), 0.2)] == ["b", "a", "c", "d"]
    close = fuse([("a", 10.0), ("c", 9.8), ("b", 9.5), ("d", 9.4)], [], method="weighted", bm25_weight=1.0, dense_weight=1.0)
    # no unit known: any figure but a year will do
    assert [c.key for c in prefer_figures(close, text_of, (), 0.2)] == ["c", "b", "a", "d"]
