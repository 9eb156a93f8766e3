"""`assistant draft --org 徐行镇 --year 2025 [--material FILE...] [-o draft.docx]` and `assistant track ORG`."""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.errors import BadInput


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "draft",
        help="依据上一年度报告起草新一年度报告",
        description="按五部分结构逐节起草新一年度法治政府建设情况报告:上一年度安排逐条写成效,上一年度不足逐条写措施;"
        "材料中没有的内容留〔待补充:…〕。输出 .docx(公文格式)或 .md,并列出不足—措施对照、待补充事项和自动检查记录。",
    )
    p.add_argument("--org", required=True, help="单位名称,如 徐行镇(库中须有其上一年度报告)")
    p.add_argument("--year", required=True, type=int, help="新报告所写的年度,如 2025(依据 2024 年报告)")
    p.add_argument("--material", nargs="+", type=Path, default=[], metavar="FILE",
                   help="今年的工作材料(.txt/.md/.docx):工作记录、统计数字、大事记")
    p.add_argument("--peer", action="append", metavar="REPORT",
                   help="可借鉴的同类单位报告,如 泾源县-2024(可多次指定;默认库中全部其他报告)")
    p.add_argument("-o", "--output", type=Path, help="输出文件,.docx 或 .md(不指定则在屏幕上输出 Markdown)")
    p.add_argument("--max-tokens", type=int, default=None,
                   help="每次模型调用的最大输出 token 数(默认取 ASSISTANT_DRAFT_MAX_TOKENS,220)")
    p.add_argument("--pdf", action="store_true",
                   help="同时用 LibreOffice 生成 PDF 预览(本机缺少公文字体时预览用替代字体,.docx 不受影响)")
    p.add_argument("--stream", action="store_true", help="边写边显示模型输出的文字")
    p.set_defaults(func=cmd_draft)

    p = subparsers.add_parser(
        "track",
        help="跟踪上一年度安排在下一年度报告中的落实情况",
        description="把一个单位较早报告中的每条“下一年度安排”标为 已报告 / 部分报告 / 未提及,并列出对应段落。",
    )
    p.add_argument("org", metavar="ORG", help="单位名称,如 徐行镇")
    p.add_argument("--earlier", type=int, metavar="YEAR", help="较早报告的年度(默认库中倒数第二份)")
    p.add_argument("--later-file", type=Path, metavar="FILE",
                   help="较晚的报告文件(如新起草的草稿);不指定则用库中的下一年度报告")
    p.set_defaults(func=cmd_track)


def _progress(stream: bool):
    from assistant.drafting import DraftEvent

    def on_event(e: DraftEvent) -> None:
        if e.kind == "section":
            print(f"[{e.section}/{e.sections}] {e.heading}(共 {e.units} 次模型调用)", flush=True)
        elif e.kind == "delta" and stream:
            print(e.text, end="", flush=True)
        elif e.kind == "paragraph":
            if stream:
                print()
            print(f"    ✓ {e.unit}/{e.units} {e.label}: {len(e.text)} 字", flush=True)
            for note in e.notes:
                print(f"      ! {note}", flush=True)

    return on_event


