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
        r"^(网站地图|联系我们|无障碍|长者模式|关怀版)(\s*[|丨]\s*\S+)*$",
        # a site menu: 首页 | 政务公开 | 政务服务 | 互动交流 (short items without figures, menu words among them)
        r"^(?=.*(?:首页|政务|公开|服务|互动|专题|新闻|走进|办事|网站|动态))[^|丨\d]{0,30}(\s*[|丨]\s*[^|丨\d]{1,8}){3,}\s*[|丨]?$",
    )
]
# Labels of a government page's information table (索引号 | 发布机构 | 成文日期 …). A short line that starts
# with one ("来源: 望津街道办事处  发布时间: 2022-02-15", "索 引 号:…") is page furniture: it is dropped
# from the text and its label:value pairs kept in ``Cleaned.fields`` (发布机构 and 来源 may name the body).
FIELD_LABELS = (
    "索引号", "信息索引号", "发布机构", "发文机关", "发文机构", "发文单位", "信息来源", "文章来源", "来源", "责任部门", "责任单位", "责任科室",
    "名称", "标题", "文号", "发文字号", "主题分类", "体裁分类", "信息分类", "信息类别", "公开目录", "公开方式", "公开范围",
    "公开形式", "成文日期", "成文时间", "生成日期", "公文生成日期", "发布日期", "发布时间", "发文日期", "发文时间", "公开日期",
    "信息提供日期", "发表日期", "有效性", "时效性", "关键词", "作者", "日期", "时间",
)
_SPACED = r"\s?".join  # 索 引 号
_LABEL = "|".join(_SPACED(label) for label in sorted(FIELD_LABELS, key=len, reverse=True))
_FIELD_LINE = re.compile(rf"^(?:{_LABEL})\s*[:]")
_FIELD = re.compile(rf"(?:^|(?<=[\s|丨]))({_LABEL})\s*[:]\s*")
# "发布日期:2025-01-16", "发布时间:2025年01月16日 10:00", also inside a "来源:… 发布时间:…" line.
_PUBLISHED = re.compile(r"发布(?:日期|时间)\s*[:]?\s*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)


@dataclass
class Cleaned:
    text: str
    published: date | None = None
    removed: list[str] = field(default_factory=list)  # boilerplate lines dropped, for `assistant show`
    fields: dict[str, str] = field(default_factory=dict)  # page information table: 发布机构 → 宁川县鹤鸣镇人民政府


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
    fields: dict[str, str] = {}
    for raw_line in text.split("\n"):
        line = raw_line.strip(" \t\u3000\u00a0\f\v")
        if not line:
            continue
        short = len(line) <= _MAX_BOILERPLATE_LINE
        if short and _FIELD_LINE.match(normalize(line)):
            for label, value in page_fields(line).items():
                fields.setdefault(label, value)
        if short and (m := _PUBLISHED.search(normalize(line))):
            published = published or _date(*m.groups())
            removed.append(line)
            continue
        if short and _FIELD_LINE.match(normalize(line)):
            removed.append(line)
            continue
        if is_boilerplate(line):
            removed.append(line)
            continue
        kept.append(line)
    return Cleaned("\n".join(kept), published, removed, fields)


def page_fields(line: str) -> dict[str, str]:
    """label → value for every "label: value" on a line of a page's information table; a value runs to
    the next label, a run of two spaces, a tab or a '|'."""
    norm = normalize(line)
    found = list(_FIELD.finditer(norm))
    out: dict[str, str] = {}
    for k, m in enumerate(found):
        end = found[k + 1].start() if k + 1 < len(found) else len(line)
        value = re.split(r"\s{2,}|\t|\s*[|丨]\s*", line[m.end():end].strip(), maxsplit=1)[0].strip()
        if value:
            out.setdefault(re.sub(r"\s", "", m.group(1)), value)
    return out


def _date(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None
