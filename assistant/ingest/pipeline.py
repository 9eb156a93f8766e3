"""Files → ``Report``: load, clean, metadata, structure, items, chunks; and folder ingestion into a library."""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.errors import AssistantError, BadInput
from assistant.ingest.chunking import make_chunks
from assistant.ingest.cleaning import clean
from assistant.ingest.instructions import find_instructions
from assistant.ingest.items import find_items
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, load_file, unsupported
from assistant.ingest.metadata import extract_meta, validate_overrides
from assistant.ingest.structure import analyze_layout
from assistant.settings import Settings, get_settings
from assistant.types import Report

log = logging.getLogger(__name__)

SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml", ".meta.json")
STATUSES = ("added", "unchanged", "replaced", "failed")


@dataclass
class FileResult:
    path: Path
    status: str  # one of STATUSES
    report_id: str | None = None
    reason: str = ""  # one-line Chinese reason when failed
    chunks: int = 0
    seconds: float = 0.0
    # One-line Chinese warning for a stored file, e.g. paragraphs that address an AI assistant
    # (ingest.instructions): the report is stored, and people should look at those paragraphs.
    warning: str = ""


@dataclass
class IngestSummary:
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return bool(self.results) and not self.failed

    @property
    def chunks(self) -> int:
        return sum(r.chunks for r in self.results)

    def describe(self) -> str:
        """共 5 个文件: 新增 5, 未变化 0, 替换 0, 失败 0; 98 段; 用时 1.2 秒"""
        return (
            f"共 {len(self.results)} 个文件: 新增 {self.count('added')}, 未变化 {self.count('unchanged')}, "
            f"替换 {self.count('replaced')}, 失败 {self.count('failed')}; {self.chunks} 段; 用时 {self.seconds:.1f} 秒"
        )


def parse_text(text: str, filename: str, overrides: dict | None = None) -> Report:
    """A ``Report`` from already-decoded text. ``content_hash`` is the sha256 of the text's UTF-8 bytes."""
    checked = validate_overrides(overrides or {}, "参数")
    return _build(text, Path(filename).name, checked, dict.fromkeys(checked, "user"), _text_hash(text))


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _build(text: str, name: str, overrides: dict, sources: dict[str, str], content_hash: str) -> Report:
    cleaned = clean(text)
    if not cleaned.text.strip():
        raise BadInput(f"{name}: 去掉网页页眉页脚后没有正文")
    meta = extract_meta(cleaned.text, name, published=cleaned.published, fields=cleaned.fields, overrides=overrides,
                        override_source=sources)
    report_id = Report.make_id(meta.org, meta.year)
    layout = analyze_layout(cleaned.text)
    items = find_items(cleaned.text, layout)
    chunks = make_chunks(report_id, meta, cleaned.text, layout.sections, items)
    return Report(report_id, content_hash, meta, cleaned.text, layout.sections, items, chunks)


def parse_file(path: str | Path, overrides: dict | None = None, settings: Settings | None = None) -> Report:
    """Load, clean and understand one report file. Raises ``BadInput`` with a one-line reason."""
    path = Path(path)
    settings = settings or get_settings()
    if not path.exists():
        raise BadInput(f"{path}: 文件不存在")
    if path.is_dir():
        raise BadInput(f"{path}: 是文件夹,请用 ingest_paths 或 assistant ingest 导入整个文件夹")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise unsupported(path)
    size_mb = path.stat().st_size / 1_048_576
    if size_mb > settings.ingest.max_file_mb:
        raise BadInput(
            f"{path.name}: 文件太大({size_mb:.1f} MB,上限 {settings.ingest.max_file_mb:g} MB,"
            f"可用 ASSISTANT_INGEST_MAX_FILE_MB 调整)"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path.name}: 无法读取文件({exc.strerror or type(exc).__name__})") from exc
    merged, sources = {}, {}
    sidecar = read_sidecar(path)
    if sidecar:
        merged.update(sidecar)
        sources.update(dict.fromkeys(sidecar, "sidecar"))
    user = validate_overrides(overrides or {}, "参数")
    merged.update(user)
    sources.update(dict.fromkeys(user, "user"))
    text = load_file(path, raw, settings)
    # The hash of what the file says, not of its bytes: the same report saved again as UTF-16 without a BOM,
    # as GBK, or re-saved by Word decodes to the same text and is "unchanged", not a new version.
    return _build(text, path.name, merged, sources, _text_hash(text))


