"""``assistant search`` (ranked chunks for a question) and ``assistant remove`` (delete a report)."""

from __future__ import annotations

import argparse
import sys

from assistant.cli.filters import add_filter_args, explicit_filter


def register(subparsers: argparse._SubParsersAction) -> None:
    search = subparsers.add_parser(
        "search",
        help="在报告库中检索片段 (BM25 + 向量混合检索)",
        description="在报告库中检索与问题最相关的片段。问题中提到的单位、年份会自动作为检索范围;"
        "用 --org/--year/--level/--section 指定范围则不再推断。",
    )
    search.add_argument("question", help="问题, 例如 “泾源县2024年调解矛盾纠纷多少件?”")
    add_filter_args(search)
    search.add_argument("-k", type=int, default=None, metavar="N", help="返回的片段数 (默认 ASSISTANT_RETRIEVAL_K)")
    search.add_argument("--no-infer", action="store_true", help="不从问题中推断单位和年份")
    search.set_defaults(func=cmd_search)

    remove = subparsers.add_parser("remove", help="从报告库删除一份报告及其全部片段")
    remove.add_argument("report", help="报告, 例如 泾源县-2024、泾源县2024, 或只有一份报告的单位名")
    remove.add_argument("--yes", "-y", action="store_true", help="不再询问, 直接删除")
    remove.set_defaults(func=cmd_remove)


def cmd_search(args: argparse.Namespace) -> int:
    from assistant import runtime
    from assistant.settings import get_settings

    k = args.k if args.k is not None else get_settings().retrieval.k
    library = runtime.library()
    result = library.search(args.question, filter=explicit_filter(args), k=k, infer=not args.no_infer)
    how = " (从问题推断)" if result.filter.inferred else ""
    print(f"{result.filter.describe()}{how}")
    if not result.hits:
        catalog = library.catalog()
        known = sorted({e.org for e in catalog})
        unknown = [o for o in (result.filter.orgs or []) if o not in known]
        if not catalog:
            print("报告库是空的: 请先导入报告 (assistant ingest 文件或目录)。")
        elif unknown:
            print(f"报告库中没有 {'、'.join(unknown)} 的报告。现有单位: {'、'.join(known)}")
        else:
            print("没有找到相关片段。")
        return 0
    from assistant.ingest.instructions import flag_note

    for rank, hit in enumerate(result.hits, start=1):
        c = hit.chunk
        heading = " › ".join(h for h in c.heading_path if h)
        ranks = ", ".join(
            f"{name} 第{r}" for name, r in (("BM25", hit.bm25_rank), ("向量", hit.dense_rank)) if r is not None
        )
        print(f"\n[{rank}] {c.org} {c.year}年 · {c.part.value}{' · ' + heading if heading else ''}")
        print(f"    得分 {hit.score:.4f} ({ranks}) · {c.report_id} 字符 {c.start}–{c.end}")
        for line in c.text.splitlines() or [""]:
            print(f"    {line}")
        if note := flag_note(c.text):  # a paragraph addressing an AI assistant is shown, never obeyed
            print(f"    {note}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from assistant import runtime

    library = runtime.library()
    report = library.get(args.report)
    label = f"{report.meta.label} ({report.id}, {len(report.chunks)} 个片段, 来自 {report.meta.source or '未知文件'})"
    if not args.yes:
        if not sys.stdin.isatty():
            print(f"将删除 {label}。非交互运行时请加 --yes 确认。", file=sys.stderr)
            return 2
        answer = input(f"确认删除 {label}? [y/N] ").strip().lower()
        if answer not in ("y", "yes", "是"):
            print("未删除。")
            return 1
    removed = library.remove(report.id)
    print(f"已删除 {removed.meta.label} ({removed.id})。")
    return 0
