"""What makes a 事项 in the figures table a fragment, checked apart from the code that writes the labels.

A good 事项 names the thing the figure counts, as a noun phrase from the report (调解矛盾纠纷 / 930件).
A row is a fragment when its 事项

1. has fewer than two Chinese characters (从 / 8个, 在 / 29家, or nothing at all);
2. ends on a preposition, particle or conjunction, or on a verb still waiting for its number
   (对下放乡镇的 / 66项, 规范率均 / 100%, 时间不少于 / 60学时);
3. belongs to a name: the figure sits inside quotation marks or 《》 (三项 in “三项制度”);
4. leaves out the thing counted where the report puts it after the number: the figure is followed by
   Chinese words that are not a unit's continuation (以上, 次, 工作日), an adverb or a verb of taking part (参与), and the 事项 does not
   contain them (方面提出 / 29项 where the sentence says 29项具体任务, 组织 / 122名 for 122名干部).

Used by tests/test_figure_labels.py and bench/bench_summarize.py (before/after counts).
"""

from __future__ import annotations

_FUNCTION_CHARS = set("的之在从对向为将把给与于和及或并由按经至到以被")  # not 地/得: 基地, 土地
_WORDS_ENDING_SO = ("行为", "作为", "基地", "平均")  # nouns whose last character is also a function word
_HANGING_ENDS = ("达到", "不少于", "不低于", "超过", "达", "均", "大约", "共", "力争", "确保", "保持在")
# What may directly follow a figure without being the thing it counts.
_NOT_THE_THING = (
    "以上", "以下", "以内", "左右", "上下", "次", "工作日", "个工作日", "个月", "月",
    "剂次", "家次", "户次", "批次",  # compound measures that figures.UNITS does not list
    "参与", "参加", "参训", "受益",  # 136人次参与: the people counted were named before the figure
    "全部", "全面", "全", "均", "都", "已", "并", "正", "仍", "分别", "各", "共", "经",
    "进行", "得到", "增加", "增长", "提高", "下降", "减少", "降", "占",
)
_OPEN, _CLOSE = "“‘《「『", "”’》」』"


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def fragment_reason(what: str, sentence: str, fig_start: int, fig_end: int) -> str | None:
    """Why a row's 事项 is a fragment, or None when it is a label. Offsets are into ``sentence``."""
    label = what.strip()
    if sum(_cjk(ch) for ch in label) < 2:
        return "事项不足两个汉字"
    if not label.endswith(_WORDS_ENDING_SO) and (label[-1] in _FUNCTION_CHARS or label.endswith(_HANGING_ENDS)):
        return "事项以虚词或悬空的动词结尾"
    before = sentence[:fig_start]
    depth = sum(ch in _OPEN for ch in before) - sum(ch in _CLOSE for ch in before)
    if depth > 0 or before.count('"') % 2 == 1:
        return "数字是名称的一部分(在引号或书名号内)"
    after = sentence[fig_end:]
    if after.startswith("的"):
        after = after[1:]  # 40学时的专业法律知识培训
    run = ""
    for ch in after:
        if not _cjk(ch):
            break
        run += ch
    if len(run) >= 2 and not run.startswith(_NOT_THE_THING) and run[:2] not in label:
        return f"数字后面的“{run[:6]}”才是所计之物, 事项没有写出"
    return None


def fragment_rows(rows) -> list[tuple[object, str]]:
    """(row, reason) for every FigureRow of a summary whose 事项 is a fragment."""
    out = []
    for row in rows:
        start = row.figure.start - row.sentence_start
        reason = fragment_reason(row.what, row.sentence, start, start + len(row.figure.text))
        if reason:
            out.append((row, reason))
    return out
