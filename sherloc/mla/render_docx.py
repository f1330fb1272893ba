"""Lay out an assembled request (sherloc.mla.document.Document) as an editable Word document (DOCX).

The layout is that of a formal request ready for editing and signature: marks (CONFIDENTIAL, URGENT) at
the top, the header lines (reference, date, from, to), the title centred, one real "Heading 1" per section
(Word's navigation pane lists them), labelled values as a bold label over the value, repeated groups
(Entry) as a bordered two-column table under a bold caption, and the closing fields over a signature line.
A4 page, "page / pages" in the footer.

Language: w:lang of the document defaults and styles names the document's language (w:eastAsia="zh-CN" and
w:bidi="ar-SA" so Chinese and Arabic passages in any document are checked as such), and the fonts are set
per script (w:rFonts ascii/hAnsi for Latin and Cyrillic, eastAsia for Chinese, cs for Arabic). Fonts are
not embedded: they are common faces Word has or substitutes. A right-to-left document has w:bidi on every
paragraph and on the section, bidiVisual tables, and w:rtl on every run but those holding Latin, Cyrillic or
Chinese words (direction_runs cuts the text into runs by direction); no w:jc is written for its
start-aligned paragraphs, since Word reads w:jc left/right as start/end in a w:bidi paragraph, so they sit
flush right.

Text is stored as given (python-docx escapes XML); characters XML 1.0 forbids (control characters other
than tab and newline, lone surrogates, U+FFFE/U+FFFF) are dropped rather than let lxml raise.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run
from lxml import etree

from sherloc.mla.document import Document, Entry, Field, Paragraph

# Control characters other than tab, newline and carriage return, lone surrogates and the two non-characters
# XML 1.0 excludes.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SIGNATURE_LINE = "_" * 40
# The w:pPr children that follow w:bidi in CT_PPr's sequence.
_AFTER_BIDI = (
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def clean_text(text: str) -> str:
    """The text without the characters XML 1.0 forbids, line ends normalised to "\\n"."""
    return _XML_FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def direction_runs(text: str) -> list[tuple[str, bool]]:
    """The text cut where it changes between right-to-left and left-to-right letters: (piece, rtl).

    In a right-to-left document Arabic, digits and punctuation go in w:rtl runs; Latin, Cyrillic or
    Chinese words do not, since w:rtl also makes Word treat a run as complex script (its w:cs font and
    w:szCs size). Neutral characters (spaces, digits, punctuation) between letters of one direction take
    it, between letters of both they go right-to-left, and at the ends they take the nearest letter's.
    """
    strong = [{"L": False, "R": True, "AL": True}.get(unicodedata.bidirectional(char)) for char in text]
    known = [value for value in strong if value is not None]
    following: list[bool | None] = [None] * len(strong)  # the direction of the next letter, if any
    upcoming: bool | None = None
    for index in range(len(strong) - 1, -1, -1):
        following[index] = upcoming
        if strong[index] is not None:
            upcoming = strong[index]
    directions: list[bool] = []
    previous = known[0] if known else True  # leading neutrals take the first letter's direction
    for index, value in enumerate(strong):
        if value is None:
            after = following[index]
            # between letters of one direction: that direction; between the two: right-to-left
            value = previous if after is None or after == previous else True
        else:
            previous = value
        directions.append(value)
    pairs = zip(text, directions, strict=True)
    return [("".join(c for c, _ in group), rtl) for rtl, group in groupby(pairs, key=itemgetter(1))]


def value_lines(value: str) -> list[str]:
    """The lines of a value, one per line break; a run of blank lines is kept as one empty line."""
    out: list[str] = []
    for line in clean_text(value).split("\n"):
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


@dataclass(frozen=True)
class _Script:
    """Fonts and language tags written for one document language."""

    lang: str  # w:lang w:val
    latin: str  # ascii/hAnsi: Latin, Greek, Cyrillic
    east_asia: str  # Chinese
    complex: str  # cs: Arabic
    size: float  # points, body text
    complex_size: float  # points, Arabic (looks smaller than Latin at the same size)


_SCRIPTS = {
    "en": _Script("en-GB", "Times New Roman", "SimSun", "Arial", 12, 13),
    "fr": _Script("fr-FR", "Times New Roman", "SimSun", "Arial", 12, 13),
    "es": _Script("es-ES", "Times New Roman", "SimSun", "Arial", 12, 13),
    "ru": _Script("ru-RU", "Times New Roman", "SimSun", "Arial", 12, 13),
    "zh": _Script("zh-CN", "Times New Roman", "SimSun", "Arial", 12, 13),
    "ar": _Script("ar-SA", "Times New Roman", "SimSun", "Arial", 12, 14),
}


class _Writer:
    def __init__(self, document: Document) -> None:
        self.source = document
        self.rtl = document.direction == "rtl"
        self.script = _SCRIPTS.get(document.language, _SCRIPTS["en"])
        self.docx: DocxDocument = new_docx()
        self._setup_styles()
        self._setup_page()

    # -- styles and page ------------------------------------------------------------------------------

    def _size_elements(self, size: float) -> list[etree._Element]:
        """w:sz and w:szCs (half-points); Arabic, drawn by w:szCs, a little larger."""
        out = []
        for tag, points in (("w:sz", size), ("w:szCs", size * self.script.complex_size / self.script.size)):
            element = OxmlElement(tag)
            element.set(qn("w:val"), str(round(points * 2)))
            out.append(element)
        return out

    def _rpr_fonts(self, rpr: etree._Element, size: float, bold: bool = False) -> None:
        """Explicit fonts, weight, size and language on a style's w:rPr, rebuilt in the schema's order.

        The theme fonts (w:asciiTheme ...) and theme colour of python-docx's template go: a theme font
        overrides w:ascii.
        """
        script = self.script
        for tag in ("w:rFonts", "w:b", "w:bCs", "w:color", "w:sz", "w:szCs", "w:lang"):
            for old in rpr.findall(qn(tag)):
                rpr.remove(old)
        fonts = OxmlElement("w:rFonts")
        fonts.set(qn("w:ascii"), script.latin)
        fonts.set(qn("w:hAnsi"), script.latin)
        fonts.set(qn("w:eastAsia"), script.east_asia)
        fonts.set(qn("w:cs"), script.complex)
        if self.source.language == "zh":
            fonts.set(qn("w:hint"), "eastAsia")  # quotes and dashes in the Chinese font
        rpr.append(fonts)
        if bold:
            rpr.append(OxmlElement("w:b"))
            rpr.append(OxmlElement("w:bCs"))
        for element in self._size_elements(size):
            rpr.append(element)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), script.lang)
        lang.set(qn("w:eastAsia"), "zh-CN")
        lang.set(qn("w:bidi"), "ar-SA")
        rpr.append(lang)

    def _setup_styles(self) -> None:
        styles = self.docx.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
            if rpr is not None:
                self._rpr_fonts(rpr, size=self.script.size)
        normal = styles["Normal"]
        self._rpr_fonts(normal.element.get_or_add_rPr(), size=self.script.size)
        normal.paragraph_format.space_after = Pt(4)
        normal.paragraph_format.line_spacing = 1.15
        for name, size in (("Heading 1", 13), ("Heading 2", 12)):
            style = styles[name]
            self._rpr_fonts(style.element.get_or_add_rPr(), size=size, bold=True)
            style.paragraph_format.space_before = Pt(14)
            style.paragraph_format.space_after = Pt(6)
        self.docx.core_properties.title = clean_text(self.source.title)
        self.docx.core_properties.language = self.script.lang

    def _setup_page(self) -> None:
        section = self.docx.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.header_distance = section.footer_distance = Mm(10)
        if self.rtl:
            section._sectPr.append(OxmlElement("w:bidi"))
        footer = section.footer.paragraphs[0]
        self._paragraph_direction(footer)
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._field(footer, "PAGE", "1")
        self._run(footer, " / ")
        self._field(footer, "NUMPAGES", "1")

    # -- paragraphs and runs --------------------------------------------------------------------------

    def _paragraph_direction(self, paragraph: DocxParagraph) -> None:
        if self.rtl:
            paragraph._p.get_or_add_pPr().insert_element_before(OxmlElement("w:bidi"), *_AFTER_BIDI)

    def _run(self, paragraph: DocxParagraph, text: str, bold: bool = False, size: float | None = None) -> Run:
        """The text as runs; in a right-to-left document one per direction (see direction_runs)."""
        pieces = direction_runs(text) if self.rtl else [(text, False)]
        run = None
        for piece, rtl in pieces or [("", self.rtl)]:
            run = paragraph.add_run(piece)
            rpr = run._r.get_or_add_rPr()
            if bold:
                rpr.append(OxmlElement("w:b"))
                rpr.append(OxmlElement("w:bCs"))
            if size is not None:
                for element in self._size_elements(size):
                    rpr.append(element)
            if rtl:
                rpr.append(OxmlElement("w:rtl"))
        assert run is not None
        return run

    def _field(self, paragraph: DocxParagraph, code: str, placeholder: str) -> None:
        """A complex field (PAGE, NUMPAGES) Word updates when it lays the document out."""
        for kind in ("begin", "instr", "separate", "text", "end"):
            run = paragraph.add_run()
            if self.rtl:
                run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))
            if kind == "instr":
                element = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
                element.text = f" {code} "
                run._r.append(element)
            elif kind == "text":
                run.text = placeholder
            else:
                run._r.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): kind}))

    def paragraph(
        self,
        text: str = "",
        bold: bool = False,
        size: float | None = None,
        align: str = "start",
        style: str | None = None,
        keep_with_next: bool = False,
        space_after: float | None = None,
    ) -> DocxParagraph:
        paragraph = self.docx.add_paragraph(style=style)
        self._paragraph_direction(paragraph)
        if align == "center":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif align == "end":
            # In a w:bidi paragraph Word reads "right" as the end of the line: the left edge.
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if keep_with_next:
            paragraph.paragraph_format.keep_with_next = True
        if space_after is not None:
            paragraph.paragraph_format.space_after = Pt(space_after)
        if text:
            self._run(paragraph, clean_text(text), bold=bold, size=size)
        return paragraph

    def _labelled_line(self, item: Field) -> None:
        """Label and value on one paragraph: "Reference: 2024/117"; further lines of the value as breaks."""
        paragraph = self.paragraph(space_after=2)
        self._run(paragraph, clean_text(item.label).rstrip(":：") + self._colon() + " ", bold=True)
        for index, line in enumerate(value_lines(item.value)):
            if index:
                self._run(paragraph, "").add_break()
            if line:
                self._run(paragraph, line)

    def _colon(self) -> str:
        return {"zh": "：", "ar": ":"}.get(self.source.language, ":")

    def field(self, item: Field) -> None:
        self.paragraph(item.label, bold=True, keep_with_next=True, space_after=2)
        lines = value_lines(item.value) or [""]
        for line in lines:
            self.paragraph(line, space_after=2 if line else 0)
        self.docx.paragraphs[-1].paragraph_format.space_after = Pt(8)

    def entry(self, item: Entry) -> None:
        self.paragraph(item.caption, bold=True, keep_with_next=True, space_after=3)
        table: Table = self.docx.add_table(rows=0, cols=2)
        table.style = self.docx.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if self.rtl:
            table._tbl.tblPr.append(OxmlElement("w:bidiVisual"))
        for sub in item.fields:
            cells = table.add_row().cells
            cells[0].width, cells[1].width = Mm(55), Mm(105)
            for cell, text, bold in ((cells[0], sub.label, True), (cells[1], sub.value, False)):
                lines = value_lines(text) or [""]
                first = cell.paragraphs[0]
                for index, line in enumerate(lines):
                    paragraph = first if index == 0 else cell.add_paragraph()
                    self._paragraph_direction(paragraph)
                    paragraph.paragraph_format.space_after = Pt(2)
                    if line:
                        self._run(paragraph, line, bold=bold)
        self.paragraph(space_after=4)

    def render(self) -> bytes:
        source = self.source
        for mark in source.marks:
            self.paragraph(mark, bold=True, size=13, align="end", space_after=2)
        if source.marks:
            self.paragraph(space_after=4)
        for item in source.header:
            self._labelled_line(item)
        self.paragraph(space_after=6)
        self.paragraph(source.title, bold=True, size=15, align="center", space_after=12)
        for section in source.sections:
            self.paragraph(section.heading, style="Heading 1", keep_with_next=True)
            for block in section.blocks:
                if isinstance(block, Field):
                    self.field(block)
                elif isinstance(block, Paragraph):
                    for line in value_lines(block.text):
                        self.paragraph(line, space_after=6 if line else 0)
                else:
                    self.entry(block)
        self._closing()
        buffer = io.BytesIO()
        self.docx.save(buffer)
        return _fixed_dates(buffer.getvalue())

    def _closing(self) -> None:
        closing = self.source.closing
        if not closing:
            return
        self.paragraph(space_after=12)
        signed = False
        for item in closing:
            if value_lines(item.value):
                self._labelled_line(item)
            else:  # "Signature:" with nothing to fill in: the line to sign on
                self.paragraph(space_after=18)
                paragraph = self.paragraph(space_after=2)
                self._run(paragraph, clean_text(item.label).rstrip(":：") + self._colon() + " ", bold=True)
                self._run(paragraph, SIGNATURE_LINE)
                signed = True
        if not signed:
            self.paragraph(space_after=18)
            self.paragraph(SIGNATURE_LINE)


def _fixed_dates(package: bytes) -> bytes:
    """The package with every member dated 1980-01-01 (the zip format's first day): python-docx dates them
    with the time of saving, so the same finalised request would give other bytes every two seconds."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            fixed = zipfile.ZipInfo(member.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = member.compress_type
            fixed.external_attr = member.external_attr
            target.writestr(fixed, source.read(member.filename))
    return out.getvalue()


def render_docx(document: Document) -> bytes:
    """The request as a DOCX file (bytes), laid out for editing and signature."""
    return _Writer(document).render()
