"""Strip website boilerplate and page furniture; keep the report's own lines in their own wording.

The cleaned text is one paragraph per line: each line is stripped of surrounding (also ideographic)
spaces, empty lines are dropped. Nothing inside a line is changed, so quotes shown to users are the
report's words. Boilerplate is recognised on short lines only, so a report sentence that happens
to mention, say, 浏览器 is never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from assistant.textnorm import normalize

_MAX_BOILERPLATE_LINE = 120

# Patterns are matched against normalize(line) (ASCII punctuation, simplified structure words).
_BOILERPLATE = [
    re.compile(p)
    for p in (
        r"(主办|承办|主管|协办|运维|维护)单位\s*[:]",
        r"技术支持\s*[:]",
        r"版权所有|©|Copyright",
        r"ICP\s*[备证]|公网安备|网站标识码|网站识别码",
        r"^涉密文件严禁上网$|^不得(发布|上网)涉密",
        r"扫一扫|手机(上)?(打开|查看|浏览)|微信扫(描|一扫)",
        r"浏览器|分辨率|最佳浏览效果",
        r"^(【)?(打印(本页)?|关闭(窗口|本页)?|返回顶部|收藏|分享到?)(】)?(\s*(【)?(打印(本页)?|关闭(窗口|本页)?|返回顶部|收藏)(】)?)*$",
        r"^(字体|字号)\s*[:]?\s*[大中小]",
        r"^(当前位置|您的位置|您现在的位置)\s*[:]?",
        r"^(上一篇|下一篇)\s*[:]",
        r"浏览次数|访问量|阅读次数|点击数\s*[:]",
        r"^(索引号|信息来源|来源|文号|发文机关|主题分类|成文日期)\s*[:]",
        r"^(网站地图|联系我们|无障碍|长者模式|关怀版)(\s*[|丨]\s*\S+)*$",
    )
]
# "发布日期:2025-01-16", "发布时间:2025年01月16日 10:00", also inside a "来源:… 发布时间:…" line.
_PUBLISHED = re.compile(r"发布(?:日期|时间)\s*[:]?\s*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)


@dataclass
class Cleaned:
    text: str
    published: date | None = None
    removed: list[str] = field(default_factory=list)  # boilerplate lines dropped, for `assistant show`


def is_boilerplate(line: str) -> bool:
    if len(line) > _MAX_BOILERPLATE_LINE:
        return False
    norm = normalize(line)
    return any(p.search(norm) for p in _BOILERPLATE)


def clean(raw_text: str) -> Cleaned:
    """One report paragraph per line, boilerplate dropped, 发布日期 kept as metadata."""
    text = raw_text.translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []
    removed: list[str] = []
    published: date | None = None
    for raw_line in text.split("\n"):
        line = raw_line.strip(" \t\u3000\u00a0\f\v")
        if not line:
            continue
        if len(line) <= _MAX_BOILERPLATE_LINE and (m := _PUBLISHED.search(normalize(line))):
            published = published or _date(*m.groups())
            removed.append(line)
            continue
        if is_boilerplate(line):
            removed.append(line)
            continue
        kept.append(line)
    return Cleaned("\n".join(kept), published, removed)


def _date(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None
