""".docx zip bombs are refused before they are unpacked (issue 12, item 4), and text decoding is the same
for the same bytes on every ingest (item 6).

The bomb is real: a Word package whose document.xml inflates to 1 GiB, about 1 MB on disk (built here from
one deflate block repeated, which is what bombs are). It is parsed in a child process so its peak memory
can be measured with ``getrusage`` and a failure cannot take the test machine down.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import docx
import pytest

from assistant.errors import BadInput
from assistant.ingest import parse_file
from assistant.ingest.loaders import decode_text

REPO = Path(__file__).resolve().parent.parent
GIB = 1 << 30
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _deflate_repeated(prefix: bytes, block: bytes, times: int, suffix: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of prefix + block*times + suffix without deflating it all: after a full flush the
    compressor starts afresh, so every copy of ``block`` compresses to the same bytes. → (data, crc, size)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    packed_block = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.compress(suffix) + c.flush()
    crc = zlib.crc32(prefix)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(suffix, crc)
    return head + packed_block * times + tail, crc, len(prefix) + len(block) * times + len(suffix)


def _zip(members: list[tuple[str, bytes, int, int, int, int]]) -> bytes:
    """A zip from (name, data, method, crc, declared size, packed size) — written by hand, so the directory
    can declare whatever a test wants."""
    out, central = io.BytesIO(), []
    for name, data, method, crc, size, packed in members:
        offset = out.tell()
        fields = (20, 0, method, 0, 0x21, crc, packed, size, len(name.encode()), 0)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + name.encode() + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, offset) + name.encode())
    start = out.tell()
    directory = b"".join(central)
    out.write(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), start, 0))
    return out.getvalue()


def _word_package(document_xml: tuple[bytes, int, int, int] | None = None) -> bytes:
    """A real .docx (python-docx's template, one paragraph), its document.xml replaced when given
    (packed bytes, crc, declared size, method)."""
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("泾源县2024年法治政府建设情况报告")
    document.save(buffer)
    import zipfile

    members = []
    with zipfile.ZipFile(buffer) as zf:
        for info in zf.infolist():
            data = zf.read(info)
            if info.filename == "word/document.xml" and document_xml is not None:
                packed, crc, size, method = document_xml
                members.append((info.filename, packed, method, crc, size, len(packed)))
            else:
                members.append((info.filename, data, 0, zlib.crc32(data), len(data), len(data)))
    return _zip(members)


def _bomb(unpacked: int) -> bytes:
    prefix = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'.encode()
    paragraph = b"<w:p><w:r><w:t>" + b"A" * (1 << 20) + b"</w:t></w:r></w:p>"
    packed, crc, size = _deflate_repeated(prefix, paragraph, unpacked // len(paragraph) + 1, b"</w:body></w:document>")
    return _word_package((packed, crc, size, 8))


_CHILD = """
import json, resource, sys, time
from assistant.errors import BadInput
from assistant.ingest import parse_file
started = time.monotonic()
try:
    parse_file(sys.argv[1]); outcome = "parsed"
except BadInput as exc:
    outcome = str(exc)
print(json.dumps({"outcome": outcome, "seconds": time.monotonic() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _parse_in_child(path: Path, memory_cap_gb: float = 3.0) -> dict:
    """parse_file in a child process capped at ``memory_cap_gb`` of address space (so the unfixed code
    fails with MemoryError instead of swapping the machine)."""
    import resource

    cap = int(memory_cap_gb * GIB)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, timeout=120, env=env, cwd=REPO,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap)),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_gigabyte_docx_bomb_is_refused_from_the_directory_with_little_memory_and_time(tmp_path):
    bomb = tmp_path / "泾源县2024.docx"
    bomb.write_bytes(_bomb(GIB))
    assert bomb.stat().st_size < 3_000_000  # small on disk, under the 20 MB upload limit …
    import zipfile

    with zipfile.ZipFile(bomb) as zf:  # … and a gigabyte declared
        assert zf.getinfo("word/document.xml").file_size >= GIB
    baseline = _parse_in_child(REPO / "samples" / "reports" / "2024-jingyuan-xian.txt")
    result = _parse_in_child(bomb)
    assert "解压后" in result["outcome"] and "已拒绝导入" in result["outcome"], result
    assert result["seconds"] < 5
    # Within 100 MB of what parsing a small text report takes (imports dominate both).
    assert result["peak_mb"] < baseline["peak_mb"] + 100, (result, baseline)


def test_a_bomb_under_the_size_cap_is_refused_by_its_ratio(tmp_path):
    bomb = tmp_path / "r.docx"
    bomb.write_bytes(_bomb(40 * (1 << 20)))  # 40 MB: under the 100 MB cap, but packed about 1000:1
    with pytest.raises(BadInput, match="压缩比异常"):
        parse_file(bomb)


def test_a_directory_that_understates_sizes_is_caught_while_streaming(tmp_path):
    prefix = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'.encode()
    paragraph = b"<w:p><w:r><w:t>" + "报告".encode() * 50_000 + b"</w:t></w:r></w:p>"
    packed, crc, _ = _deflate_repeated(prefix, paragraph, 60, b"</w:body></w:document>")
    liar = tmp_path / "liar.docx"
    liar.write_bytes(_word_package((packed, crc, 4096, 8)))  # declares 4 KB, inflates to 18 MB
    with pytest.raises(BadInput, match=r"\.docx|解压"):
        parse_file(liar)


def test_limits_are_settings_with_descriptions(monkeypatch, tmp_path):
    from assistant.settings import IngestSettings, get_settings

    for name in ("max_unpacked_mb", "max_zip_ratio"):
        assert IngestSettings.model_fields[name].description
    monkeypatch.setenv("ASSISTANT_INGEST_MAX_UNPACKED_MB", "0.001")  # 1 KB: even a real report is refused
    get_settings.cache_clear()
    path = tmp_path / "r.docx"
    path.write_bytes(_word_package())
    with pytest.raises(BadInput, match="ASSISTANT_INGEST_MAX_UNPACKED_MB"):
        parse_file(path)


def test_a_normal_docx_still_streams_to_the_same_text(tmp_path):
    document = docx.Document()
    for line in ("泾源县2024年法治政府建设情况报告", "一、主要举措和成效", "全年调解矛盾纠纷930件。"):
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "调解", "930件"
    document.add_paragraph("二、存在的不足")
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "r.docx"
    path.write_bytes(buffer.getvalue())
    from assistant.ingest.loaders import load_docx

    assert load_docx(path, buffer.getvalue()) == (
        "泾源县2024年法治政府建设情况报告\n一、主要举措和成效\n全年调解矛盾纠纷930件。\n调解\t930件\n二、存在的不足"
    )


# ------------------------------------------------------------------ encodings: same bytes, same text


def test_utf16le_without_bom_decodes_the_same_in_every_process(tmp_path, samples_dir):
    """Each sample as UTF-16LE without BOM, decoded in fresh interpreters with different hash seeds."""
    code = ("import hashlib,sys; from pathlib import Path; from assistant.ingest.loaders import decode_text;"
            "print(' '.join(hashlib.sha256(decode_text(Path(p).read_bytes(), p).encode()).hexdigest()[:12]"
            " for p in sys.argv[1:]))")
    files = []
    for sample in sorted(samples_dir.glob("*.txt")):
        text = sample.read_text(encoding="utf-8")
        target = tmp_path / sample.name
        target.write_bytes(text.encode("utf-16-le"))
        assert decode_text(target.read_bytes(), target.name) == text
        files.append(str(target))
    seen = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": seed}
        seen.add(subprocess.run([sys.executable, "-c", code, *files], capture_output=True, text=True, env=env,
                                timeout=60, check=True).stdout)
    assert len(seen) == 1


def test_the_same_report_in_another_encoding_reingests_as_unchanged(tmp_path, samples_dir):
    """The audit's ✓ 替换: decoding was the same for the same bytes (above); the report looked new because its
    hash was of the bytes, and UTF-16LE with and without a BOM (or GBK) are other bytes for the same text."""
    from assistant.ingest import ingest_paths
    from assistant.settings import Settings
    from vectorstore import FakeEmbedding, open_library

    text = (samples_dir / "2024-jingyuan-xian.txt").read_text(encoding="utf-8")
    library = open_library(Settings(home=tmp_path / "home"), embedding=FakeEmbedding())
    statuses = []
    for folder, data in (("bom", b"\xff\xfe" + text.encode("utf-16-le")), ("nobom", text.encode("utf-16-le")),
                         ("gbk", text.encode("gb18030")), ("again", text.encode("utf-16-le"))):
        path = tmp_path / folder / "2024-jingyuan-xian.txt"
        path.parent.mkdir()
        path.write_bytes(data)
        (result,) = ingest_paths(library, [path], progress=False).results
        statuses.append(result.status)
    assert statuses == ["added", "unchanged", "unchanged", "unchanged"]
    changed = tmp_path / "changed" / "2024-jingyuan-xian.txt"
    changed.parent.mkdir()
    changed.write_bytes(text.replace("930件", "931件").encode("utf-16-le"))
    assert ingest_paths(library, [changed], progress=False).results[0].status == "replaced"


def test_a_material_docx_goes_through_the_same_limits(tmp_path):
    """Drafting material is a user's file too: a bomb is refused by the report loader's limits, and a Word
    file's automatic numbering comes through as it does for reports."""
    from assistant.drafting.material import read_material_file

    bomb = tmp_path / "材料.docx"
    bomb.write_bytes(_bomb(1 << 30))
    started = time.perf_counter()
    with pytest.raises(BadInput, match="材料.docx"):
        read_material_file(bomb)
    assert time.perf_counter() - started < 5

    notes = tmp_path / "notes.docx"
    document = docx.Document()
    document.add_paragraph("全年调解矛盾纠纷142件。", style="List Number")
    document.add_paragraph("开展法治宣传活动36场。", style="List Number")
    document.save(notes)
    text = read_material_file(notes)
    assert "142件" in text and "36场" in text and text.index("142件") < text.index("36场")
