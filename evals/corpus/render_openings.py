#!/usr/bin/env python3
"""Synthetic report heads from the facts in openings.tsv, their metadata suites, and a tally.

openings.tsv records facts only (no page text). For each row this writes a short report head in our own
words that carries exactly those facts — the site/menu lines of a web page, the page's information
table (meta_fields), the letterhead and the title as printed, an opening sentence built from
opening_form + lead_superiors + opening_name (with the year where year_src says the opening had it),
a neutral section of generic content, and the signature — so the ingest rules can be measured on the
forms real bodies use without storing what they wrote.

    python evals/corpus/render_openings.py            # write openings/NNN.txt and the two suites
    python evals/corpus/render_openings.py --check    # fail when they are out of date
    python evals/corpus/render_openings.py measure [--half fit|held|all] [--show]

Halves: odd row numbers are the fit half (rules may be looked at and tuned on them), even row numbers the
held half (measured only). A row whose body is known only from the site, or only from the body text
the excerpt did not show, cannot be named from the rendered head: there a refusal is the right outcome
(``refusal_ok``) and is counted apart; a wrong body never passes.
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
TSV = HERE / "openings.tsv"
OUT = HERE / "openings"
SUITES = HERE.parent / "suites"
SUITE_NAMES = {"fit": "openings-fit.dev.v1", "held": "openings-held.dev.v1"}
NAME_SOURCES = ("title", "letterhead", "meta", "opening", "signature", "filename")
PROJECT_LEVELS = ("县/区", "部门", "镇", "乡", "街道")  # assistant.types.LEVELS (市 = prefecture city is not one)

GENERIC = (
    "{h1}主要举措和成效",
    "{p1}加强组织领导，压实法治建设责任",
    "把法治政府建设列入年度重点工作，制定工作要点，明确任务分工和完成时限，定期听取工作进展情况汇报。",
    "{p2}规范行政执法，提升依法行政水平",
    "全面落实行政执法公示、执法全过程记录、重大执法决定法制审核制度，开展执法案卷评查，执法行为进一步规范。",
)


def rows() -> list[dict]:
    with TSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def half_of(number: int) -> str:
    return "fit" if number % 2 else "held"


def sources(value: str) -> set[str]:
    return {s for s in value.split("|") if s}


def refusal_ok(row: dict) -> bool:
    """The body cannot be named from what the head shows: body_src names no source besides the site, or
    no shown fact spells the body out in full (区教育局 with the district only in the site or in text the
    excerpt did not show; 人社局 for 人力资源和社会保障局). The peoples' names of an autonomous county or an
    ethnic township may be left out (石柱土家族自治县 spells 石柱县)."""
    if not sources(row["body_src"]) & set(NAME_SOURCES):
        return True
    facts = " ".join(row[k] for k in ("title", "letterhead", "meta_fields", "opening_name", "signature", "filename"))
    return _without_peoples(_simplified(row["body"])) not in _without_peoples(_simplified(facts))


def _without_peoples(text: str) -> str:
    return re.sub(r"(?<=[\u4e00-\u9fff]{2})(?:[\u4e00-\u9fff]{1,4}?族)+(?:自治)?(?=[县旗乡镇区])", "", text)


# traditional → simplified for the characters of names in openings.tsv (a fixed table: what is compared must
# not depend on the code being measured)
_T2S = str.maketrans(
    "縣鎮區東張遠門農資鄉國華陽陰開關黨員會業設設範權處義務員體區廣東財產衛將灣號",
    "县镇区东张远门农资乡国华阳阴开关党员会业设设范权处义务员体区广东财产卫将湾号",
)


def _simplified(text: str) -> str:
    return text.translate(_T2S).replace(" ", "").replace("\u3000", "")


def _punct(number: int) -> tuple[str, str]:
    """Comma and colon: full-width on most rows, ASCII on every third (pages mix both)."""
    return (",", ":") if number % 3 == 0 else ("，", "：")


def render(number: int, row: dict) -> str:
    comma, colon = _punct(number)
    year = row["year"]
    year_in_opening = "opening" in sources(row["year_src"])
    lines: list[str] = []
    web = bool(row["meta_fields"]) or "site" in sources(row["body_src"]) | sources(row["year_src"])
    if web:
        site = _site_name(row)
        lines.append(f"{site} | 首页 | 政务公开 | 政务服务 | 互动交流")
        lines.append(f"当前位置{colon}首页 > 政务公开 > 法治政府建设")
    fields = [f.split("=", 1) for f in row["meta_fields"].split(";") if "=" in f]
    for k in range(0, len(fields), 2):
        lines.append("\u3000\u3000".join(f"{label}{colon}{value}" for label, value in fields[k:k + 2]))
    title_lines = [t.strip() for t in row["title"].split(" / ") if t.strip()]
    letterhead = [t.strip() for t in row["letterhead"].split(" / ") if t.strip()]
    if letterhead and not all(any(h.replace(" ", "") in t.replace(" ", "") for t in title_lines) for h in letterhead):
        lines += letterhead
    lines += title_lines
    lines += _opening(row, year if year_in_opening else "", comma, colon)
    marks = ("一、", "（一）", "（二）") if number % 2 else ("一、", "(一)", "(二)")
    lines += [g.format(h1=marks[0], p1=marks[1], p2=marks[2]) for g in GENERIC]
    if row["signature"]:
        name, _, signed = row["signature"].partition("@")
        lines.append(name)
        if signed:
            y, m, d = signed.split("-")
            lines.append(f"{y}年{int(m)}月{int(d)}日")
    return "\n".join(lines) + "\n"


def _site_name(row: dict) -> str:
    """The site header: where the facts say the site names the body's place, that place's portal (the
    parser must not take a site line for the author); otherwise a neutral portal name."""
    if "site" in sources(row["body_src"]):
        department = re.match(r"^(.{2,}?(?:自治县|县|区|市|旗))(?=.*(?:局|委员会|委|办公室|办)$)", row["body"])
        return f"{department.group(1) if department else row['body']}人民政府门户网站"
    return "政府信息公开平台"


def _addressee(row: dict) -> str:
    if row["lead_superiors"]:
        return row["lead_superiors"]
    return "市委、市政府" if row["level"] in ("县/区", "市") else "县委、县政府"


def _opening(row: dict, year: str, comma: str, colon: str) -> list[str]:
    """The opening paragraph(s) in our own words, shaped by opening_form."""
    name, form, lead = row["opening_name"], row["opening_form"], row["lead_superiors"] or "上级党委、政府"
    work = f"坚持以习近平新时代中国特色社会主义思想为指导{comma}深入学习贯彻习近平法治思想{comma}扎实推进依法行政各项工作。"
    report = f"现将{year + '年度' if year else '有关'}法治政府建设情况报告如下{colon}"
    y = f"{year}年{comma}" if year else ""
    if not name:
        return [] if form in ("other", "theme") and not year else [report]
    if form == "year_body":
        return [f"{y}{name}{work}{report}"]
    if form == "year_lead_body":
        return [f"{y}在{lead}的坚强领导下{comma}{name}{work}{report}"]
    if form == "lead_body":
        return [f"在{lead}的正确领导下{comma}{name}{work}{report}"]
    if form == "basis":  # the basis clause, then the body: in the 现将… sentence, or as the subject
        basis = f"根据《法治政府建设与责任落实督察工作规定》要求{comma}"
        if year and len(name) % 2:
            return [f"{basis}现将{name}{year}年度法治政府建设情况报告如下{colon}"]
        return [f"{basis}{y}{name}{work}{report}"]
    if form == "xianjiang":
        return [f"现将{name}{year + '年度' if year else ''}法治政府建设情况报告如下{colon}"]
    if form == "addressee":
        return [f"{_addressee(row)}{colon}", f"{y}{name}{work}{report}"]
    if form == "theme":
        first = f"{year}年是全面贯彻落实党的二十大精神的关键之年。" if year else "法治政府建设是全面依法治国的重点任务和主体工程。"
        return [f"{first}{name}{work}现将有关情况报告如下{colon}"]
    # other: opens with the body name, no year of its own ("一年来" and the like)
    return [f"{name}{work.rstrip('。')}{comma}一年来法治政府建设取得新进展。{report}"]


def suite(half: str, numbered: list[tuple[int, dict]]) -> dict:
    cases = []
    for number, row in numbered:
        expect: dict = {"org": row["body"], "year": int(row["year"])}
        note = f"{row['opening_form']}; body from {row['body_src'] or '(text only)'}"
        if row["level"] in PROJECT_LEVELS:
            expect["level"] = row["level"]
        else:
            note += f"; level {row['level']} is not one of the project's levels, not checked"
        if refusal_ok(row):
            expect["refusal_ok"] = True
            note += "; refusal is right (body not in the shown facts)"
        cases.append({"id": f"opening-{number:03d}", "kind": "metadata", "file": f"../corpus/openings/{number:03d}.txt",
                      "note": note, "expect": expect})
    return {
        "name": SUITE_NAMES[half],
        "description": (
            f"openings.tsv 的{'拟合' if half == 'fit' else '留出'}一半(行号为{'奇' if half == 'fit' else '偶'}数):"
            "由事实生成的报告开头(render_openings.py),检查单位、级别、年度;只有网站才知道单位的行,拒绝也算对。"
        ),
        "cases": cases,
    }


def outputs() -> dict[Path, str]:
    table = rows()
    files = {OUT / f"{n:03d}.txt": render(n, row) for n, row in enumerate(table, start=1)}
    for half in ("fit", "held"):
        numbered = [(n, row) for n, row in enumerate(table, start=1) if half_of(n) == half]
        text = "# generated by evals/corpus/render_openings.py from openings.tsv; do not edit\n"
        text += yaml.safe_dump(suite(half, numbered), allow_unicode=True, sort_keys=False, width=200)
        files[SUITES / f"{SUITE_NAMES[half]}.yaml"] = text
    return files


def write(check: bool) -> int:
    stale = []
    for path, text in outputs().items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if check and stale:
        print("out of date: " + ", ".join(str(p.relative_to(HERE.parent.parent)) for p in stale))
        return 1
    print(f"{'checked' if check else 'wrote'} {len(outputs())} files")
    return 0


def measure(half: str, show: bool) -> int:
    """right / refused where that is right / refused elsewhere / WRONG, per half, straight through parse_file."""
    from assistant.errors import BadInput
    from assistant.ingest import parse_file

    tally: dict[str, dict[str, int]] = {}
    for number, row in enumerate(rows(), start=1):
        h = half_of(number)
        if half not in ("all", h):
            continue
        counts = tally.setdefault(h, dict.fromkeys(("right", "refused_ok", "refused", "wrong"), 0))
        try:
            meta = parse_file(OUT / f"{number:03d}.txt").meta
        except BadInput as exc:
            outcome = "refused_ok" if refusal_ok(row) else "refused"
            detail = str(exc)
        else:
            level_ok = row["level"] not in PROJECT_LEVELS or meta.level == row["level"]
            same = _simplified(meta.org) == _simplified(row["body"]) and level_ok and meta.year == int(row["year"])
            outcome = "right" if same else "wrong"
            detail = f"{meta.org} {meta.level} {meta.year} (truth {row['body']} {row['level']} {row['year']})"
        counts[outcome] += 1
        if show and outcome not in ("right", "refused_ok"):
            print(f"{number:03d} {h:4} {outcome:8} {detail}")
    for h, counts in sorted(tally.items()):
        n = sum(counts.values())
        good = counts["right"] + counts["refused_ok"]
        print(f"{h:4}: {n} rows · right {counts['right']} · refused (right to) {counts['refused_ok']} · "
              f"refused {counts['refused']} · WRONG {counts['wrong']} · right-or-rightly-refused {good / n:.1%}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that the generated files are current")
    sub = parser.add_subparsers(dest="command")
    m = sub.add_parser("measure", help="tally right/refused/WRONG per half through parse_file")
    m.add_argument("--half", choices=("fit", "held", "all"), default="all")
    m.add_argument("--show", action="store_true", help="list the rows that are not right")
    args = parser.parse_args(argv)
    if args.command == "measure":
        return measure(args.half, args.show)
    return write(args.check)


if __name__ == "__main__":
    raise SystemExit(main())
