"""Eval suites: YAML files of cases, loaded and validated in full before anything runs.

A suite names itself ``name.split.vN`` (``sample-qa.dev.v1``; the split is optional: ``ci-smoke.v1``).
Change a suite's cases and bump its version, so that scores stay comparable.

Every problem in a suite file is reported at once, each naming the file, the case id and the field
(``sample-qa.dev.v1.yaml: 用例 jingyuan-mediation: 字段 expect.contains: …``), so a suite author fixes
all of them in one go instead of one run per typo. Paths in a suite are resolved when it is loaded:
``corpus`` and ``material`` relative to the suite file, a metadata case's ``file`` relative to ``corpus``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.errors import AssistantError
from assistant.types import LEVELS, Part

SUITE_NAME = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?\.v\d+$")
CASE_ID = re.compile(r"^\S+$")


class SuiteError(AssistantError):
    """A suite file that cannot be used; the message lists every problem found."""


class _Strict(BaseModel):
    """Unknown fields are errors: a misspelt assertion (``contain:``) must not silently check nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_list(value: Any) -> Any:
    """Let a single string stand for a one-element list (``chunk_contains: 路灯改造``), and a bare YAML
    number for its text (``contains: [930]`` means the string "930")."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = [value]
    if isinstance(value, list):
        return [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in value]
    return value


class SourceSpec(_Strict):
    """A report a valid citation must point at."""

    org: str
    year: int | None = None
    part: Part | None = None


class FilterSpec(_Strict):
    """An explicit search filter; without one the library infers it from the question."""

    orgs: list[str] | None = None
    years: list[int] | None = None
    levels: list[str] | None = None
    parts: list[Part] | None = None


class QAExpect(_Strict):
    contains: list[str] = Field(default_factory=list, description="every string must appear in the answer")
    any_of: list[str] = Field(default_factory=list, description="at least one must appear")
    not_contains: list[str] = Field(default_factory=list, description="none may appear")
    regex: str | None = Field(None, description="the answer must match this regular expression")
    sources: list[SourceSpec] = Field(default_factory=list, description="each needs a matching valid citation")
    grounded_numbers: bool = Field(False, description="every figure in the answer is in the cited evidence")
    refuses: bool | None = Field(None, description="true: refusal phrase and no figure; false: must not refuse")
    valid_citations: bool = Field(False, description="the model invented no evidence ids")

    @field_validator("contains", "any_of", "not_contains", mode="before")
    @classmethod
    def one_or_many(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("regex")
    @classmethod
    def regex_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"正则表达式无效: {exc}") from exc
        return value

    @model_validator(mode="after")
    def checks_something(self) -> QAExpect:
        if not self.model_dump(exclude_defaults=True):
            raise ValueError("expect 里没有任何断言")
        if self.refuses and (self.contains or self.any_of or self.sources or self.grounded_numbers):
            raise ValueError("refuses: true 不能与 contains/any_of/sources/grounded_numbers 同用")
        return self


class RetrievalExpect(_Strict):
    in_top_k: int = Field(ge=1, description="a matching chunk must rank within the first k hits")
    chunk_contains: list[str] = Field(default_factory=list, description="all must appear in that one chunk")
    org: str | None = None
    year: int | None = None
    part: Part | None = None

    @field_validator("chunk_contains", mode="before")
    @classmethod
    def one_or_many(cls, value: Any) -> Any:
        return _as_list(value)

    @model_validator(mode="after")
    def identifies_a_chunk(self) -> RetrievalExpect:
        if not (self.chunk_contains or self.org or self.part):
            raise ValueError("需要 chunk_contains、org 或 part 中至少一项来认定相关段落")
        return self


class MetadataExpect(_Strict):
    org: str | None = None
    level: str | None = None
    year: int | None = None
    title: str | None = None
    shortcomings: int | None = Field(None, ge=0, description="number of 不足 items")
    causes: int | None = Field(None, ge=0, description="number of 原因 items")
    plans: int | None = Field(None, ge=0, description="number of 安排 items")
    parts: list[Part] = Field(default_factory=list, description="parts the structure must have found")
    refusal_ok: bool = Field(False, description="a refusal (BadInput: body or year not named) also passes; a wrong value never does")

    @field_validator("level")
    @classmethod
    def known_level(cls, value: str | None) -> str | None:
        if value is not None and value not in LEVELS:
            raise ValueError(f"级别必须是 {'、'.join(LEVELS)} 之一")
        return value

    @model_validator(mode="after")
    def checks_something(self) -> MetadataExpect:
        if not self.model_dump(exclude_defaults=True):
            raise ValueError("expect 里没有任何断言")
        return self


class DraftExpect(_Strict):
    # What a reviewer would strike (assistant/drafting/review.py): true = no paragraph (heading, section) of
    # the finished draft where that check still finds something. Names are the checks' own names.
    nested_placeholder: bool = False
    source_talk: bool = False
    material_heading: bool = False
    echoed_heading: bool = False
    prompt_wording: bool = False
    copied_sentence: bool = False
    repeated_clause: bool = False
    marker_sequence: bool = False
    self_reference: bool = False
    org_name_repeats: bool = False
    vague_quantity: bool = False
    figure_gap: bool = False
    halfwidth_punct: bool = False
    item_heading: bool = False
    empty_section: bool = False
    material_figures: bool = Field(False, description="every material figure is in the draft or listed as unused")
    covers_shortcomings: bool = Field(False, description="every shortcoming of last year has a measure")
    no_foreign_orgs: bool = Field(False, description="no other body in the library is named in the draft")
    grounded_numbers: bool = Field(False, description="every figure is in last year's report, material or peers")
    sections: list[Part] = Field(default_factory=list, description="parts the draft must have, non-empty")
    min_chars: int | None = Field(None, ge=1)
    contains: list[str] = Field(default_factory=list)
    not_contains: list[str] = Field(default_factory=list)

    @field_validator("contains", "not_contains", mode="before")
    @classmethod
    def one_or_many(cls, value: Any) -> Any:
        return _as_list(value)

    @model_validator(mode="after")
    def checks_something(self) -> DraftExpect:
        if not self.model_dump(exclude_defaults=True):
            raise ValueError("expect 里没有任何断言")
        return self


class _Case(_Strict):
    id: str
    tags: list[str] = Field(default_factory=list)
    note: str = ""

    @field_validator("id")
    @classmethod
    def id_shape(cls, value: str) -> str:
        if not CASE_ID.match(value):
            raise ValueError("用例 id 不能为空或含空白")
        return value


class QACase(_Case):
    kind: Literal["qa"]
    question: str = Field(min_length=1)
    filter: FilterSpec | None = None
    expect: QAExpect


class RetrievalCase(_Case):
    kind: Literal["retrieval"]
    question: str = Field(min_length=1)
    filter: FilterSpec | None = None
    expect: RetrievalExpect


class MetadataCase(_Case):
    kind: Literal["metadata"]
    file: Path  # resolved to an absolute path by load_suite
    expect: MetadataExpect


class DraftCase(_Case):
    kind: Literal["draft"]
    org: str = Field(min_length=1)
    year: int = Field(ge=2000, le=2100)
    material: list[Path] = Field(default_factory=list)  # resolved to absolute paths by load_suite
    peers: list[str] | None = Field(None, description="peer report refs (泾源县-2024); None = drafting's choice")
    expect: DraftExpect

    @field_validator("material", mode="before")
    @classmethod
    def one_or_many(cls, value: Any) -> Any:
        return _as_list(value)


Case = QACase | RetrievalCase | MetadataCase | DraftCase
CASE_MODELS: dict[str, type[_Case]] = {
    "qa": QACase,
    "retrieval": RetrievalCase,
    "metadata": MetadataCase,
    "draft": DraftCase,
}


class Suite(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    path: Path
    description: str = ""
    corpus: Path | None = None  # absolute; None = use the configured library
    cases: list[Case]  # type: ignore[valid-type]

    @property
    def version(self) -> str:
        return self.name.rsplit(".", 1)[-1]


SUITE_KEYS = {"name", "description", "corpus", "cases"}


def load_suite(path: str | Path) -> Suite:
    """Read and validate one suite file; raise SuiteError listing every problem (file, case, field)."""
    path = Path(path)
    label = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SuiteError(f"{path}: 评测集文件不存在") from None
    except UnicodeDecodeError:
        raise SuiteError(f"{path}: 不是 UTF-8 文本") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else "某处"
        problem = getattr(exc, "problem", None) or str(exc)
        raise SuiteError(f"{label}: YAML 格式错误({where}): {problem}") from None

    problems: list[str] = []
    if not isinstance(raw, dict):
        raise SuiteError(f"{label}: 顶层必须是包含 name 与 cases 的映射")
    for key in sorted(set(raw) - SUITE_KEYS, key=str):
        problems.append(f"{label}: 字段 {key}: 未知字段(可用: {', '.join(sorted(SUITE_KEYS))})")

    name = raw.get("name")
    if not isinstance(name, str) or not SUITE_NAME.match(name):
        problems.append(f"{label}: 字段 name: 需要形如 sample-qa.dev.v1 的名称(名称.划分.v版本),实际为 {name!r}")

    corpus = None
    if raw.get("corpus") is not None:
        corpus = (path.parent / str(raw["corpus"])).resolve()
        if not corpus.exists():
            problems.append(f"{label}: 字段 corpus: 路径不存在: {corpus}")

    cases_raw = raw.get("cases")
    cases: list[Any] = []
    if not isinstance(cases_raw, list) or not cases_raw:
        problems.append(f"{label}: 字段 cases: 需要至少一个用例的列表")
        cases_raw = []
    seen: set[str] = set()
    for number, item in enumerate(cases_raw, start=1):
        case, case_problems = _load_case(item, number, label, path.parent, corpus)
        problems.extend(case_problems)
        if case is not None:
            if case.id in seen:
                problems.append(f"{label}: 用例 {case.id}: 字段 id: 与前面的用例重复")
            seen.add(case.id)
            cases.append(case)

    if problems:
        raise SuiteError(f"评测集 {path} 有 {len(problems)} 处错误:\n" + "\n".join(f"  - {p}" for p in problems))
    return Suite(name=name, path=path.resolve(), description=str(raw.get("description") or ""), corpus=corpus, cases=cases)


def _load_case(item: Any, number: int, label: str, suite_dir: Path, corpus: Path | None) -> tuple[Any, list[str]]:
    if not isinstance(item, dict):
        return None, [f"{label}: 第 {number} 个用例: 必须是映射(id、kind、expect …)"]
    case_label = f"用例 {item['id']}" if isinstance(item.get("id"), str) and item["id"] else f"第 {number} 个用例"
    kind = item.get("kind")
    model = CASE_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        return None, [f"{label}: {case_label}: 字段 kind: 未知类型 {kind!r}(可用: {' | '.join(CASE_MODELS)})"]
    try:
        case = model.model_validate(item)
    except ValidationError as exc:
        return None, [f"{label}: {case_label}: 字段 {_loc(e['loc'])}: {_message(e)}" for e in exc.errors()]

    problems: list[str] = []
    if isinstance(case, MetadataCase):
        base = corpus or suite_dir
        file = case.file if case.file.is_absolute() else (base / case.file).resolve()
        if not file.is_file():
            problems.append(f"{label}: {case_label}: 字段 file: 文件不存在: {file}")
        case = case.model_copy(update={"file": file})
    elif isinstance(case, DraftCase):
        material = [m if m.is_absolute() else (suite_dir / m).resolve() for m in case.material]
        problems += [f"{label}: {case_label}: 字段 material: 文件不存在: {m}" for m in material if not m.is_file()]
        case = case.model_copy(update={"material": material})
    return case, problems


def _loc(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(整体)"


_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段",
    "int_parsing": "需要整数",
    "int_type": "需要整数",
    "bool_parsing": "需要 true 或 false",
    "bool_type": "需要 true 或 false",
    "string_type": "需要字符串",
    "list_type": "需要列表",
    "enum": "取值无效",
}


def _message(error: dict) -> str:
    text = _MESSAGES.get(error["type"])
    if error["type"] == "enum":
        text = f"取值无效({error['ctx'].get('expected', '')})"
    if text is None:
        text = str(error["msg"]).removeprefix("Value error, ")
    return text
