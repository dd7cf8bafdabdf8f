"""The report draft as a Word document (python-docx): headings as Word headings, the tallies as
Word tables, the warnings in red, and every piece of Japanese text in an East Asian font.

Word picks the font of Japanese characters from the run's ``w:eastAsia`` font (rPr/rFonts),
not from ``font.name``, which covers Latin text only: both are set, on the styles used and on
every run, so the document reads the same whatever the template's theme fonts are.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .report import Draft

__all__ = ["WARNING_RED", "write_docx"]

WARNING_RED = RGBColor(0xC0, 0x00, 0x00)


def _east_asian(element_with_rpr, font: str) -> None:
    """Set the Latin and the East Asian font of a style's or a run's properties."""
    rpr = element_with_rpr.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), font)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the named one


def _run(paragraph, text: str, font: str, *, bold: bool = False, red: bool = False, size: float | None = None):
    run = paragraph.add_run(text)
    _east_asian(run._r, font)
    run.bold = bold or None
    if red:
        run.font.color.rgb = WARNING_RED
    if size:
        run.font.size = Pt(size)
    return run


def _styles(document, body: str, heading: str) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    _east_asian(normal.element, body)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        style = styles[name]
        _east_asian(style.element, heading)
        style.font.color.rgb = RGBColor(0, 0, 0)
    for name in ("Table Grid", "List Bullet"):
        _east_asian(styles[name].element, body)


def _table(document, rows, font: str) -> None:
    columns = len(rows[0])
    table = document.add_table(rows=len(rows), cols=columns)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # The label column takes what the figures leave of the page's 16 cm.
    figure = 2.2 if columns <= 4 else min(3.0, 12.0 / (columns - 1))
    widths = [Cm(16 - figure * (columns - 1))] + [Cm(figure)] * (columns - 1)
    for column, width in zip(table.columns, widths):
        column.width = width  # the grid: LibreOffice reads this, Word the cells' widths
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            cell.width = widths[c]
            paragraph = cell.paragraphs[0]
            if c and r:  # numbers to the right, as the workbook shows them
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, text, font, bold=r == 0 or r == len(rows) - 1 and c == 0, size=9)


def write_docx(draft: Draft, path: Path) -> None:
    phrases = draft.phrases
    body = phrases.setting("body_font")
    heading = phrases.setting("heading_font")
    document = Document()
    _styles(document, body, heading)
    for block in draft.blocks:
        kind, text = block.kind, block.text
        if kind == "title":
            _run(document.add_heading(level=0), text, heading)
        elif kind == "warning_heading":
            _run(document.add_paragraph(), "⚠ " + text, heading, bold=True, red=True)
        elif kind == "warning":
            _run(document.add_paragraph(style="List Bullet"), text, body, red=True)
        elif kind == "heading":
            _run(document.add_heading(level=2), text, heading)
        elif kind == "table":
            _table(document, block.rows, body)
            document.add_paragraph()
        elif kind == "quote_heading":
            _run(document.add_paragraph(), text, heading, bold=True)
        elif kind == "quote":
            paragraph = document.add_paragraph(style="List Bullet")
            lines = text.split("\n")
            for i, line in enumerate(lines):
                run = _run(paragraph, line, body)
                if i < len(lines) - 1:
                    run.add_break()
        else:
            _run(document.add_paragraph(), text, body, size=9 if kind == "note" else None)
    document.save(str(path))
