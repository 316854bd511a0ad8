"""A small document model rendered twice: Markdown (summary, Dagster metadata) and one
self-contained HTML page (plots embedded as base64 PNG, no external URL)."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

from bike_pipeline.reporting.document.tables import Rows

STYLE = (
    "body{font-family:sans-serif;max-width:1300px;margin:0.5em auto;color:#222}"
    "h1{font-size:1.4em;margin:0.3em 0}#summary{font-size:13px}"
    "#summary td,#summary th{text-align:left}"
    ".lead p{margin:0.3em 0}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;"
    "text-align:right}th{background:#eee}td:first-child{text-align:left}img{max-width:100%}"
)


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    table: Rows | None = None
    images: list[Path] = field(default_factory=list)
    anchor: str | None = None  # an id for the section's table (the summary: tests find it)


def cell(value: object) -> str:
    """A table cell as text: separators, no trailing zeros on a zero."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and value == 0:
        return "0"
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 10 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def markdown(title: str, sections: list[Section]) -> str:
    out = [f"# {title}", ""]
    for section in sections:
        out += [f"## {section.title}", ""]
        out += [*section.lines, ""] if section.lines else []
        if section.table:
            head = list(section.table[0])
            out.append("| " + " | ".join(head) + " |")
            out.append("|" + "---|" * len(head))
            out += ["| " + " | ".join(cell(r[k]) for k in head) + " |" for r in section.table]
            out.append("")
        out += [f"![{p.stem}]({p.name})" for p in section.images]
        out += [""] if section.images else []
    return "\n".join(out)


def _inline(text: str) -> str:
    """Escape, then the one Markdown feature the lines use: **bold**."""
    parts = html.escape(text.removeprefix("- ")).split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))


def html_page(title: str, sections: list[Section]) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for section in sections:
        if section.anchor:
            out.append(f'<div class="lead" id="{section.anchor}-section">')
        out.append(f"<h2>{html.escape(section.title)}</h2>")
        bullets = [line for line in section.lines if line.startswith("- ")]
        for line in section.lines:
            if not line.startswith("- "):
                out.append(f"<p>{_inline(line)}</p>")
        bullet_list = "<ul>" + "".join(f"<li>{_inline(b)}</li>" for b in bullets) + "</ul>"
        if bullets and not section.anchor:
            out.append(bullet_list)
        if section.table:
            head = list(section.table[0])
            anchor = f' id="{section.anchor}"' if section.anchor else ""
            out.append(
                f"<table{anchor}><tr>"
                + "".join(f"<th>{html.escape(h)}</th>" for h in head)
                + "</tr>"
            )
            for row in section.table:
                cells = "".join(f"<td>{html.escape(cell(row[h]))}</td>" for h in head)
                out.append(f"<tr>{cells}</tr>")
            out.append("</table>")
        if bullets and section.anchor:  # the summary: its table before the sentences
            out.append(bullet_list)
        for image in section.images:
            data = base64.b64encode(image.read_bytes()).decode("ascii")
            out.append(f'<img alt="{html.escape(image.stem)}" src="data:image/png;base64,{data}">')
        if section.anchor:
            out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out)
