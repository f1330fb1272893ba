"""Rebuild the bundled font subsets of the request renderers from the system's Noto fonts (run by hand).

Usage (from the repository root, Debian packages fonts-noto-core and fonts-noto-cjk installed):

    .venv/bin/python sherloc/mla/fonts/make_fonts.py [--corpora ../shared/corpora]

Not imported by the package. See README.md in this folder for what each file holds.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
NOTO = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")

# Latin, Latin-1, Latin Extended-A/B, IPA, spacing modifiers, combining marks, Greek, Cyrillic (+ supplement),
# Latin Extended Additional, Greek Extended, general punctuation, super/subscripts, currency, letterlike
# symbols, number forms, arrows, mathematical operators, geometric shapes (□ for unknown characters),
# Latin Extended-C/D/E, Cyrillic Extended-A/B/C, alphabetic presentation forms (ﬁ), specials (U+FFFD).
LATIN_RANGES = [
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x0250, 0x02FF),
    (0x0300, 0x036F),
    (0x0370, 0x03FF),
    (0x0400, 0x052F),
    (0x1C80, 0x1C8F),
    (0x1E00, 0x1EFF),
    (0x1F00, 0x1FFF),
    (0x2000, 0x206F),
    (0x2070, 0x209F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
    (0x2150, 0x218F),
    (0x2190, 0x21FF),
    (0x2200, 0x22FF),
    (0x25A0, 0x25FF),
    (0x2C60, 0x2C7F),
    (0x2DE0, 0x2DFF),
    (0xA640, 0xA69F),
    (0xA720, 0xA7FF),
    (0xAB30, 0xAB6F),
    (0xFB00, 0xFB06),
    (0xFE20, 0xFE2F),
    (0xFFF0, 0xFFFD),
]
# Arabic, Arabic Supplement, Arabic Extended-A, presentation forms A and B, plus the punctuation and
# marks Arabic text uses (tatweel, ZWNJ/ZWJ, LRM/RLM, bidi controls, Arabic comma lives in the block).
ARABIC_RANGES = [
    (0x0020, 0x0040),
    (0x00A0, 0x00A0),
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
    (0x200B, 0x200F),
    (0x2010, 0x2027),
    (0x202A, 0x202E),
    (0x2066, 0x2069),
    (0x25CC, 0x25CC),
]
# CJK symbols and punctuation, halfwidth and fullwidth forms, CJK compatibility forms, vertical forms,
# general punctuation (the Chinese quotes “” and ellipsis …), enclosed alphanumerics (①), Kangxi radicals
# are left out: the Han characters come from GB 2312 and the corpora.
CJK_RANGES = [
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x2000, 0x206F),
    (0x2100, 0x214F),
    (0x2160, 0x217F),
    (0x2460, 0x24FF),
    (0x2500, 0x257F),
    (0x25A0, 0x25FF),
    (0x3000, 0x303F),
    (0x3200, 0x32FF),
    (0xFE10, 0xFE1F),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
]
TEXT_SUFFIXES = {".md", ".txt", ".json", ".yaml", ".yml", ".xml"}
CJK_FEATURES = ["ccmp", "liga", "kern", "palt", "halt"]


def _expand(ranges: Iterable[tuple[int, int]]) -> set[int]:
    return {cp for low, high in ranges for cp in range(low, high + 1)}


def is_han(cp: int) -> bool:
    """CJK unified ideographs (base block, extensions A to F) and compatibility ideographs."""
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2EBEF
        or 0xF900 <= cp <= 0xFAFF
        or cp == 0x3007  # 〇
    )


def gb2312_han() -> set[int]:
    """Every Han character of GB 2312: rows 16-87 of the double-byte plane, decoded with Python's codec."""
    out: set[int] = set()
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                char = bytes((high, low)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if is_han(ord(char)):
                out.add(ord(char))
    return out


def _text_files(roots: Iterable[Path]) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
                    yield path


def corpus_han(roots: Iterable[Path]) -> set[int]:
    out: set[int] = set()
    for path in _text_files(roots):
        text = path.read_text(encoding="utf-8", errors="ignore")
        out.update(ord(c) for c in set(text) if is_han(ord(c)))
    return out


def cff_to_truetype(font: TTFont, max_err: float = 1.0) -> None:
    """Replace the CFF outlines by TrueType (quadratic) ones, as fontTools' Snippets/otf2ttf.py does.

    fpdf2 2.8 embeds a CFF font as CIDFontType0 with a /W width array keyed by the original glyph ids
    while the content stream uses the subset's ids: viewers and text extractors then space the glyphs
    wrongly ("J o h n"). As a TrueType font (CIDFontType2) the widths are right.
    """
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        hmtx[name] = (hmtx[name][0], getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attribute in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attribute, 0)
    font["post"].formatType = 3.0  # no glyph names
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def _subset(
    font: TTFont, unicodes: set[int], target: Path, features: list[str] | None = None, truetype: bool = False
) -> None:
    options = subset.Options()
    # Every GSUB/GPOS feature by default (Arabic joining forms, marks, ligatures, kerning).
    options.layout_features = features if features is not None else ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False  # the PDF and DOCX viewers rasterise themselves; hints only cost bytes
    options.desubroutinize = False
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=sorted(unicodes & set(font.getBestCmap())))
    subsetter.subset(font)
    if truetype and "CFF " in font:
        cff_to_truetype(font)
    buffer = io.BytesIO()
    font.save(buffer)
    target.write_bytes(buffer.getvalue())
    print(f"{target.name}: {len(font.getBestCmap())} characters, {target.stat().st_size / 1024:.0f} KiB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=REPO.parent / "shared" / "corpora")
    args = parser.parse_args(argv)

    latin = _expand(LATIN_RANGES)
    for style in ("Regular", "Bold"):
        _subset(TTFont(NOTO / f"NotoSerif-{style}.ttf"), latin, HERE / f"NotoSerif-{style}.subset.ttf")
    arabic = _expand(ARABIC_RANGES)
    for style in ("Regular", "Bold"):
        source = TTFont(NOTO / f"NotoNaskhArabic-{style}.ttf")
        _subset(source, arabic, HERE / f"NotoNaskhArabic-{style}.subset.ttf")

    roots = [REPO / "corpus", *sorted(args.corpora.glob("zh-*"))]
    han_gb = gb2312_han()
    han_corpus = corpus_han(roots)
    print(
        f"Han characters: GB 2312 {len(han_gb)}, corpora {len(han_corpus)}, outside GB 2312 "
        f"{len(han_corpus - han_gb)}"
    )
    cjk = _expand(CJK_RANGES) | han_gb | han_corpus
    collection = TTCollection(NOTO_CJK / "NotoSerifCJK-Regular.ttc")
    face = next(f for f in collection.fonts if f["name"].getDebugName(4) == "Noto Serif CJK SC")
    # Only horizontal, Simplified Chinese features: '*' would keep 'locl' (the JP/KR/TC glyph variants) and
    # 'vert' (vertical forms), nearly doubling the glyphs (3.9 MB instead of 2.1 MB).
    _subset(face, cjk, HERE / "NotoSerifCJKsc-Regular.subset.ttf", CJK_FEATURES, truetype=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
