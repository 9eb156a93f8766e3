"""Chinese tokens for BM25: jieba with the domain's own terms added to its dictionary.

A private ``jieba.Tokenizer`` is used (not the global one) so the domain words added here do not
change how other modules segment text. Both documents and queries go through ``tokens()`` so that
the same word always becomes the same token.
"""

from __future__ import annotations

import logging
import re
import threading

import warnings

with warnings.catch_warnings():  # jieba imports pkg_resources, which warns on every start
    warnings.simplefilter("ignore")
    import jieba

from assistant.textnorm import normalize

# Terms of art that jieba's general dictionary splits apart ("法律/明白/人"). Keeping them whole
# makes BM25 match the concept, and cut_for_search still emits their sub-words for partial matches.
DOMAIN_TERMS: tuple[str, ...] = (
    "法律明白人", "第一责任人", "三项制度", "行政复议", "行政诉讼", "枫桥经验", "新时代枫桥经验",
    "法治带头人", "重大行政决策", "合法性审查", "综合行政执法", "行政执法证", "八五普法", "持证上岗",
    "法治政府", "法治政府建设", "法治思想", "习近平法治思想", "关键少数", "述法", "年终述法",
    "会前学法", "任前考法", "依法行政", "行政执法", "执法人员", "执法监督", "行政规范性文件",
    "规范性文件", "备案审查", "法律顾问", "公职律师", "政务公开", "信息公开", "矛盾纠纷",
    "人民调解", "调解员", "诉源治理", "信访", "公共法律服务", "法律援助", "法治宣传",
    "普法", "谁执法谁普法", "民主法治示范村", "法治乡村", "法治文化", "包容审慎", "首违不罚",
    "轻微违法", "行政处罚", "行政许可", "行政检查", "营商环境", "放管服", "一网通办",
    "双随机一公开", "执法全过程记录", "执法公示", "重大执法决定法制审核", "法制审核", "乡镇街道",
    "司法所", "依法治县", "依法治镇", "党政主要负责人", "应诉", "出庭应诉", "负责人出庭应诉",
    "网格员", "综治中心", "基层治理", "安全生产", "生态环境", "宪法宣传周", "民法典",
)

# Function words and formula filler that say nothing about which chunk answers a question.
STOPWORDS: frozenset[str] = frozenset(
    """的 了 和 与 及 以及 或 等 是 在 对 为 把 被 将 从 向 于 由 其 之 也 都 还 并 并且 而 且 又 就 这 那 这些
    那些 一个 一些 有 有关 有的 没有 哪些 哪个 什么 怎么 怎样 如何 多少 几 吗 呢 吧 啊 个 年 月 日 中 上 下 方面
    情况 工作 进行 开展 通过 加强 推进 推动 坚持 不断 全面 深入 进一步 一是 二是 三是 四是 五是 我们 我 其中 各 该
    请问 请 问 提到 提及 介绍 说明 说 讲 报告 里 里面 哪里 哪 谁 是否 有没有""".split()
)

_PUNCT_OR_SPACE = re.compile(r"^[\W_]+$", re.UNICODE)
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _get_tokenizer() -> jieba.Tokenizer:
    """Build the domain tokenizer once (jieba's dictionary load takes about a second)."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter is not for users
            tok = jieba.Tokenizer()
            for term in DOMAIN_TERMS:
                tok.add_word(term, freq=200000)
            _tokenizer = tok
        return _tokenizer


def tokens(text: str) -> list[str]:
    """BM25 tokens: jieba search-mode words, lower-cased, without punctuation and stop words.

    Text is normalised first (full-width → ASCII, common traditional → simplified characters), so
    "96.77％" and "96.77%" or 縣 and 县 become the same token.
    """
    out = []
    for word in _get_tokenizer().cut_for_search(normalize(text)):
        word = word.strip().lower()
        if not word or _PUNCT_OR_SPACE.match(word) or word in STOPWORDS:
            continue
        out.append(word)
    return out
