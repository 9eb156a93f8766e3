"""The report library and the checked answer in a LangChain (LCEL) chain, streamed.

    assistant ingest samples/reports          # once: fill the library (ASSISTANT_HOME)
    OPENAI_API_KEY=sk-… python examples/langchain_chain.py "泾源县2024年调解矛盾纠纷多少件?" \
        --base-url https://api.deepseek.com/v1 --model deepseek-chat

The chain is LangChain's usual retrieval chain — ``{"question": RunnablePassthrough(), "context": retriever}``
piped into the answer step — with the library as the retriever (``Library.as_retriever``) and the project's
checked answer (``AnswerRunnable``) as the answer step: it cites passages by number, drops citations the
model invented and marks figures the cited passages do not hold. Any LangChain chat model can stand where
``ChatOpenAI`` is built below (ChatTongyi, ChatOllama, ChatDeepSeek …).
"""

from __future__ import annotations

import argparse
import os
import sys

from langchain_core.runnables import Runnable, RunnablePassthrough
from langchain_openai import ChatOpenAI

from assistant.answers.citations import hide_ids
from assistant.phases import AnswerPhase
from assistant.answers.runnable import AnswerRunnable
from assistant.types import Answer, SearchFilter


def build_chain(library, llm, org: str | None = None) -> Runnable:
    """question → the library's passages → the checked answer."""
    retriever = library.as_retriever(filter=SearchFilter(orgs=[org]) if org else None)
    return {"question": RunnablePassthrough(), "context": retriever} | AnswerRunnable(retriever, llm)


def stream_to(chain: Runnable, question: str, out=None, err=None) -> Answer:
    """Show the answer as it is written (raw passage ids hidden), the phases on ``err``, then the checked answer."""
    out, err = out or sys.stdout, err or sys.stderr
    written, shown = "", ""
    for chunk in chain.stream(question):
        if isinstance(chunk, AnswerPhase):
            print(f"[{chunk.label}]", file=err, flush=True)
        elif isinstance(chunk, str):
            written += chunk
            visible = hide_ids(written)
            if visible.startswith(shown):  # an id half-written at the end is hidden until it is complete
                print(visible[len(shown):], end="", file=out, flush=True)
                shown = visible
        elif isinstance(chunk, Answer):
            print(f"\n\n核对后的回答: {chunk.text}", file=out)
            for i, c in enumerate(chunk.citations, start=1):
                print(f"  [{i}] {c.org} {c.year}年 · {c.part.value}: “{c.quote[:80]}”", file=out)
            if chunk.ungrounded:
                print(f"  ⚠ 所引原文中找不到的数字: {'、'.join(f.text for f in chunk.ungrounded)}", file=out)
            return chunk
    raise RuntimeError("the chain ended without an answer")


def main(argv: list[str] | None = None, library=None) -> int:
    parser = argparse.ArgumentParser(description="报告库 + 核对过的回答,组成一条 LangChain 链并流式输出")
    parser.add_argument("question")
    parser.add_argument("--base-url", required=True, help="OpenAI-compatible endpoint, e.g. https://api.deepseek.com/v1")
    parser.add_argument("--model", required=True, help="model name at that endpoint")
    parser.add_argument("--org", help="only this body's reports (default: read off the question)")
    args = parser.parse_args(argv)

    if library is None:
        from assistant import runtime

        library = runtime.library()  # the library `assistant ingest` filled
    llm = ChatOpenAI(model=args.model, base_url=args.base_url, api_key=os.environ.get("OPENAI_API_KEY", "no-key"),
                     temperature=0)  # fmt: skip
    stream_to(build_chain(library, llm, args.org), args.question)
    return 0


if __name__ == "__main__":
    sys.exit(main())
