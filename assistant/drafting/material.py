"""This year's material from the user (work notes, statistics, event lists): read and cut into passages.

Each passage keeps a human label (``材料1第3段`` or ``工作记录.txt 第3段``) so a draft paragraph can say
which passage it came from. Heading lines of the material (its title, "五、矛盾纠纷化解", "调解工作:") are
not passages: they are kept with the passages under them (``Passage.headings``), help route a passage to
its topic, and must never be pasted into the draft as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import BadInput
from assistant.lexicon import SENTENCE_ENDS
from assistant.settings import get_settings
from assistant.types import SourceRef

MAX_PASSAGE_CHARS = 300  # longer lines are cut at sentence ends so one prompt holds several passages
_SENTENCE_END = re.compile(rf"(?<=[{SENTENCE_ENDS}])")  # after each sentence end, the end kept with its sentence
_HEADER_LINE = re.compile(r"^\s*[#＃]")  # lines starting with # are comments (e.g. "# 示例材料…"), not content
_MARKER = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．](?!\d))\s*")
_LEAD_HEADING = re.compile(r"^([^,，。;；:：\d]{2,12})[:：](?=\S)")  # "调解工作:全年调解…" → heading 调解工作
HEADING_CHARS = 24  # a line this short without a figure or inner punctuation is a heading, not a fact


@dataclass(frozen=True)
class Passage:
    label: str  # 材料1第3段
    text: str
    headings: tuple[str, ...] = ()  # the material's heading lines above it, as written (outermost first)

    @property
    def body(self) -> str:
        """The passage without a run-in heading of its own ("调解工作:全年…" → "全年…"): what a draft may say."""
        lead = _LEAD_HEADING.match(_MARKER.sub("", self.text))
        return _MARKER.sub("", self.text)[lead.end():].strip() if lead else self.text

    def ref(self) -> SourceRef:
        return SourceRef(kind="material", label=self.label, quote=self.text)


def read_material_file(path: Path) -> str:
    """Text of a .txt/.md (UTF-8 or GBK/GB18030) or .docx file; a clear BadInput otherwise."""
    if not path.is_file():
        raise BadInput(f"材料文件不存在: {path}")
    settings = get_settings()
    size_mb = path.stat().st_size / 1_000_000
    if size_mb > settings.ingest.max_file_mb:
        raise BadInput(f"材料文件 {path.name} 太大({size_mb:.1f} MB,上限 {settings.ingest.max_file_mb:g} MB)")
    raw = path.read_bytes()
    if path.suffix.lower() == ".docx":
        # The report loader: unpacked-size limits first (a zip bomb is refused, not unpacked), Word's automatic
        # numbering kept, tables as tab-separated lines.
        from assistant.ingest.loaders import load_docx

        try:
            return load_docx(path, raw, settings)
        except BadInput:
            raise
        except Exception as exc:  # python-docx / lxml raise several types for a broken file
            raise BadInput(f"无法读取材料文件 {path.name}: 不是有效的 .docx ({exc})") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadInput(f"无法识别材料文件 {path.name} 的编码: 请另存为 UTF-8 文本或 .docx")


def is_heading_line(line: str) -> bool:
    """A title or heading of the material: short, no figure, no punctuation inside (a trailing 。/: allowed)."""
    from assistant.figures import find_figures

    body = _MARKER.sub("", line).rstrip("。:：")
    if not body or find_figures(body):  # a year (2025年) is not a figure; 6次 is
        return False
    if _MARKER.match(line) and len(body) <= HEADING_CHARS and not re.search(r"[,，。;；]", body):
        return True
    return len(body) <= HEADING_CHARS and not re.search(r"[,，。;；:：!！?？]", body)


def _heading_level(line: str, first: bool) -> int:
    """0 for the title (an unnumbered first line), 1 for 一、, 2 for (一) and 1、, 3 for other unnumbered
    heading lines: a heading replaces those at its level or deeper."""
    if not _MARKER.match(line):
        return 0 if first else 3
    return 1 if re.match(r"\s*[一二三四五六七八九十]+[、.．]", line) else 2


def _cut(line: str) -> list[str]:
    """A long line cut at sentence ends into pieces of at most MAX_PASSAGE_CHARS."""
    if len(line) <= MAX_PASSAGE_CHARS:
        return [line]
    pieces, current = [], ""
    for sentence in _SENTENCE_END.split(line):
        if current and len(current) + len(sentence) > MAX_PASSAGE_CHARS:
            pieces.append(current)
            current = ""
        current += sentence
    return pieces + ([current] if current.strip() else [])


def split_passages(text: str, name: str) -> list[Passage]:
    """One passage per non-empty line (long lines cut at sentence ends); comment lines skipped; heading
    lines kept as the ``headings`` of the passages below them."""
    pieces: list[tuple[str, tuple[str, ...]]] = []
    headings: list[tuple[int, str]] = []  # (level, line) of the headings in force
    first = True
    for line in text.splitlines():
        line = line.strip()
        if not line or _HEADER_LINE.match(line):
            continue
        if is_heading_line(line):
            level = _heading_level(line, first)
            headings = [h for h in headings if h[0] < level] + [(level, line)]
            first = False
            continue
        first = False
        lead = _LEAD_HEADING.match(_MARKER.sub("", line))
        own = (lead.group(1),) if lead else ()
        for piece in _cut(line):
            pieces.append((piece, tuple(h for _, h in headings) + own))
    return [Passage(f"{name}第{i}段", p, heads) for i, (p, heads) in enumerate(pieces, 1)]


def material_headings(passages: Sequence[Passage]) -> list[str]:
    """Every heading of the material, as written and without its numbering (both may be pasted by a model)."""
    found: list[str] = []
    for p in passages:
        for h in p.headings:
            for form in (h.rstrip("。:："), _MARKER.sub("", h).rstrip("。:：")):
                if len(form) >= 2 and form not in found:
                    found.append(form)
    return found


def load_material(material: Iterable[str | Path]) -> list[Passage]:
    """Passages from pasted text (str) and files (Path). Files are named by file name, texts 材料1, 材料2…"""
    passages: list[Passage] = []
    for n, entry in enumerate(material, 1):
        if isinstance(entry, Path):
            passages += split_passages(read_material_file(entry), f"{entry.name} ")
        else:
            passages += split_passages(str(entry), f"材料{n}")
    return passages


def material_texts(passages: Sequence[Passage]) -> list[str]:
    return [p.text for p in passages]
