"""A phrase quoted from a report (≥ 6 characters, in 《》, “” or plain) ranks a passage holding it first:
the pure step over fused candidates, and end to end on the five samples (BM25 + deterministic fake vectors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import RetrievalSettings, get_settings
from vectorstore.retrieval import Candidate, prefer_literal

ROOT = Path(__file__).resolve().parent.parent
CFG = RetrievalSettings()


def _candidates(*keys_and_scores):
    return [Candidate(key, bm25_rank=i, fused=score) for i, (key, score) in enumerate(keys_and_scores, 1)]


def _rows(**texts):
    """What the library passes: each candidate's row metadata (its own text, without headings, and body)."""
    return {key: {"text": text, "org": "徐行镇"} for key, text in texts.items()}


NAME = "徐行镇党政主要负责人履行推进法治建设第一责任人职责清单"
TEXTS = _rows(
    a="认真履行法治建设第一责任人职责,党委书记牵头挂帅。",
    b="镇党委、政府高度重视法治建设第一责任人职责的落实。",
    c=f"制定印发了《{NAME}》,坚持同谋划、同部署。",
    **{f"x{i}": f"法治建设第{i}项工作。" for i in range(20)},
)
OTHERS = [(f"x{i}", 0.01) for i in range(20)]


def test_a_quoted_name_ranks_its_passage_first_whatever_the_other_signals():
    for quoted in (f"《{NAME}》是什么时候制定的?", f"“{NAME}”是什么时候制定的?"):
        ranked = prefer_literal(_candidates(("a", 0.05), ("b", 0.04), *OTHERS, ("c", 0.001)), quoted, TEXTS, CFG)
        assert ranked[0].key == "c" and ranked[0].fused == pytest.approx(0.001 + 0.05)
        assert [c.key for c in ranked[1:3]] == ["a", "b"]  # the others keep their order


def test_an_unquoted_run_counts_by_its_length():
    # 第一责任人职责清单: 9 characters, between literal_min_chars (6: nothing) and literal_full_chars (12: all)
    ranked = prefer_literal(_candidates(("a", 0.05), ("b", 0.04), *OTHERS, ("c", 0.04)), "第一责任人职责清单", TEXTS, CFG)
    assert ranked[0].key == "c" and ranked[0].fused == pytest.approx(0.04 + 0.5 * 0.05)
    long_run = prefer_literal(_candidates(("a", 0.05), ("b", 0.04), *OTHERS, ("c", 0.001)), "履行推进法治建设第一责任人职责清单",
                              TEXTS, CFG)
    assert long_run[0].key == "c"  # 17 characters: as good as quoted
    short = prefer_literal(_candidates(("a", 0.05), *OTHERS, ("c", 0.04)), "谋划、同部署", TEXTS, CFG)  # 6: the topic's words
    assert short[0].key == "a" and {c.key: c.fused for c in short}["c"] == pytest.approx(0.04)


def test_a_common_phrase_a_body_or_a_year_lifts_nothing():
    texts = _rows(**{k: f"推进法治政府建设{k}。" for k in "abcdefghijklmnopqrst"})
    cands = _candidates(*[(k, 0.1 - i / 100) for i, k in enumerate("abcdefghijklmnopqrst")])
    before = [c.key for c in cands]
    assert [c.key for c in prefer_literal(cands, "“推进法治政府建设”有哪些成效", texts, CFG)] == before  # in all of them
    texts = _rows(a="全年执法人员持证率达到100%。", b="制定《徐行镇2024年法治政府建设工作要点》。",
                  **{f"x{i}": f"法治建设第{i}项工作。" for i in range(20)})
    ranked = prefer_literal(_candidates(("a", 0.05), *OTHERS, ("b", 0.01)), "徐行镇2024年执法人员持证率是多少?", texts, CFG)
    assert ranked[0].key == "a" and ranked[-1].key == "b"  # 徐行镇2024年 is the scope, not a phrase
    quoted = prefer_literal(_candidates(("a", 0.05), *OTHERS, ("b", 0.01)), "《徐行镇2024年法治政府建设工作要点》",
                            texts, CFG)
    assert quoted[0].key == "b"  # …unless it is part of a quoted name


def test_quotes_of_six_characters_line_breaks_and_switching_off():
    texts = _rows(a="开展法治宣传。", b="打造“湖畔法治\n讲堂”品牌,授课18期。", **{f"x{i}": f"第{i}项。" for i in range(20)})
    ranked = prefer_literal(_candidates(("a", 0.05), *OTHERS, ("b", 0.01)), "望湖街道的“湖畔法治讲堂”讲了多少期?", texts, CFG)
    assert ranked[0].key == "b"  # a PDF wrapped the name mid-phrase
    off = prefer_literal(_candidates(("a", 0.05), *OTHERS, ("b", 0.01)), "“湖畔法治讲堂”", texts,
                         RetrievalSettings(literal_weight=0))
    assert off[0].key == "a"


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory):
    import os

    from assistant.ingest import parse_file
    from vectorstore import FakeEmbedding, open_library

    home = tmp_path_factory.mktemp("home")
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("ASSISTANT_")}
    os.environ["ASSISTANT_HOME"] = str(home)
    get_settings.cache_clear()
    try:
        library = open_library(get_settings(), embedding=FakeEmbedding())
        for path in sorted((ROOT / "samples" / "reports").glob("*.txt")):
            library.add(parse_file(path))
        yield library
    finally:
        os.environ.pop("ASSISTANT_HOME")
        os.environ.update(saved)
        get_settings.cache_clear()


@pytest.mark.parametrize("question", [
    "第一责任人职责清单",
    "徐行镇的《徐行镇党政主要负责人履行推进法治建设第一责任人职责清单》是什么时候制定的?",
    "哪份报告提到了第一责任人职责清单?",
    "“第一责任人职责清单”",
])
def test_an_exact_phrase_of_a_sample_ranks_its_paragraph_first(sample_library, question):
    hit = sample_library.search(question, k=10).hits[0]
    assert "第一责任人职责清单" in hit.chunk.text and hit.chunk.org == "徐行镇"
