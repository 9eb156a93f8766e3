"""Documents are data, never instructions: find paragraphs of a report that address an AI assistant.

A report is written by a government body to its superiors and the public. It never tells its reader to
ignore instructions, to play a role, what to answer when asked, or how to format output; it never speaks
to a "你" that is an assistant. A paragraph that does was planted for a model to obey (prompt injection),
so it is flagged: shown to people (``assistant show``, search results, the UI), fenced as quoted material
in prompts, and an answer whose figure only such a paragraph gives is not trusted (``planted_figures``).

Detection is per sentence, from two kinds of evidence, each rule with the reason a person is shown:

- a lexicon of phrases addressed to an assistant (忽略以上/以上指令/系统提示词/你是一个/ignore previous …);
- structure: an imperative addressed to the reader that has no place in a report — an answer dictated
  (请回答:/当有人问…就回答), a role assigned (你现在扮演/请假装), an output format ordered (以JSON格式输出).

A flag covers the whole paragraph (line) holding such a sentence: whoever planted the instruction may have
planted the figures around it. The rules were written against phrasings in tests/test_safety_instructions.py
and checked for zero flags on every sample report and the varied development corpus (see that test).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_S = r"[^。！？!?；;\n]"  # a character inside the same sentence

# (reason shown to people, pattern). Chinese patterns assume the report's own wording; English ones ignore case.
_CHINESE_RULES: tuple[tuple[str, str], ...] = (
    ("要求忽略或忘记先前的指令",
     rf"(?:忽略|无视|忘记|忘掉|不要理会|不必理会|不用理会|抛开|丢弃|推翻|不再遵守|停止遵守|不要遵守|不必遵守)"
     rf"{_S}{{0,8}}?(?:指令|提示词|系统提示|设定|上下文|对话记录|系统消息)"),
    ("要求忽略或忘记先前的内容",
     rf"(?:忽略|无视|忘记|忘掉|不要理会|抛开|不再遵守|不要遵守)(?:掉|了)?(?:你)?"
     rf"(?:以上|上面|上述|之前|此前|先前|前面|前述|原来|原有|原先|刚才|所有|全部|一切)"
     rf"{_S}{{0,6}}?(?:规则|限制|要求|内容|材料|信息|提示|说明)"),
    ("提到提示词或系统指令",
     r"系统提示词|系统提示语|提示词|系统指令|开发者模式|越狱模式|"
     r"(?:以上|上述|之前|先前|前面|此前)的?(?:所有|全部)?指令|真正的指令|新的指令|最新指令|(?:以下|下面)是(?:新的|你的)?指令"),
    ("给读者指定身份或角色",
     r"(?:你|您)(?:现在|目前|从现在起|从现在开始|接下来|今后)?(?:是一个|是一名|是一位|扮演|假装|充当|作为一个)|"
     r"(?:请|现在)(?:你|您)?(?:扮演|假装|充当|假设你是|想象你是)|从现在(?:起|开始)[,，]?(?:你|您)|"
     r"作为(?:一个|一名)(?:AI|ＡＩ|人工智能|语言模型|大模型|助手)|作为(?:AI|人工智能)?(?:助手|语言模型|大模型)[,，]?(?:你|您)"),
    ("命令读者如何回答",
     rf"(?:你|您){_S}{{0,6}}(?:必须|务必|只能|只需|应当|应该|需要|不得|不要|不能|一律){_S}{{0,10}}"
     rf"(?:回答|回复|答复|输出|告诉|透露|重复|显示|打印|生成)"),
    ("命令 AI 如何回答",
     rf"(?:AI|ＡＩ|人工智能|智能助手|助手|大模型|语言模型|聊天机器人|ChatGPT|GPT)"
     rf"{_S}{{0,12}}?(?:必须|务必|只能|只需|应当|应该|一律|请){_S}{{0,6}}?"
     r"(?:说成|(?:回答|回复|答复)(?:为|成|[:：“\"「])|告诉用户|透露)"),
    ("规定了回答内容",
     r"(?:请|务必|一律|直接|只需|只要|必须|就|则)(?:回答|回复|答复|作答)(?:为|成|是)?\s*[:：“\"「]|"
     r"(?:请|一律|只需|只要)说成?\s*[:：“\"「]|"
     rf"(?:无论|不管)(?:用户|别人|有人|谁)?被?(?:问|询问|提问|问到|问起){_S}{{0,20}}?(?:都|一律|只)(?:回答|回复|答复|说)|"
     rf"(?:如果|若|当|一旦|凡是?)(?:有人|用户|别人|任何人|提问者){_S}{{0,20}}?(?:问|询问|提问|问到|问起|问及)"
     rf"{_S}{{0,30}}?(?:请|就|则|一律|都|要)(?:回答|回复|答复|说)|"
     rf"(?:被|当被|如被)(?:问到|问及|询问|提问){_S}{{0,30}}?(?:请|就|则|一律|都)(?:回答|回复|答复|说)"),
    ("规定了输出格式或要求输出内部信息",
     r"(?:以|用)(?:JSON|json|Json|Markdown|markdown|英文|英语|代码块)(?:格式)?(?:输出|回答|回复|返回)|"
     r"请(?:你|您)?输出|输出(?:你的|全部的?|完整的?|所有的?)(?:系统|提示|指令|设定)|"
     r"不要(?:告诉|透露|提及|提到)(?:用户|提问者|任何人)"),
    ("以请求口吻对读者下指令",
     r"(?:^|[。！？!?；;\n,，:：])\s*请(?:你|您)?(?:回答|回复|输出|忽略|忘记|忘掉|扮演|假装|告诉我|记住|重复|复述|翻译|打印|"
     r"生成|透露|按照以下|按以下|严格按照以下)"),
    ("模仿对话系统的标记",
     r"【系统(?:指令|提示|消息)】|<\|im_start\|>|<\|system\|>|\[/?INST\]|###\s*(?:指令|Instruction)"),
)

_ENGLISH_RULES: tuple[tuple[str, str], ...] = (
    ("要求忽略或忘记先前的指令",
     r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|rules|directions|"
     r"context|guidelines|above|previous|prior)\b"),
    ("给读者指定身份或角色",
     r"\byou\s+are\s+(?:now|an?|the|my|no\s+longer)\b|\byou'?re\s+now\b|\bfrom\s+now\s+on\b|"
     r"\b(?:act|behave)\s+as\b|\bpretend\s+(?:to\s+be|you)\b|\brole-?play\b|\bas\s+an?\s+(?:ai|assistant|language\s+model|llm)\b"),
    ("提到提示词或系统指令",
     r"\bsystem\s+(?:prompt|message)\b|\bjailbreak\b|\bdeveloper\s+mode\b|"
     r"\b(?:reveal|print|output|show|repeat|leak)\b[^.!?\n]{0,30}\b(?:prompt|instructions)\b|^\s*system\s*:"),
    ("规定了回答内容",
     r"\b(?:answer|respond|reply)\s+(?:only\s+)?(?:with|that)\b|\bwhen\s+(?:you\s+are\s+|being\s+)?asked\b|"
     r"\bif\s+(?:anyone|someone|the\s+user|a\s+user)\s+asks\b|\b(?:assistant|ai)\s*[,:]\s*(?:please|you|ignore|answer)\b"),
)

_RULES = tuple((why, re.compile(p)) for why, p in _CHINESE_RULES) + tuple(
    (why, re.compile(p, re.I | re.M)) for why, p in _ENGLISH_RULES
)
# Sentence ends: Chinese and ASCII terminal punctuation (ASCII only before a space or the end, not in 96.77%).
_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]|[.](?=\s|$)|$)")


@dataclass(frozen=True)
class InstructionFlag:
    """A paragraph of a text that speaks to an AI assistant: offsets into that text, and why."""

    start: int  # the paragraph (line), not just the sentence: see the module doc
    end: int
    phrase: str  # the words that matched, as written
    reason: str  # Chinese, for people: 要求忽略或忘记先前的指令 …

    def describe(self) -> str:
        return f"疑似写给 AI 的指令({self.reason}: “{self.phrase}”)"


def _sentence_hit(sentence: str) -> tuple[str, str] | None:
    for why, pattern in _RULES:
        m = pattern.search(sentence)
        if m:
            return m.group(0).strip(" \n,，:：。"), why
    return None


def find_instructions(text: str) -> list[InstructionFlag]:
    """One flag per paragraph (line) of ``text`` holding a sentence addressed to an AI assistant."""
    flags: list[InstructionFlag] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        for m in _SENTENCE.finditer(line):
            hit = _sentence_hit(m.group(0)) if m.group(0).strip() else None
            if hit:
                flags.append(InstructionFlag(start, end, hit[0], hit[1]))
                break
    return flags


def flag_note(text: str) -> str:
    """One line for a passage shown to people ('' when it has no flag): what was found, and what it means."""
    flags = find_instructions(text)
    if not flags:
        return ""
    return f"⚠ 此段含{flags[0].describe()},仅作为报告原文展示,回答时不作依据"


def without_flagged(text: str) -> str:
    """``text`` with its flagged paragraphs blanked (same length, so offsets still hold)."""
    for flag in find_instructions(text):
        text = text[: flag.start] + " " * (flag.end - flag.start) + text[flag.end :]
    return text


def planted_figures(answer_text: str, passages: Iterable[str]) -> list[str]:
    """Figures of an answer that the passages give only inside flagged paragraphs (as written in the answer).
    A figure no passage gives at all is not counted here: that is the ungrounded check's business."""
    from assistant.figures import find_figures, ungrounded_figures

    passages = list(passages)
    clean = [without_flagged(p) for p in passages]
    flagged = ["\n".join(p[f.start : f.end] for f in find_instructions(p)) for p in passages]
    planted: list[str] = []
    for fig in find_figures(answer_text):
        one = answer_text[fig.start : fig.end]
        in_flagged = any(f and not ungrounded_figures(one, [f]) for f in flagged)
        if in_flagged and ungrounded_figures(one, clean) and fig.text not in planted:
            planted.append(fig.text)
    return planted


