"""Zip-based inputs (.docx) opened with limits, so a small file cannot unpack into gigabytes.

A 1 MB .docx can declare a document.xml of a gigabyte (a "zip bomb"). Before anything is unpacked, the
archive's directory is read and the file is refused when its members add up to more than
``ingest.max_unpacked_mb`` or when a member over ``RATIO_FLOOR_BYTES`` unpacks to more than
``ingest.max_zip_ratio`` times its packed size. Members are then read as streams that stop at the same total
(``LimitedReader``), so a directory that lies about sizes is caught too (zipfile also checks each CRC).
"""

from __future__ import annotations

import io
import zipfile

from assistant.errors import BadInput
from assistant.settings import Settings

RATIO_FLOOR_BYTES = 1_048_576  # small members (styles, rels) can pack 100x+ and hold nothing dangerous
MB = 1_048_576


def open_zip(raw: bytes, name: str, settings: Settings) -> zipfile.ZipFile:
    """The archive in ``raw``, checked against the unpacked-size and ratio limits from its directory."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadInput(f"{name}: 无法打开 .docx 文件(文件损坏或不是 Word 文档: {type(exc).__name__})") from exc
    limits = settings.ingest
    members = archive.infolist()
    total = sum(m.file_size for m in members)
    if total > limits.max_unpacked_mb * MB:
        raise BadInput(
            f"{name}: 文件解压后共 {total / MB:,.0f} MB,超过上限 {limits.max_unpacked_mb:g} MB,"
            f"可能是恶意构造的压缩包,已拒绝导入(可用 ASSISTANT_INGEST_MAX_UNPACKED_MB 调整)"
        )
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_zip_ratio:
            raise BadInput(
                f"{name}: 文件中的 {m.filename} 压缩比异常({ratio:,.0f} 倍,上限 {limits.max_zip_ratio:g} 倍),"
                f"可能是恶意构造的压缩包,已拒绝导入(可用 ASSISTANT_INGEST_MAX_ZIP_RATIO 调整)"
            )
    return archive


class LimitedReader(io.RawIOBase):
    """A member's bytes, streamed, refusing to go past ``limit`` bytes (the directory may have lied)."""

    def __init__(self, stream, limit: int, name: str) -> None:
        self._stream, self._left, self._name = stream, limit, name

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._stream.read(min(size, self._left + 1) if size >= 0 else self._left + 1)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise BadInput(f"{self._name}: .docx 文件已损坏,无法解压({type(exc).__name__})") from exc
        self._left -= len(data)
        if self._left < 0:
            raise BadInput(f"{self._name}: 文件解压后的大小超过了压缩包目录中声明的大小,可能是恶意构造的压缩包,已拒绝导入")
        return data


def read_member(archive: zipfile.ZipFile, member: str, name: str, settings: Settings) -> LimitedReader:
    """A stream of one member, limited to the unpacked-size limit."""
    try:
        stream = archive.open(member)
    except KeyError as exc:
        raise BadInput(f"{name}: .docx 文件中缺少 {member}(文件损坏或不是 Word 文档)") from exc
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:  # encrypted, odd methods
        raise BadInput(f"{name}: 无法读取 .docx 文件中的 {member}({type(exc).__name__})") from exc
    return LimitedReader(stream, int(settings.ingest.max_unpacked_mb * MB), name)
