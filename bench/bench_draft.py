"""Draft next year's report for each sample body with the local model and measure the result.

    python bench/bench_draft.py --size 0.5b --bodies 徐行镇 [--no-material] [--max-tokens 220] [--json out.json] [--out drafts/]

Per body: seconds, model calls, shortcomings covered by the model / total (plus measures the code had to
add), placeholders left, figures and foreign names the checks caught, and — checked again independently on
the finished text — figures still ungrounded and foreign names still present (both should be 0).
Review: per reviewer's check (assistant/drafting/review.py) the paragraphs code repaired while writing and
the paragraphs it still flags in the finished draft (should be 0), and the material figures left unused.
Style: the draft against the five samples' own style (assistant/drafting/style.py): mean sentence length,
share of paragraphs with a concrete figure or placeholder, share of sentences with filler phrases.
Material: evals/suites/material/<body>-<year>.txt (example material made up for testing).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.drafting import draft_report, to_markdown  # noqa: E402
from assistant.drafting.checks import PLACEHOLDER, foreign_names  # noqa: E402
from assistant.drafting.coverage import work_counts  # noqa: E402
from assistant.drafting.review import audit_draft, repair_counts  # noqa: E402
from assistant.drafting.style import draft_paragraphs, style_profile  # noqa: E402
from assistant.drafting.writer import prepare_inputs  # noqa: E402
from assistant.figures import ungrounded_figures  # noqa: E402
from assistant.ingest import parse_file  # noqa: E402
from assistant.settings import LLMSettings, Settings, default_home  # noqa: E402

SAMPLES = REPO / "samples" / "reports"
MATERIAL = REPO / "evals" / "suites" / "material"


class InMemoryLibrary:
    """The part of vectorstore.Library drafting uses; the bench measures drafting, not retrieval."""

    def __init__(self, reports):
        self._reports = list(reports)

    def reports(self):
        return list(self._reports)

    def get(self, ref):
        return next(r for r in self._reports if ref in (r.id, r.meta.org))


def _material_file(sample: Path, year: int) -> Path:
    slug = sample.stem.split("-", 1)[1]  # 2024-xuxing-zhen → xuxing-zhen
    return MATERIAL / f"{slug}-{year}.txt"


def bench_one(sample: Path, library, model, max_tokens: int | None, out_dir: Path | None = None,
              with_material: bool = True) -> dict:
    report = next(r for r in library.reports() if r.meta.source == sample.name)
    org, year = report.meta.org, report.meta.year + 1
    material = [_material_file(sample, year)] if with_material else []
    calls = 0

    def on_event(e):
        nonlocal calls
        calls += e.kind == "paragraph"

    start = time.perf_counter()
    draft = draft_report(org, year, library=library, model=model, material=material, on_event=on_event,
                         max_tokens=max_tokens)
    seconds = time.perf_counter() - start
    if out_dir is not None:
        (out_dir / f"{org}{year}.md").write_text(to_markdown(draft), encoding="utf-8")
    _, ctx = prepare_inputs(org, year, library, material, None)
    paragraphs = [p for s in draft.sections for p in s.paragraphs]
    final_text = "\n".join(p.heading + "。" + p.text for p in paragraphs)
    still_ungrounded = [f.text for f in ungrounded_figures(PLACEHOLDER.sub("", final_text), ctx.grounding_sources())
                        if not (f.unit == "年" and 1990 <= f.value <= 2100)]
    return {
        "body": org,
        "year": year,
        "seconds": round(seconds, 1),
        "model_calls": calls,
        "shortcomings_total": len(draft.coverage),
        **work_counts(draft),
        "placeholders": len(draft.placeholders),
        "foreign_names_caught": sorted({n for p in paragraphs for n in p.foreign_orgs}),
        "year_fixes": sum(1 for p in paragraphs for n in p.notes if n.startswith("年份")),
        "ungrounded_left": still_ungrounded,
        "foreign_left": foreign_names(final_text, ctx),
        "chars": sum(len(p.text) for p in paragraphs),
        "material": bool(material),
        "review_repaired": {k: v for k, v in repair_counts(draft).items() if v},
        "review_left": {k: v for k, v in audit_draft(draft, ctx).items() if v},
        "unused_figures": list(draft.unused_figures),
        "style": style_profile(draft_paragraphs(draft)),
    }


def samples_style(library) -> dict:
    """The style measures over the five sample reports together, and per report."""
    per = {r.meta.org: style_profile(r.text.splitlines()) for r in library.reports()}
    together = style_profile(line for r in library.reports() for line in r.text.splitlines())
    return {"all": together, **per}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=("1.5b", "0.5b"), default="1.5b")
    ap.add_argument("--bodies", nargs="*", help="only these bodies (default: all five samples)")
    ap.add_argument("--max-tokens", type=int, default=None, help="per model call (default: settings.draft.max_tokens)")
    ap.add_argument("--no-material", action="store_true", help="draft without the material files")
    ap.add_argument("--json", type=Path, help="write the rows as JSON here")
    ap.add_argument("--out", type=Path, help="also write each draft as Markdown into this folder")
    args = ap.parse_args(argv)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)

    from assistant.llm import get_chat_model

    models = Path(os.environ.get("ASSISTANT_MODELS") or default_home() / "models")
    settings = Settings(models=models, llm=LLMSettings(local_size=args.size, temperature=0.0))
    model = get_chat_model(settings)
    samples = sorted(SAMPLES.glob("*.txt"))
    library = InMemoryLibrary(parse_file(s) for s in samples)
    rows = []
    for sample in samples:
        org = next(r.meta.org for r in library.reports() if r.meta.source == sample.name)
        if args.bodies and org not in args.bodies:
            continue
        row = bench_one(sample, library, model, args.max_tokens, args.out, with_material=not args.no_material)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    print(f"\n{'body':<8}{'s':>7}{'calls':>6}{'covered':>9}{'added':>6}{'ph':>4}{'fig':>5}{'foreign':>8}{'left':>6}"
          f"{'repaired':>9}{'review_left':>12}{'unused':>7}")
    for r in rows:
        left = len(r["ungrounded_left"]) + len(r["foreign_left"])
        print(f"{r['body']:<8}{r['seconds']:>7}{r['model_calls']:>6}"
              f"{r['covered_by_model']:>4}/{r['shortcomings_total']:<4}{r['measures_added_by_code']:>6}"
              f"{r['placeholders']:>4}{r['figures_caught']:>5}{len(r['foreign_names_caught']):>8}{left:>6}"
              f"{sum(r['review_repaired'].values()):>9}{sum(r['review_left'].values()):>12}{len(r['unused_figures']):>7}")
    style = samples_style(library)
    print(f"\n{'style':<10}{'sentence chars':>15}{'concrete':>10}{'filler':>8}")
    for name, prof in [("samples", style["all"]), *((r["body"], r["style"]) for r in rows)]:
        print(f"{name:<10}{prof['sentence_chars']:>15}{prof['concrete_share']:>10.0%}{prof['filler_share']:>8.1%}")
    if rows:
        print(f"\nseconds per draft: {sum(r['seconds'] for r in rows) / len(rows):.1f} (max {max(r['seconds'] for r in rows)})")
    if args.json:
        args.json.write_text(json.dumps({"size": args.size, "max_tokens": args.max_tokens, "rows": rows,
                                         "samples_style": style}, ensure_ascii=False, indent=2), encoding="utf-8")
    server = getattr(model, "server", None)
    if server is not None:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
