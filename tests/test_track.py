"""Commitment tracker: 徐行镇's 2024 plans against a short made-up 2025 report."""

from __future__ import annotations

import pytest

from assistant.drafting import track
from assistant.errors import BadInput
from assistant.ingest import parse_file, parse_text
from tests.conftest import SAMPLES

# Made up for this test (not a real report): answers plan 1 and 2 fully, touches plan 4, skips 3 and 5.
LATER_2025 = """徐行镇2025年法治政府建设情况报告

2025年,徐行镇深入贯彻习近平法治思想,现将有关情况报告如下:

一、2025年度推进法治政府建设主要做法和成效

(一)压实第一责任人职责。镇党委书记严格落实《党政主要负责人履行推进法治建设第一责任人职责规定》,以上率下,带头运用法治思维和法治方式依法决策、依法研究破解重大问题。

(二)规范重大行政决策。重大行政决策严格履行公众参与、专家论证、风险评估、合法性审查、集体讨论决定等程序,社会稳定风险评估程序前置;健全村居法律顾问制度,律师参与村居重大事项决策、重大项目谈判和合同审核。

(三)规范涉企行政检查。开展涉企行政检查专项整治。

(四)加强财政管理。严格预算绩效管理,规范政府采购。

二、存在问题和不足

(一)基层法治力量仍然薄弱。

三、2026年推进法治政府建设的主要安排

(一)加强基层法治队伍建设。
"""


@pytest.fixture(scope="module")
def pair():
    return parse_file(SAMPLES / "2024-xuxing-zhen.txt"), parse_text(LATER_2025, "2025-xuxing-zhen.txt")


def test_each_plan_item_gets_a_status_with_passages(pair):
    earlier, later = pair
    rows = track(earlier, later)
    assert [r.plan.key for r in rows] == [f"安排-{i}" for i in range(1, 6)]
    assert [r.status for r in rows] == ["reported", "reported", "not_mentioned", "partly", "not_mentioned"]
    assert [r.status_label for r in rows][:4] == ["已报告", "已报告", "未提及", "部分报告"]
    assert rows[1].passages[0].text.startswith("(二)规范重大行政决策")
    assert later.text[rows[1].passages[0].start:rows[1].passages[0].end] == rows[1].passages[0].text
    assert "涉企" in rows[3].shared
    assert rows[2].passages == [] and rows[4].passages == []
    # the 财政 paragraph answers no plan, so it is never shown as evidence
    assert not any("财政" in p.text for r in rows for p in r.passages)


def test_refuses_mismatched_reports(pair):
    earlier, later = pair
    with pytest.raises(BadInput, match="不是同一单位"):
        track(earlier, parse_file(SAMPLES / "2024-jichang-zhen.txt"))
    with pytest.raises(BadInput, match="应晚于"):
        track(later, earlier)