def cmd_draft(args) -> int:
    from assistant import runtime
    from assistant.drafting import draft_report, export_docx, to_markdown
    from assistant.drafting.markdown import coverage_lines

    out: Path | None = args.output
    if out is not None:  # refuse a bad output path before spending minutes on the model
        if out.suffix.lower() not in (".docx", ".md"):
            raise BadInput(f"输出文件须以 .docx 或 .md 结尾: {out}")
        if not out.parent.resolve().is_dir():
            raise BadInput(f"输出目录不存在: {out.parent}")
    if args.max_tokens is not None and args.max_tokens < 64:
        raise BadInput("--max-tokens 太小(至少 64),否则每段都会被截断。")
    if args.pdf and (out is None or out.suffix.lower() != ".docx"):
        raise BadInput("--pdf 需要同时用 -o 指定 .docx 输出文件。")
    draft = draft_report(args.org, args.year, library=runtime.library(), model=runtime.chat_model(),
                         material=args.material, peers=args.peer, on_event=_progress(args.stream),
                         max_tokens=args.max_tokens)
    print(f"\n{draft.title}(依据 {draft.previous_report_id},模型 {draft.model})")
    if draft.coverage:
        print("\n不足—措施对照:")
        print("\n".join(coverage_lines(draft)))
    print(f"\n待补充事项 {len(draft.placeholders)} 处:")
    for ph in draft.placeholders:
        print(f"  - {ph}")
    if draft.unused_figures:
        print(f"\n材料中未写入草稿的数字 {len(draft.unused_figures)} 条:")
        for line in draft.unused_figures:
            print(f"  - {line}")
    caught = [(s.heading or "开头", p) for s in draft.sections for p in s.paragraphs if p.foreign_orgs or p.ungrounded]
    if caught:
        print("\n自动拦截:")
        for where, p in caught:
            if p.foreign_orgs:
                print(f"  - {where[:12]}…: 删除其他单位名称 {'、'.join(p.foreign_orgs)}")
            if p.ungrounded:
                print(f"  - {where[:12]}…: 无出处数字 {'、'.join(f.text for f in p.ungrounded)} 已改为待补充")
    if out is None:
        print("\n" + to_markdown(draft))
        return 0
    if out.suffix.lower() == ".docx":
        for warning in export_docx(draft, out):
            print(f"注意: {warning}", file=sys.stderr)
        if args.pdf:
            from assistant.drafting.export_docx import preview_pdf

            print(f"已生成 PDF 预览 {preview_pdf(out, out.parent)}")
    else:
        out.write_text(to_markdown(draft), encoding="utf-8")
    print(f"\n已写入 {out}")
    return 0


def _pick_pair(org: str, earlier_year: int | None, later_file: Path | None, library):
    from assistant.ingest import parse_file

    # The catalog picks the pair; only the two reports compared are decoded.
    own = sorted((e for e in library.catalog() if e.org == org), key=lambda e: e.year)
    if not own:
        raise BadInput(f"库中没有{org}的报告。请先用 assistant ingest 导入。")
    years = "、".join(f"{e.year}年" for e in own)
    if later_file is not None:
        later = parse_file(later_file, overrides={"org": org})
        candidates = [e for e in own if e.year == (earlier_year or later.meta.year - 1)]
        if not candidates:
            raise BadInput(f"库中没有{org}{earlier_year or later.meta.year - 1}年的报告(已有: {years})。")
        return library.get(candidates[0].id), later
    if earlier_year is None:  # (a body with one report is said in one line by cmd_track)
        return library.get(own[-2].id), library.get(own[-1].id)
    by_year = {e.year: e for e in own}
    if earlier_year not in by_year or earlier_year + 1 not in by_year:
        raise BadInput(f"库中没有{org}{earlier_year}年和{earlier_year + 1}年两份报告(已有: {years})。")
    return library.get(by_year[earlier_year].id), library.get(by_year[earlier_year + 1].id)


def cmd_track(args) -> int:
    from assistant import runtime
    from assistant.drafting import track

    library = runtime.library()
    own = sorted(e.year for e in library.catalog() if e.org == args.org)
    if len(own) == 1 and args.earlier is None and args.later_file is None:
        # Not an error: the library simply holds one year of this body. Say so and what would make it work.
        print(f"库中{args.org}只有{own[0]}年度一份报告,没有下一年度的报告可以对照;导入{args.org}{own[0] + 1}年度报告,"
              f"或用 --later-file 指定较晚的报告(如新起草的草稿)后再跟踪。")
        return 1
    earlier, later = _pick_pair(args.org, args.earlier, args.later_file, library)
    rows = track(earlier, later)
    print(f"{earlier.meta.label}的安排 → {later.meta.label}的报告")
    for row in rows:
        title = row.plan.heading or row.plan.text[:30]
        print(f"\n[{row.status_label}] {row.plan.key} {title}(得分 {row.score:.2f})")
        for p in row.passages:
            print(f"    · ({p.score:.2f}) {p.text[:80]}")
        if row.shared:
            print(f"    共同关键词: {'、'.join(row.shared[:10])}")
    counts = {label: sum(r.status_label == label for r in rows) for label in ("已报告", "部分报告", "未提及")}
    print("\n合计: " + ",".join(f"{k} {v} 条" for k, v in counts.items()))
    return 0
