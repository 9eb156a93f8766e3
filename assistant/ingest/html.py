"""Article text from a government web page: the element holding most of the report, not the navigation.

Readability-style: every paragraph credits its non-link text to its parent (and half to the
grandparent); the best-credited container is the article. The page title and publish date live
outside the article on most 政府网站 templates, so they are taken from ``<meta>``/``<h1>`` and put
in front as ordinary lines; ``cleaning`` then treats them like those of a copied .txt page.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from assistant.errors import BadInput

_DROP_TAGS = ("script", "style", "noscript", "iframe", "form", "nav", "header", "footer", "aside", "select", "button")
_NAV_HINT = re.compile(r"nav|menu|footer|header|breadcrumb|crumb|share|sidebar|toolbar|topbar|links|copyright|foot", re.I)
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "table", "tr", "td", "th", "tbody",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "center", "dd", "dt", "dl", "body",
}
_PARAGRAPH_TAGS = ("p", "h2", "h3", "h4", "li", "td", "pre")


def html_to_text(markup: str, name: str) -> str:
    soup = BeautifulSoup(markup, "lxml")
    fields = _info_table(soup)
    title = _meta(soup, "ArticleTitle") or _first_text(soup, "h1") or _first_text(soup, "title")
    published = _meta(soup, "PubDate") or _meta(soup, "pubdate") or _meta(soup, "publishdate")
    if not published:  # "发布时间:2025-03-01" in the page furniture, outside the article
        shown = re.search(r"发布(?:日期|时间)\s*[:：]?\s*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})", soup.get_text(" "))
        published = "-".join(shown.groups()) if shown else ""
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("body", "html"):
            continue
        marks = " ".join([*(tag.get("class") or []), tag.get("id") or ""])
        if marks.strip() and _NAV_HINT.search(marks) and not _looks_like_article(tag):
            tag.decompose()
    container = _best_container(soup)
    if container is None:
        raise BadInput(f"{name}: 网页中没有找到正文文字")
    body_text = "\n".join(line for line in _block_lines(container) if line)
    if not body_text.strip():
        raise BadInput(f"{name}: 网页中没有找到正文文字")
    head: list[str] = []
    if title and title.strip() not in [line.strip() for line in body_text.split("\n")[:5]]:
        head.append(title.strip())
    if published and (date := re.search(r"\d{4}-\d{1,2}-\d{1,2}", published)):
        head.append(f"发布日期:{date.group()}")
    head += [f"{label}:{value}" for label, value in fields.items() if label not in ("发布日期", "发布时间")]
    return "\n".join([*head, body_text])


def _info_table(soup: BeautifulSoup) -> dict[str, str]:
    """The page's information table (索引号 | 发布机构 | 成文日期 …) as label → value. It sits outside the
    article; its 发布机构/来源 may be the only place the reporting body is named. Cells: a label cell
    followed by its value cell, or one cell "发布机构：…"."""
    from assistant.ingest.cleaning import FIELD_LABELS, page_fields

    out: dict[str, str] = {}
    for row in soup.find_all("tr"):
        cells = [" ".join(c.get_text(" ").split()) for c in row.find_all(("th", "td"), recursive=False)]
        for k, cell in enumerate(cells):
            label = re.sub(r"[\s:：]", "", cell)
            if label in FIELD_LABELS and k + 1 < len(cells) and cells[k + 1]:
                out.setdefault(label, cells[k + 1])
    for tag in soup.find_all(("li", "p", "span", "div", "td")):
        text = " ".join(tag.get_text(" ").split())
        if len(text) <= 120 and re.match(r"\S{1,8}\s*[:：]", text):
            for label, value in page_fields(text).items():
                out.setdefault(label, value)
    return out


def _meta(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"name": name})
    return (tag.get("content") or "").strip() if tag else ""


def _first_text(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find(name)
    return " ".join(tag.get_text(" ").split()) if tag else ""


def _looks_like_article(tag: Tag) -> bool:
    """Some templates put the article inside a div whose class says 'content-header' or similar."""
    return len(_own_text(tag)) > 500 and len(tag.find_all("p")) >= 3


def _own_text(tag: Tag) -> str:
    return "".join(s for s in tag.find_all(string=True) if not _inside_link(s))


def _inside_link(node) -> bool:
    return any(p.name == "a" for p in node.parents if isinstance(p, Tag))


def _best_container(soup: BeautifulSoup) -> Tag | None:
    """Each run of non-link text credits the element holding its paragraph: the parent of a <p>/<li>/…, or
    a <div>/<td> that holds text directly between <br>s; the grandparent gets half. Most credit wins."""
    credit: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for node in soup.find_all(string=True):
        if type(node) is not NavigableString or _inside_link(node) or len(node.strip()) < 10:
            continue
        block = node.parent
        while isinstance(block, Tag) and block.name not in _BLOCK_TAGS:
            block = block.parent
        if not isinstance(block, Tag):
            continue
        holder = block.parent if block.name in _PARAGRAPH_TAGS and block.name != "td" else block
        for weight in (1.0, 0.5):
            if not isinstance(holder, Tag):
                break
            credit[id(holder)] = credit.get(id(holder), 0.0) + weight * len(node.strip())
            tags[id(holder)] = holder
            holder = holder.parent
    if credit:
        return tags[max(credit, key=credit.get)]
    return soup.body or soup


def _data_row(row: Tag) -> list[str] | None:
    """The cells of a table row that holds data (指标 | 2024年 | 2023年), or None for a layout row whose
    cell holds the article itself (paragraphs, <br> breaks, long text)."""
    cells = row.find_all(("td", "th"), recursive=False)
    if not cells or any(c.find(("p", "div", "br", "table", "li")) for c in cells):
        return None
    texts = [" ".join(c.get_text(" ").split()) for c in cells]
    return texts if all(len(t) <= 100 for t in texts) else None


def _block_lines(tag: Tag) -> list[str]:
    """Text with a line break at every block element and <br>, inline elements kept in their line."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = " ".join("".join(current).split()) if current else ""
        if line:
            lines.append(line)
        current.clear()

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not comments, CDATA, doctype
                    current.append(str(child))
            elif isinstance(child, Tag):
                if child.name == "tr" and (cells := _data_row(child)) is not None:
                    flush()
                    lines.append("\t".join(cells))  # a table row stays one line, like a .docx table row
                elif child.name == "br":
                    flush()
                elif child.name in _BLOCK_TAGS:
                    flush()
                    walk(child)
                    flush()
                else:
                    walk(child)

    walk(tag)
    flush()
    return lines
