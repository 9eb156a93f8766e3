"""Chinese tokens for BM25: jieba with the domain's own terms added to its dictionary.

A private ``jieba.Tokenizer`` is used (not the global one) so the domain words added here do not
change how other modules segment text. Both documents and queries go through the same segmentation so
that the same word always becomes the same token.

Two ways to the same tokens:
* ``tokens(text)`` — the whole dictionary in memory (≈350k words; 0.6–2.5 s to load on a busy 2-core
  machine). Writers use it: they tokenise thousands of chunks.
* ``QueryTokenizer(path).tokens(question)`` — the identical segmentation for one short question, with the
  dictionary looked up word by word in a sqlite file written from the in-memory one (``write_dictionary``),
  so a search process starts without loading the dictionary at all. jieba only asks its dictionary whether
  a string is a word (and its frequency) and the total frequency; answering those from the file gives the
  same result, which ``tests/test_store_snapshot.py`` checks on every sample chunk.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import sys
import threading
import warnings
from collections.abc import Mapping
from pathlib import Path

from assistant.textnorm import normalize


def _import_jieba():
    """Import jieba without pkg_resources (≈0.2 s, and a deprecation warning): jieba falls back to opening
    its data files by path when that import fails, which gives the same files."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes `import pkg_resources` fail
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import jieba
    finally:
        if blocked:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter is not for users
    return jieba


jieba = _import_jieba()

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
DOMAIN_FREQ = 200000

# Function words and formula filler that say nothing about which chunk answers a question.
STOPWORDS: frozenset[str] = frozenset(
    """的 了 和 与 及 以及 或 等 是 在 对 为 把 被 将 从 向 于 由 其 之 也 都 还 并 并且 而 且 又 就 这 那 这些
    那些 一个 一些 有 有关 有的 没有 哪些 哪个 什么 怎么 怎样 如何 多少 几 吗 呢 吧 啊 个 年 月 日 中 上 下 方面
    情况 工作 进行 开展 通过 加强 推进 推动 坚持 不断 全面 深入 进一步 一是 二是 三是 四是 五是 我们 我 其中 各 该
    请问 请 问 提到 提及 介绍 说明 说 讲 报告 里 里面 哪里 哪 谁 是否 有没有""".split()
)

_PUNCT_OR_SPACE = re.compile(r"^[\W_]+$", re.UNICODE)
_lock = threading.Lock()
_tokenizer = None


def _get_tokenizer():
    """Build the domain tokenizer once (the dictionary load is the slow part)."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            tok = jieba.Tokenizer()
            for term in DOMAIN_TERMS:
                tok.add_word(term, freq=DOMAIN_FREQ)
            _tokenizer = tok
        return _tokenizer


def _keep(words) -> list[str]:
    out = []
    for word in words:
        word = word.strip().lower()
        if not word or _PUNCT_OR_SPACE.match(word) or word in STOPWORDS:
            continue
        out.append(word)
    return out


def tokens(text: str) -> list[str]:
    """BM25 tokens: jieba search-mode words, lower-cased, without punctuation and stop words.

    Text is normalised first (full-width → ASCII, common traditional → simplified characters), so
    "96.77％" and "96.77%" or 縣 and 县 become the same token.
    """
    return _keep(_get_tokenizer().cut_for_search(normalize(text)))


# --- the same segmentation from a dictionary file ----------------------------------------------------
def dictionary_key() -> str:
    """Names the dictionary file: jieba's version and our domain terms (change either → a new file)."""
    blob = "|".join([getattr(jieba, "__version__", "?"), str(DOMAIN_FREQ), *DOMAIN_TERMS])
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def dictionary_path(cache_dir: Path) -> Path:
    return cache_dir / f"jieba-dict-{dictionary_key()}.sqlite"


def write_dictionary(cache_dir: Path) -> Path:
    """Write the in-memory tokenizer's word table to ``dictionary_path`` (once; ≈2 s)."""
    path = dictionary_path(cache_dir)
    if path.exists():
        return path
    tok = _get_tokenizer()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    db = sqlite3.connect(str(tmp))
    try:
        db.execute("CREATE TABLE freq (w TEXT PRIMARY KEY, f INTEGER NOT NULL) WITHOUT ROWID")
        db.execute("CREATE TABLE info (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
        db.executemany("INSERT INTO freq VALUES (?, ?)", tok.FREQ.items())
        db.execute("INSERT INTO info VALUES ('total', ?)", (str(tok.total),))
        db.commit()
    finally:
        db.close()
    os.replace(tmp, path)  # readers see the whole file or none
    return path


class _FileFreq(Mapping):
    """jieba's FREQ dict answered from the sqlite file, remembering what it looked up."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._seen: dict[str, int | None] = {}
        self._lock = threading.Lock()

    def _lookup(self, word: str) -> int | None:
        try:
            return self._seen[word]
        except KeyError:
            pass
        with self._lock:
            row = self._db.execute("SELECT f FROM freq WHERE w = ?", (word,)).fetchone()
        value = self._seen[word] = None if row is None else int(row[0])
        return value

    def __contains__(self, word) -> bool:  # type: ignore[override]
        return self._lookup(word) is not None

    def __getitem__(self, word: str) -> int:
        value = self._lookup(word)
        if value is None:
            raise KeyError(word)
        return value

    def get(self, word, default=None):  # type: ignore[override]
        value = self._lookup(word)
        return default if value is None else value

    def __iter__(self):
        raise TypeError("the dictionary file is looked up word by word, not listed")

    def __len__(self) -> int:
        raise TypeError("the dictionary file is looked up word by word, not counted")


class QueryTokenizer:
    """``tokens()`` for questions, from the dictionary file when it exists, else the in-memory dictionary."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = dictionary_path(cache_dir)
        self._tok = None

    def _get(self):
        if self._tok is None:
            if not self.path.exists():
                return _get_tokenizer()
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            tok = jieba.Tokenizer()
            tok.FREQ = _FileFreq(db)
            tok.total = int(db.execute("SELECT v FROM info WHERE k = 'total'").fetchone()[0])
            tok.initialized = True
            self._tok = tok
        return self._tok

    def tokens(self, text: str) -> list[str]:
        return _keep(self._get().cut_for_search(normalize(text)))
