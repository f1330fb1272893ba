"""Lay out an assembled request (sherloc.mla.document.Document) as a PDF, in any of the six UN languages.

Same layout as the DOCX (sherloc.mla.render_docx): marks at the top, the header lines, the title centred,
a bold heading per section (also a PDF bookmark), labelled values as a bold label over the value,
repeated groups (Entry) as label/value rows under a bold caption, the closing fields over a signature
line; A4, "page / pages" in the footer. Long values wrap and break across pages.

Fonts are the subsets bundled in sherloc/mla/fonts (README.md there): Noto Serif (Latin, Greek,
Cyrillic), Noto Naskh Arabic, Noto Serif CJK SC. The document's language picks the main font, the two
others are fpdf2 fallback fonts, so a French request with a Chinese name or an Arabic one with Latin names
renders every script. Text is shaped with HarfBuzz (uharfbuzz), which joins Arabic letters, and laid out
right-to-left, right-aligned, when the document's direction is "rtl". A character none of the fonts
has (an emoji, a Han character outside the subset) is printed as U+FFFD "�"; control and format characters
no font has are dropped, so rendering never raises nor logs fpdf2's missing-glyph warning.

Text extraction (pypdf): Latin, Cyrillic and Chinese text comes back exactly as given (Chinese without
spaces between characters, as the fonts are TrueType: see the fonts README). Arabic comes back as its
base letters (fpdf2 writes a ToUnicode map from each shaped glyph to the characters it stands for),
word for word, but a line that mixes Arabic with Latin words or numbers comes back with its runs in
visual rather than logical order and sometimes with a space lost or added at a run boundary: search an
Arabic PDF word by word, not by phrase.
"""

from __future__ import annotations

import unicodedata
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, WrapMode, XPos, YPos

from sherloc.mla.document import Document, Entry, Field, Paragraph
from sherloc.mla.render_docx import SIGNATURE_LINE, clean_text, value_lines

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
# family name -> {style: file}
FONT_FILES = {
    "serif": {"": "NotoSerif-Regular.subset.ttf", "B": "NotoSerif-Bold.subset.ttf"},
    "naskh": {"": "NotoNaskhArabic-Regular.subset.ttf", "B": "NotoNaskhArabic-Bold.subset.ttf"},
    # One weight only (a bold CJK face would double the package's fonts): bold Chinese is drawn by also
    # stroking the outlines (see _Pdf.text_block).
    "cjk": {"": "NotoSerifCJKsc-Regular.subset.ttf"},
}
REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class _Script:
    font: str  # main family; the others are fallbacks
    size: float  # points, body text
    line: float  # mm, body line height
    wrap: WrapMode  # Chinese breaks between any two characters


_SCRIPTS = {
    "ar": _Script("naskh", 12, 6.6, WrapMode.WORD),
    "zh": _Script("cjk", 11, 5.8, WrapMode.CHAR),
}
_DEFAULT_SCRIPT = _Script("serif", 11, 5.4, WrapMode.WORD)
LABEL_WIDTH = 48.0  # mm, the label column of header, entry and closing rows
GAP = 4.0  # mm between the label and value columns


@cache
def family_characters(family: str) -> frozenset[int]:
    """The code points a bundled font family has glyphs for (its regular face)."""
    with TTFont(FONTS_DIR / FONT_FILES[family][""], lazy=True) as font:
        return frozenset(font.getBestCmap())


@cache
def covered_characters() -> frozenset[int]:
    """Every code point one of the bundled fonts has a glyph for."""
    return frozenset().union(*(family_characters(family) for family in FONT_FILES))


def printable(text: str) -> str:
    """The text as the PDF prints it: XML-safe, tabs as spaces, characters no font has replaced or dropped."""
    covered = covered_characters()
    out = []
    for char in clean_text(text).replace("\t", "    "):
        if char == "\n" or ord(char) in covered:
            out.append(char)
        elif unicodedata.category(char).startswith("Z"):
            out.append(" ")
        elif not unicodedata.category(char).startswith("C"):  # control, format, unassigned, private use
            out.append(REPLACEMENT)
    return "".join(out)


