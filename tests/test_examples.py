"""examples/langchain_chain.py runs: an LCEL chain (library retriever → checked answer) streamed against the fake
OpenAI-compatible endpoint through langchain-openai's ChatOpenAI."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fake_openai_server import FakeOpenAIServer

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "langchain_chain.py"


def load_example():
    spec = importlib.util.spec_from_file_location("langchain_chain_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def library(tmp_path):
    from assistant.ingest import ingest_paths
    from assistant.settings import Settings
    from vectorstore import FakeEmbedding, open_library

    lib = open_library(Settings(home=tmp_path / "lib"), embedding=FakeEmbedding())
    summary = ingest_paths(lib, [REPO / "samples" / "reports" / "2024-jingyuan-xian.txt"], progress=False)
    assert summary.ok, summary.describe()
    return lib


@pytest.mark.usefixtures("model_answers")  # scripts the model's reply to a figure question
def test_the_example_chain_streams_a_checked_cited_answer(library, capsys):
    example = load_example()
    with FakeOpenAIServer() as llm:
        assert example.main(["泾源县2024年调解矛盾纠纷多少件?", "--base-url", llm.base_url, "--model", "fake-openai"],
                            library=library) == 0
        request = llm.requests[-1]
    out, err = capsys.readouterr()
    assert err.splitlines() == ["[检索中]", "[模型思考中]", "[核对中]"]
    streamed, checked = out.split("核对后的回答:")
    assert "930" in streamed and "ev-" not in out  # streamed as written, raw passage ids hidden
    assert "[1]" in checked and "[1] 泾源县 2024年 · " in checked and "930" in checked
    assert request["stream"] is True and request["model"] == "fake-openai"  # ChatOpenAI, streaming


@pytest.mark.slow  # a fresh interpreter importing LangChain and the project: ~10 s on a busy machine
def test_the_example_runs_as_a_script():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, str(EXAMPLE), "--help"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0 and "--base-url" in proc.stdout