def read_sidecar(path: Path) -> dict:
    """Overrides from ``<file>.meta.yaml``/``.meta.json`` (also ``<stem>.meta.yaml``) next to the report."""
    names = [path.name + s for s in SIDECAR_SUFFIXES] + [path.stem + s for s in SIDECAR_SUFFIXES]
    for name in names:
        sidecar = path.with_name(name)
        if not sidecar.is_file():
            continue
        try:
            raw = sidecar.read_text(encoding="utf-8")
            data = json.loads(raw) if sidecar.suffix == ".json" else yaml.safe_load(raw)
        except (ValueError, yaml.YAMLError, OSError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise BadInput(f"{sidecar.name}: 无法读取元数据文件({type(exc).__name__})") from exc
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise BadInput(f"{sidecar.name}: 元数据文件应是键值对(org/level/year/title)")
        return validate_overrides(data, sidecar.name)
    return {}


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """Report files under ``paths``: folders walked recursively (supported types only, sidecars and
    hidden files skipped); a file named directly is kept even if unsupported, so it fails visibly."""
    out: list[Path] = []
    seen: set[Path] = set()
    for p in map(Path, paths):
        found = (
            sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            if p.is_dir()
            else [p]
        )
        for f in found:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def ingest_paths(
    library,
    paths: Iterable[str | Path],
    overrides: dict | None = None,
    progress: bool = True,
    on_result: Callable[[FileResult], None] | None = None,
) -> IngestSummary:
    """Parse every file and ``library.add`` it. A failed file stores nothing; the others still go in.
    ``on_result`` is called after each file (the CLI prints its line there)."""
    from tqdm import tqdm

    started = time.perf_counter()
    files = find_files(paths)
    summary = IngestSummary()
    # disable=None: tqdm draws only on a terminal, so piped logs get the per-file lines without bar noise
    bar = tqdm(files, desc="导入报告", unit="份", file=sys.stderr, disable=None if progress and len(files) > 1 else True, leave=False)
    for path in bar:
        t0 = time.perf_counter()
        result = _ingest_one(library, path, overrides, progress and len(files) == 1)
        result.seconds = time.perf_counter() - t0
        summary.results.append(result)
        if on_result:
            on_result(result)
    bar.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _ingest_one(library, path: Path, overrides: dict | None, show_progress: bool) -> FileResult:
    try:
        report = parse_file(path, overrides)
    except BadInput as exc:
        return FileResult(path, "failed", None, str(exc))
    except Exception as exc:  # a parser bug must not stop a folder import; the log has the traceback
        log.exception("parsing %s failed", path)
        return FileResult(path, "failed", None, f"{path.name}: 解析出错({type(exc).__name__}: {exc})")
    bar = None

    def on_vectors(done: int, total: int) -> None:  # the library's progress(done, total) for one report
        nonlocal bar
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, desc=f"向量化 {report.id}", unit="段", file=sys.stderr, leave=False, disable=None)
        bar.n = done
        bar.refresh()

    try:
        status = library.add(report, progress=on_vectors if show_progress else None)
    except AssistantError as exc:
        return FileResult(path, "failed", report.id, f"{path.name}: 存入资料库失败: {exc}")
    finally:
        if bar is not None:
            bar.close()
    return FileResult(path, status, report.id, "", len(report.chunks), warning=instruction_warning(report))


def instruction_warning(report: Report) -> str:
    """'含 2 段疑似写给 AI 的指令 …' for a report with paragraphs that address an assistant, else ''."""
    flags = find_instructions(report.text)
    if not flags:
        return ""
    first = flags[0]
    return (f"⚠ 含 {len(flags)} 段疑似写给 AI 的指令(如“{first.phrase}”),已导入,但这些段落不作为回答依据;"
            f"请用 assistant show {report.id} 查看")
