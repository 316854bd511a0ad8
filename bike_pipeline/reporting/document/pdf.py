"""`report.pdf`: the report's sections as A4 pages, drawn with matplotlib's PdfPages.

matplotlib is already a dependency and writes PDF without a browser or a system library; the
text is embedded as TrueType (fonttype 42), so `pdftotext` and a reader's search find it. The
summary fills the first page alone (the page break after it); each later section starts a
page, its images follow one per page.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from bike_pipeline.reporting.document.page import Section, cell  # noqa: E402

A4_LANDSCAPE = (11.69, 8.27)
LINE = 0.022  # a text line, in figure heights
WIDTH = 150  # characters a line
TABLE_ROWS = 30  # a longer table is cut on paper; its CSV beside the report holds it all


class _Page:
    """One page written top-down; `room` says whether a block still fits."""

    def __init__(self, pdf: PdfPages) -> None:
        self.pdf = pdf
        self.figure = plt.figure(figsize=A4_LANDSCAPE)
        self.y = 0.95

    def text(self, line: str, size: float = 9, bold: bool = False) -> None:
        self.figure.text(0.04, self.y, line, fontsize=size, weight="bold" if bold else "normal")
        self.y -= LINE * size / 9

    def room(self, lines: int) -> bool:
        return self.y - lines * LINE > 0.04

    def close(self) -> None:
        self.pdf.savefig(self.figure)
        plt.close(self.figure)


def _plain(line: str) -> str:
    return (
        line.replace("**", "").replace("- ", "\u2022 ", 1)
        if line.startswith("- ")
        else (line.replace("**", ""))
    )


def _table(page: _Page, rows: list[dict[str, object]], summary: bool) -> None:
    """The rows as a ruled table, each row as tall as its most-wrapped cell."""
    head = list(rows[0])
    shown = rows[:TABLE_ROWS]
    wrap = 21 if summary else 16
    size = 8 if summary else 7
    labels = ["\n".join(textwrap.wrap(h, wrap)) for h in head]
    text = [["\n".join(textwrap.wrap(cell(r[h]), wrap)) for h in head] for r in shown]
    line_pts = size * 1.45
    heights = [max(t.count("\n") + 1 for t in row) * line_pts + 4 for row in [labels, *text]]
    total = sum(heights) / (A4_LANDSCAPE[1] * 72)  # in figure heights
    height = min(page.y - 0.05, total)
    axis = page.figure.add_axes((0.04, page.y - height, 0.92, height))
    axis.axis("off")
    table = axis.table(cellText=text, colLabels=labels, loc="upper left", cellLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(size)
    for (row, _column), box in table.get_celld().items():
        box.set_height(heights[row] / sum(heights))
        box.set_width(1 / len(head))
        box.get_text().set_verticalalignment("center")
    page.y -= height + 0.02
    if len(rows) > TABLE_ROWS:
        page.text(f"(first {TABLE_ROWS} of {len(rows)} rows; all in the CSV file)", 8)


def write_pdf(title: str, sections: list[Section], path: Path) -> Path:
    with (
        matplotlib.rc_context({"pdf.fonttype": 42}),
        PdfPages(path, metadata={"Title": title}) as pdf,
    ):
        for index, section in enumerate(sections):
            page = _Page(pdf)
            if index == 0:
                page.text(title, 14, bold=True)
            page.text(section.title, 12, bold=True)
            lines = [w for line in section.lines for w in textwrap.wrap(_plain(line), WIDTH)]
            paragraphs = [line for line in section.lines if not line.startswith("- ")]
            if section.table and section.anchor:  # the summary: table after its lead lines
                for line in paragraphs:
                    for wrapped in textwrap.wrap(_plain(line), WIDTH):
                        page.text(wrapped)
                _table(page, section.table, summary=True)
                lines = [
                    w
                    for line in section.lines
                    if line.startswith("- ")
                    for w in textwrap.wrap(_plain(line), WIDTH)
                ]
            for line in lines:
                if not page.room(1):
                    page.close()
                    page = _Page(pdf)
                page.text(line)
            if section.table and not section.anchor:
                if not page.room(8):
                    page.close()
                    page = _Page(pdf)
                _table(page, section.table, summary=False)
            page.close()
            for image in section.images:
                figure = plt.figure(figsize=A4_LANDSCAPE)
                axis = figure.add_axes((0.02, 0.02, 0.96, 0.9))
                axis.imshow(mpimg.imread(image))
                axis.axis("off")
                figure.text(0.04, 0.95, section.title, fontsize=12, weight="bold")
                pdf.savefig(figure)
                plt.close(figure)
    return path
