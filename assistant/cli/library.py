"""`assistant ingest PATH...`, `assistant reports`, `assistant show REPORT`, `assistant library check [--repair]`."""

from __future__ import annotations

import json
import sys

from assistant.errors import BadInput


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "ingest",
        help="导入报告文件或文件夹(.txt/.docx/.pdf/.html)",
        description="导入法治政府建设年度报告。文件夹会递归查找;每个文件输出一行结果,任一文件失败时退出码为 1。",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="报告文件或文件夹")
    p.add_argument("--org", help="报告单位(如 吉昌镇、潼关县司法局),识别不出或识别错时指定")
    p.add_argument("--level", help="级别: 县/区、部门、镇、乡、街道")
    p.add_argument("--year", help="报告所述年度(如 2024;2025年初发布的 2024 年报告填 2024)")
    p.add_argument("--title", help="报告标题")
    p.add_argument("--no-progress", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_ingest)

    p = subparsers.add_parser("reports", help="列出资料库中的报告", description="列出资料库中的报告:单位、级别、年度、识别出的部分、条目数、检索段落数。")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_reports)

    p = subparsers.add_parser("show", help="显示一份报告的元数据和结构", description="显示报告元数据(含来源)和清理后的正文,标出各部分和条目。")
    p.add_argument("report", metavar="REPORT", help="报告编号,如 泾源县-2024、泾源县2024,或只有一份报告的单位名")
    p.add_argument("--meta-only", action="store_true", help="只显示元数据")
    p.add_argument("--json", action="store_true", help="以 JSON 输出整份解析结果")
    p.set_defaults(func=cmd_show)

    p = subparsers.add_parser("library", help="报告库维护 (检查与修复)", description="报告库维护。")
    sub = p.add_subparsers(dest="library_command", metavar="ACTION", required=True)
    c = sub.add_parser(
        "check",
        help="检查报告库是否完整",
        description="检查报告库: 列出的报告是否缺少片段、是否有不属于任何报告的片段、向量索引是否缺少片段、"
        "检索快照是否最新。加 --repair 按存储的报告记录重建损坏的部分。有问题时退出码为 1。",
    )
    c.add_argument("--repair", action="store_true", help="修复发现的问题 (按存储的报告记录重建)")
    c.set_defaults(func=cmd_library_check)


def _overrides(args) -> dict:
    return {k: getattr(args, k) for k in ("org", "level", "year", "title") if getattr(args, k) is not None}


def cmd_ingest(args) -> int:
    from tqdm import tqdm

    from assistant import runtime
    from assistant.ingest import SUPPORTED_SUFFIXES, find_files, ingest_paths
    from assistant.ingest.metadata import validate_overrides

    overrides = validate_overrides(_overrides(args), "参数")
    files = find_files(args.paths)
    if not files:
        print(f"没有找到可导入的文件(支持 {' '.join(SUPPORTED_SUFFIXES)})", file=sys.stderr)
        return 1
    if len(files) > 1 and set(overrides) & {"org", "year", "title"}:
        raise BadInput(
            f"--org/--year/--title 只能用于单个文件(这次找到 {len(files)} 个);"
            "多个文件请在每个文件旁放 <文件名>.meta.yaml"
        )
    labels = {"added": "✓ 新增", "replaced": "✓ 替换", "unchanged": "· 未变", "failed": "✗ 失败"}

    def report_line(r) -> None:
        if r.status == "failed":
            line = f"{labels['failed']}  {r.reason}"
        else:
            line = f"{labels.get(r.status, r.status)}  {r.report_id}  {r.path}  ({r.chunks} 段, {r.seconds:.1f} 秒)"
            if r.warning:  # stored, but people should look (e.g. paragraphs addressed to an AI assistant)
                line += f"\n    ⚠ {r.warning}"
        tqdm.write(line, file=sys.stdout)

    library = runtime.library()
    summary = ingest_paths(library, files, overrides, progress=not args.no_progress, on_result=report_line)
    print(summary.describe())
    return 0 if summary.ok else 1


def cmd_reports(args) -> int:
    from assistant import runtime
    from assistant.ingest.render import ITEM_PARTS, display_width, pad

    catalog = runtime.library().catalog()  # light entries: nothing is decoded to list the library
    if args.json:
        rows = [
            {
                "id": e.id, "org": e.org, "level": e.level, "year": e.year, "title": e.title,
                "parts": list(e.parts), "items": {p.value: e.items.get(p.value, 0) for p in ITEM_PARTS},
                "chunks": e.chunks,
            }
            for e in catalog
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not catalog:
        print("资料库中还没有报告。先运行: assistant ingest 报告文件或文件夹")
        return 0
    header = ["编号", "单位", "级别", "年度", "不足/原因/安排", "段落", "识别出的部分"]
    rows = [
        [e.id, e.org, e.level, str(e.year), "/".join(str(e.items.get(p.value, 0)) for p in ITEM_PARTS),
         str(e.chunks), "、".join(e.parts)]
        for e in catalog
    ]
    widths = [max(display_width(row[i]) for row in [header, *rows]) + 2 for i in range(len(header))]
    for row in [header, *rows]:
        print("".join(pad(cell, w) for cell, w in zip(row, widths)).rstrip())
    print(f"共 {len(catalog)} 份报告")
    return 0


def cmd_show(args) -> int:
    from assistant import runtime
    from assistant.ingest.render import render_meta, render_structure

    report = runtime.library().get(args.report)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(render_meta(report))
    if not args.meta_only:
        print("─" * 40)
        print(render_structure(report))
    return 0


def cmd_library_check(args) -> int:
    from assistant import runtime

    result = runtime.library().check(repair=args.repair)
    print(result.describe())
    if not result.ok and not args.repair:
        print("运行 assistant library check --repair 按存储的报告记录修复。")
    return 0 if result.ok else 1
