"""Place names (XX镇/乡/街道/县/区) in Chinese text: which towns or counties a text speaks of.

Used by drafting (another body's name must not appear in a draft) and by answers (a question about a
body the library has no report from is refused).
"""

from __future__ import annotations

import logging
import re

import jieba
import jieba.posseg

from assistant.lexicon import PLACE_SUFFIXES

jieba.setLogLevel(logging.WARNING)

# Words ending like a place name that are not one (社区, 示范区…), found on the sample corpus.
_GENERIC_TAILS = frozenset("社区 小区 园区 辖区 城区 景区 片区 山区 地区 乡镇 城镇 城乡 街区 校区 矿区 灾区 湾区 市区 郊区 老区 县区 区县 集镇 村镇 全镇 全县 全区 全乡".split())
_GENERIC_NAMES = frozenset(
    """示范区 开发区 保护区 风景区 功能区 试验区 实验区 自贸区 先行区 集聚区 服务区 居住区 管理区 生活区 商业区
    工业区 责任区 网格区 示范县 示范镇 重点镇 中心镇 特色镇 建制镇 小城镇 民族乡 先进县 法治县 法治区 法治镇 法治乡
    街道办""".split()
)
# jieba tags of a word before a bare 镇/县 that make it a verb phrase (落实 镇…), not a name (华亭 镇).
_NOT_NAME_TAGS = ("v", "a", "d", "p", "c", "u", "r", "m", "q", "f")

_ORG_TAILS = ("党委", "委", "政府", "人民政府", "人大", "纪委", "办")  # 嘉定 + 区委, 柱山 + 乡党委


def _suffix_of(token: str) -> str:
    """The place suffix a token stands for: 镇 for 镇 or 镇党委, '' for anything else."""
    for suffix in PLACE_SUFFIXES:
        if token == suffix or (token.startswith(suffix) and token[len(suffix):] in _ORG_TAILS):
            return suffix
    return ""


def place_names(text: str) -> list[str]:
    """Candidate place names (XX镇/乡/街道/县/区) in ``text``, in order, without repeats.

    jieba keeps most names whole (泾源县, 外冈镇); some come as 华亭 + 镇, joined here unless the first
    word is a verb or the like (落实 + 镇级…). Generic words (社区, 示范区, 全镇) are left out.
    """
    found: list[str] = []
    tokens = jieba.lcut(text)
    for i, tok in enumerate(tokens):
        name = ""
        if len(tok) >= 3 and tok.endswith(PLACE_SUFFIXES) and re.fullmatch(r"[\u4e00-\u9fff]+", tok):
            name = tok
        elif _suffix_of(tok) and i > 0 and re.fullmatch(r"[\u4e00-\u9fff]{2,3}", tokens[i - 1]):
            tag = jieba.posseg.dt.word_tag_tab.get(tokens[i - 1], "x")
            if not tag.startswith(_NOT_NAME_TAGS):
                name = tokens[i - 1] + _suffix_of(tok)
        if name and name[-2:] not in _GENERIC_TAILS and name not in _GENERIC_NAMES and name not in found:
            found.append(name)
    return found


_NAME_TAGS = ("ns", "nr", "nrt", "nz")  # jieba's tags for place, person and other proper names


def looks_like_name(word: str) -> bool:
    """Whether a bare word (no 镇/县 suffix) reads as a proper name to jieba: 潼关, 枫林, 青龙 do; 执法人员,
    全县, 今年 do not. For a body named without its suffix where a body's name stands ("潼关2024年…")."""
    tokens = list(jieba.posseg.cut(word))
    return len(tokens) == 1 and tokens[0].flag in _NAME_TAGS
