"""Chinese numerals and article labels to numbers (第一百九十一条 -> "191"), shared by parsers and queries."""

from __future__ import annotations

import re

_CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_MYRIADS = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL_CHARS = "〇零一二两三四五六七八九十百千万亿0-9０-９"
# Full-width and Arabic-Indic digits are folded to ASCII before int() so "第１９１条" and "المادة ١٥" work.
DIGIT_FOLD = str.maketrans("０１２３４５６７８９٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 3)


def ascii_int(text: str) -> int | None:
    folded = text.strip().translate(DIGIT_FOLD)
    return int(folded) if re.fullmatch(r"[0-9]+", folded) else None


def chinese_to_int(text: str) -> int:
    """一百九十一 -> 191, 十 -> 10, 一千零六十 -> 1060, 二〇二〇 -> 2020, "191" -> 191.

    Raises ValueError when `text` is not a numeral.
    """
    text = text.strip()
    as_digits = ascii_int(text)
    if as_digits is not None:
        return as_digits
    if not text:
        raise ValueError("empty numeral")
    if len(text) > 1 and all(ch in _CN_DIGITS for ch in text):  # digit by digit, as in years: 二〇二〇
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total = section = digit = 0
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            # A bare unit means one of it: "十" = 10, "十一" = 11.
            section += (digit or 1) * _CN_UNITS[char]
            digit = 0
        elif char in _CN_MYRIADS:
            total += (section + digit) * _CN_MYRIADS[char]
            section = digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + digit


_CN_ARTICLE = re.compile(rf"第(?P<num>[{CN_NUMERAL_CHARS}]+)条(?:之(?P<sub>[{CN_NUMERAL_CHARS}]+))?")


def cn_article_number(label: str) -> str:
    """Normalise a Chinese article label: 第一百九十一条 -> "191", 第一百二十条之一 -> "120-1"."""
    match = _CN_ARTICLE.search(label)
    if match is None:
        raise ValueError(f"not a Chinese article label: {label!r}")
    number = str(chinese_to_int(match["num"]))
    if match["sub"]:
        number += f"-{chinese_to_int(match['sub'])}"
    return number
