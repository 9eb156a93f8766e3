"""``assistant model install | status | log``: the local chat model and the model-call log."""

from __future__ import annotations

import argparse
import sys

from assistant.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    model = subparsers.add_parser("model", help="本地模型: 安装、状态、调用日志")
    sub = model.add_subparsers(dest="model_command", metavar="ACTION")
    model.set_defaults(func=lambda args: (model.print_help(), 2)[1])

    install = sub.add_parser("install", help="下载并校验内置的 Qwen2.5-Coder 模型(GGUF)")
    install.add_argument("--size", choices=["1.5b", "0.5b"], default="1.5b", help="模型规格(默认 1.5b;0.5b 用于测试)")
    install.add_argument("--force", action="store_true", help="即使已安装也重新下载")
    install.set_defaults(func=cmd_install)

    status = sub.add_parser("status", help="显示当前使用的模型及已安装的模型")
    status.set_defaults(func=cmd_status)

    log = sub.add_parser("log", help="显示最近的模型调用记录(不含提示词和密钥)")
    log.add_argument("-n", type=int, default=20, help="显示最近 N 条(默认 20)")
    log.add_argument("--json", action="store_true", help="原样输出 JSON 行")
    log.set_defaults(func=cmd_log)


class InstallOutput:
    """Sentences on their own lines, and one progress bar per stage for the bytes (tqdm, on a terminal only).

    In a pipe or a CI log a redrawn bar is noise, so there the bar becomes one line per quarter done.
    """

    QUARTERS = (25, 50, 75, 100)

    def __init__(self, out=None) -> None:
        self.out = out or sys.stderr
        self.bar = None
        self.printed: set[int] = set()

    def say(self, sentence: str) -> None:
        self.close()  # a sentence starts a new stage: the bar of the last one stays, finished, above it
        print(sentence, file=self.out, flush=True)

    def progress(self, done: int, total: int, step: str) -> None:
        if self.out.isatty():
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="B", unit_scale=True, file=self.out, dynamic_ncols=True, desc="模型")
            self.bar.set_postfix_str(step, refresh=False)
            self.bar.update(done - self.bar.n)
            return
        if done == 0:
            self.printed.clear()  # a new stage (verifying a found copy, then downloading) starts its own count
        pct = 100 * done // total if total else 0
        due = [q for q in self.QUARTERS if q <= pct and q not in self.printed]
        if due:
            self.printed.update(due)
            print(f"{due[-1]:3d}%  {done / 1e6:7.1f}/{total / 1e6:.1f} MB  {step}", file=self.out, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def cmd_install(args: argparse.Namespace) -> int:
    from assistant.llm.install import install_model

    output = InstallOutput()
    try:
        path = install_model(args.size, settings=get_settings(), progress=output.progress, say=output.say,
                             force=args.force)  # fmt: skip
    finally:
        output.close()
    print(path)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from assistant.llm.install import MODELS, installed_models
    from assistant.redact import redact_url

    settings = get_settings()
    llm = settings.llm
    if llm.provider:
        print(f"当前模型: {llm.model or '(未设置 ASSISTANT_LLM_MODEL)'}(LangChain 提供方 {llm.provider})")
        print(f"密钥: {'已设置' if llm.api_key else '未设置(由提供方自己的环境变量决定)'}")
    elif llm.base_url:
        print(f"当前模型: {llm.model or '(未设置 ASSISTANT_LLM_MODEL)'} @ {redact_url(llm.base_url)}")
        print(f"密钥: {'已设置' if llm.api_key else '未设置'}")
    elif llm.local_path:
        exists = "存在" if llm.local_path.is_file() else "不存在!"
        print(f"当前模型: 本地文件 {llm.local_path}({exists})")
    else:
        print(f"当前模型: 内置本地模型 {MODELS[llm.local_size].name}(--size {llm.local_size})")
    print(f"本地模型参数: 线程 {llm.threads},上下文 {llm.context} tokens,超时 {llm.timeout_s:g} 秒,重试 {llm.max_retries} 次,"
          f"每次调用总时限 {llm.deadline_s:g} 秒(本地模型 {llm.local_deadline_s:g} 秒)")
    print(f"模型目录: {settings.models_dir}")
    for size, path in installed_models(settings).items():
        spec = MODELS[size]
        state = f"已安装 ({spec.total_bytes / 1e6:.0f} MB)" if path else f"未安装 — assistant model install --size {size}"
        print(f"  {size:5} {spec.name:32} {state}")
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    import json

    from assistant.llm.calllog import log_path, read_calls

    settings = get_settings()
    records = read_calls(settings.logs_dir, args.n)
    if not records:
        print(f"还没有模型调用记录({log_path(settings.logs_dir)})")
        return 0
    for r in records:
        if args.json:
            print(json.dumps(r, ensure_ascii=False))
            continue
        ttft = r.get("seconds_to_first_token")
        tokens = f"{r.get('prompt_tokens')}→{r.get('completion_tokens')}" + ("≈" if r.get("tokens_estimated") else "")
        line = (
            f"{r.get('time', '')[:19]}  {r.get('model', '')}  {tokens} tokens  "
            f"首字 {ttft if ttft is not None else '-'} 秒  共 {r.get('seconds_total')} 秒  {r.get('endpoint', '')}"
        )
        if r.get("error"):
            line += f"  错误: {r['error']}"
        print(line)
    return 0
