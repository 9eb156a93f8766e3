"""End to end with the real local model: draft 徐行镇's report on 2025 from its 2024 report and a small
material file, export to .docx and read it back. The model's wording varies; what the code guarantees
does not: structure, sources, coverage, no foreign names, no ungrounded figures, highlighted gaps."""

from __future__ import annotations

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX

from assistant.drafting import draft_report, export_docx
from assistant.drafting.checks import PLACEHOLDER, foreign_names
from assistant.drafting.writer import prepare_inputs
from assistant.figures import ungrounded_figures
from assistant.ingest import parse_file
from assistant.types import Part
from test_draft_support import FakeLibrary
from tests.conftest import REPO, SAMPLES

MATERIAL = REPO / "evals" / "suites" / "material" / "xuxing-zhen-2025.txt"


@pytest.mark.slow
@pytest.mark.model
def test_local_model_draft_exported_and_read_back(local_chat_model, tmp_path):
    library = FakeLibrary([parse_file(p) for p in sorted(SAMPLES.glob("*.txt"))])
    sections_seen: list[str] = []
    draft = draft_report("徐行镇", 2025, library=library, model=local_chat_model, material=[MATERIAL],
                         max_tokens=160, on_event=lambda e: e.kind == "section" and sections_seen.append(e.heading))
    assert draft.title == "徐行镇2025年法治政府建设情况报告"
    assert [s.part for s in draft.sections][:5] == [Part.PREAMBLE, Part.MEASURES, Part.LEADERSHIP,
                                                    Part.SHORTCOMINGS, Part.PLANS]
    assert len(sections_seen) >= 4
    paragraphs = [p for s in draft.sections for p in s.paragraphs]
    assert all(p.sources and p.text for p in paragraphs)
    assert len(draft.coverage) == 2 and all(row.measures for row in draft.coverage)

    # independent re-check of the finished text: nothing foreign, every figure grounded
    _, ctx = prepare_inputs("徐行镇", 2025, library, [MATERIAL], None)
    final = "\n".join(p.heading + "。" + p.text for p in paragraphs)
    assert foreign_names(final, ctx) == []
    assert ungrounded_figures(PLACEHOLDER.sub("", final), ctx.grounding_sources()) == []

    out = tmp_path / "徐行镇2025.docx"
    export_docx(draft, out)
    doc = docx.Document(str(out))
    assert doc.paragraphs[0].text == draft.title
    highlighted = [r.text for p in doc.paragraphs for r in p.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert all(ph in highlighted for ph in draft.placeholders)
    assert "附:材料来源(供核对,不属于报告正文)" in [p.text for p in doc.paragraphs]
