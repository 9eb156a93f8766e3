"""This year's material from the user (work notes, statistics, event lists): read and cut into passages.

Each passage keeps a human label (``材料1第3段`` or ``工作记录.txt 第3段``) so a draft paragraph can say
which passage it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import BadInput
from assistant.lexicon import SENTENCE_ENDS
from assistant.types import SourceRef

MAX_PASSAGE_CHARS = 300  # longer lines are cut at sentence ends so one prompt holds several passages
_SENTENCE_END = re.compile(rf"(?<=[{SENTENCE_ENDS}])")  # after each sentence end, the end kept with its sentence
_HEADER_LINE = re.compile(r"^\s*[#＃]")  # lines starting with # are comments (e.g. "# 示例材料…"), not content


@dataclass(frozen=True)
class Passage:
    label: str  # 材料1第3段
    text: str

    def ref(self) -> SourceRef:
        return SourceRef(kind="material", label=self.label, quote=self.text)


def read_material_file(path: Path) -> str:
    """Text of a .txt/.md (UTF-8 or GBK/GB18030) or .docx file; a clear BadInput otherwise."""
    if not path.is_file():
        raise BadInput(f"材料文件不存在: {path}")
    if path.suffix.lower() == ".docx":
        import docx

        try:
            return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        except Exception as exc:  # python-docx raises several types for a broken file
            raise BadInput(f"无法读取材料文件 {path.name}: 不是有效的 .docx ({exc})") from exc
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadInput(f"无法识别材料文件 {path.name} 的编码: 请另存为 UTF-8 文本或 .docx")


def split_passages(text: str, name: str) -> list[Passage]:
    """One passage per non-empty line (long lines cut at sentence ends); comment lines skipped."""
    pieces: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or _HEADER_LINE.match(line):
            continue
        if len(line) <= MAX_PASSAGE_CHARS:
            pieces.append(line)
            continue
        current = ""
        for sentence in _SENTENCE_END.split(line):
            if current and len(current) + len(sentence) > MAX_PASSAGE_CHARS:
                pieces.append(current)
                current = ""
            current += sentence
        if current.strip():
            pieces.append(current)
    return [Passage(f"{name}第{i}段", p) for i, p in enumerate(pieces, 1)]


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