class _Pdf(FPDF):
    def __init__(self, document: Document) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.source = document
        self.rtl = document.direction == "rtl"
        self.script = _SCRIPTS.get(document.language, _DEFAULT_SCRIPT)
        self.set_margins(left=25, top=20, right=25)
        self.set_auto_page_break(auto=True, margin=22)
        # The main font, and as fallbacks only the fonts the text needs (loading a font costs time).
        used = {ord(char) for text in document.texts() for char in printable(text)}
        main = family_characters(self.script.font)
        self.fallbacks = [
            family
            for family in FONT_FILES
            if family != self.script.font and (used - main) & family_characters(family)
        ]
        # Noto Serif always: the page numbers are set in it (Noto Naskh Arabic has no "/").
        for family in dict.fromkeys([self.script.font, *self.fallbacks, "serif"]):
            for style, name in FONT_FILES[family].items():
                self.add_font(family, style, str(FONTS_DIR / name))
        self.set_fallback_fonts(self.fallbacks, exact_match=False)
        self.set_text_shaping(True, direction="rtl" if self.rtl else "ltr")
        self.set_title(printable(document.title))
        self.set_lang({"zh": "zh-CN", "ar": "ar"}.get(document.language, document.language))
        self.set_creator("sherloc")
        self.body()

    # -- primitives -----------------------------------------------------------------------------------

    @property
    def width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    @property
    def start(self) -> str:
        return "R" if self.rtl else "L"

    @property
    def end(self) -> str:
        return "L" if self.rtl else "R"

    def style(self, bold: bool = False, size: float | None = None) -> None:
        bold = bold and "B" in FONT_FILES[self.script.font]
        self.set_font(self.script.font, "B" if bold else "", size or self.script.size)

    def line_height(self, size: float | None = None) -> float:
        return self.script.line * (size or self.script.size) / self.script.size

    def text_block(
        self,
        text: str,
        x: float | None = None,
        width: float | None = None,
        align: str | None = None,
        bold: bool = False,
        size: float | None = None,
        dry_run: bool = False,
    ) -> float:
        """A wrapped paragraph at the current y; returns its height (nothing drawn when dry_run)."""
        self.style(bold, size)
        self.set_x(self.l_margin if x is None else x)
        if not text:
            return 0.0
        # The CJK face has no bold: a thin stroke of the outlines thickens it, in a saved graphics state
        # (fpdf2 does not reset the text rendering mode by itself).
        stroke = bold and self.script.font == "cjk" and not dry_run
        with self.local_context(text_mode="FILL_STROKE", line_width=0.25) if stroke else nullcontext():
            height = self.multi_cell(
                w=width or self.width,
                h=self.line_height(size),
                text=text,
                align=align or self.start,
                wrapmode=self.script.wrap,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
                dry_run=dry_run,
                output=MethodReturnValue.HEIGHT,
            )
        return float(height) if isinstance(height, int | float) else 0.0

    def space(self, mm: float) -> None:
        if self.y + mm < self.page_break_trigger:
            self.y += mm

    def keep(self, height: float) -> None:
        """Start a new page unless `height` fits on this one."""
        if self.y + height > self.page_break_trigger:
            self.add_page()

    def lines(
        self, text: str, bold: bool = False, size: float | None = None, align: str | None = None
    ) -> None:
        """A value: one paragraph per line, a blank line as a short gap."""
        for line in value_lines(printable(text)):
            if line:
                self.text_block(line, bold=bold, size=size, align=align)
            else:
                self.space(self.line_height() / 2)

    def row(self, label: str, value: str, rule: bool = False) -> None:
        """Label and value side by side (label on the start side); a row taller than a page falls back to the
        label over the value so it can break across pages."""
        label, value = printable(label), "\n".join(value_lines(printable(value)))
        value_width = self.width - LABEL_WIDTH - GAP
        label_x = self.w - self.r_margin - LABEL_WIDTH if self.rtl else self.l_margin
        value_x = self.l_margin if self.rtl else self.l_margin + LABEL_WIDTH + GAP
        height = max(
            self.text_block(label, label_x, LABEL_WIDTH, bold=True, dry_run=True),
            self.text_block(value, value_x, value_width, dry_run=True),
            self.line_height(),
        )
        usable = self.page_break_trigger - self.t_margin
        if height > usable - 2:
            self.keep(3 * self.line_height())
            if rule:
                self.rule()
            self.text_block(label, bold=True)
            self.lines(value)
            return
        self.keep(height + 2)
        if rule:
            self.rule()
        top = self.y
        self.text_block(label, label_x, LABEL_WIDTH, bold=True)
        self.y = top
        self.text_block(value, value_x, value_width)
        self.y = top + height + 1

    def rule(self) -> None:
        self.set_draw_color(170)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.y, self.w - self.r_margin, self.y)
        self.set_draw_color(0)
        self.y += 1

    # -- the document ---------------------------------------------------------------------------------

    def body(self) -> None:
        source = self.source
        self.add_page()
        for mark in source.marks:
            self.text_block(printable(mark), bold=True, size=self.script.size + 2, align=self.end)
        if source.marks:
            self.space(4)
        for item in source.header:
            self.row(item.label, item.value)
        self.space(6)
        self.text_block(printable(source.title), bold=True, size=self.script.size + 4, align="C")
        self.space(6)
        for section in source.sections:
            self.keep(4 * self.line_height())
            self.space(3)
            heading = printable(section.heading)
            self.start_section(heading.replace("\n", " ") or "-")
            self.text_block(heading, bold=True, size=self.script.size + 2)
            self.space(2)
            for block in section.blocks:
                if isinstance(block, Field):
                    self.field(block)
                elif isinstance(block, Paragraph):
                    self.lines(block.text)
                    self.space(2)
                else:
                    self.entry(block)
        self.closing()

    def field(self, item: Field) -> None:
        self.keep(2 * self.line_height() + 1)
        self.text_block(printable(item.label), bold=True)
        self.space(0.5)
        self.lines(item.value)
        self.space(3)

    def entry(self, item: Entry) -> None:
        self.keep(3 * self.line_height())
        self.text_block(printable(item.caption), bold=True)
        self.space(1)
        for sub in item.fields:
            self.row(sub.label, sub.value, rule=True)
        self.rule()
        self.space(3)

    def closing(self) -> None:
        closing = self.source.closing
        if not closing:
            return
        self.keep(len(closing) * 2 * self.line_height() + 20)
        self.space(8)
        signed = False
        for item in closing:
            if value_lines(item.value):
                self.row(item.label, item.value)
            else:  # "Signature:" with nothing to fill in: the line to sign on
                self.space(12)
                self.row(item.label, SIGNATURE_LINE)
                signed = True
        if not signed:
            self.space(14)
            self.text_block(
                SIGNATURE_LINE,
                width=90,
                align=self.start,
                x=self.w - self.r_margin - 90 if self.rtl else None,
            )

    def footer(self) -> None:
        """ "n / N" centred in the bottom margin, N filled in by fpdf2 once the page count is known.

        fpdf2 substitutes its page-count alias only in unshaped text without fallback fonts: both are off
        for this line (digits, spaces and "/" are in every bundled font).
        """
        self.set_text_shaping(False)
        self.set_fallback_fonts([])
        self.set_y(-14)
        self.set_font("serif", "", 9)
        self.cell(w=self.width, h=5, text=f"{self.page_no()} / {{nb}}", align="C")
        self.set_fallback_fonts(self.fallbacks, exact_match=False)
        self.set_text_shaping(True, direction="rtl" if self.rtl else "ltr")


def render_pdf(document: Document) -> bytes:
    """The request as a PDF file (bytes)."""
    return bytes(_Pdf(document).output())
