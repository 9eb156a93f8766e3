"""Measure the local model on this machine: server start, prompt processing and generation speed.

    python -m assistant.llm.bench --size 0.5b [--threads 2] [--runs 3]

Uses llama.cpp's own ``timings`` (prompt_per_second, predicted_per_second) from non-streamed chat
completions, with a prompt built from a sample report so the numbers reflect real Chinese text.
CPU contention distorts everything: the load average is printed alongside.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import urllib.request
from pathlib import Path

from assistant.llm.local_server import LocalServer, resolve_local_model
from assistant.settings import LLMSettings, Settings

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "reports" / "2024-xuxing-zhen.txt"


def _post(url: str, payload: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["1.5b", "0.5b"], default="0.5b")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--context", type=int, default=8192)
    parser.add_argument("--prompt-chars", type=int, default=1500, help="characters of the sample report in the prompt")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    settings = Settings(llm=LLMSettings(local_size=args.size, threads=args.threads, context=args.context))
    model = resolve_local_model(settings)
    server = LocalServer(model, threads=args.threads, context=args.context)
    load_before = os.getloadavg()[0]
    base = server.start(announce=False)
    report = SAMPLE.read_text(encoding="utf-8")[: args.prompt_chars]
    prompt_speed, gen_speed, prompt_n = [], [], 0
    for run in range(args.runs):
        # a different first line each run defeats llama.cpp's prompt cache, so prompt processing is measured
        messages = [
            {"role": "system", "content": f"第{run + 1}次测量。请根据材料回答。"},
            {"role": "user", "content": report + "\n\n请概括上述材料的主要举措。"},
        ]
        result = _post(f"{base}/v1/chat/completions", {"model": model.name, "messages": messages,
                                                      "max_tokens": args.max_tokens, "temperature": 0})  # fmt: skip
        timings = result["timings"]
        prompt_n = timings["prompt_n"]
        prompt_speed.append(timings["prompt_per_second"])
        gen_speed.append(timings["predicted_per_second"])
    summary = {
        "model": model.name,
        "threads": args.threads,
        "start_seconds": round(server.start_seconds or 0, 2),
        "prompt_tokens": prompt_n,
        "prompt_tokens_per_s_median": round(statistics.median(prompt_speed), 1),
        "generation_tokens_per_s_median": round(statistics.median(gen_speed), 1),
        "runs": args.runs,
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(summary, ensure_ascii=False))
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
