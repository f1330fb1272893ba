"""Unit tests for sherloc.ingest.structure: numerals, article labels, headings, repeal notes, paragraphs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sherloc.ingest.structure import (
    HeadingPath,
    arabic_ordinal_to_int,
    chinese_to_int,
    cn_article_number,
    heading_rank,
    is_repealed,
    iter_blocks,
    match_article_label,
    match_heading,
    parse_article_label,
    spanish_disposition_number,
    spanish_number_to_int,
    spanish_ordinal_to_int,
)

_DIGITS = "零一二三四五六七八九"


def to_chinese(number: int) -> str:
    """Write 1..9999 the way Chinese statutes do (十一, 一百一十, 一千零六十), to check the parser against."""
    parts: list[str] = []
    pending_zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit:
            if pending_zero:
                parts.append("零")
            parts.append(_DIGITS[digit] + unit)
            pending_zero = False
        elif parts:
            pending_zero = True
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text  # 10-19 are written 十, 十一…


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("一百一十", 110),
        ("一百九十一", 191),
        ("二百", 200),
        ("一千零六十", 1060),
        ("一千二百六十", 1260),
        ("两千", 2000),
        ("191", 191),
        ("１９１", 191),
    ],
)
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert chinese_to_int(numeral) == value


@given(st.integers(min_value=1, max_value=9999))
def test_chinese_numerals_round_trip(number: int) -> None:
    assert chinese_to_int(to_chinese(number)) == number


def test_chinese_numeral_rejects_other_text() -> None:
    with pytest.raises(ValueError):
        chinese_to_int("第一")


@pytest.mark.parametrize(
    ("label", "number"),
    [
        ("第一百九十一条", "191"),
        ("第一百二十条之一", "120-1"),
        ("第十条", "10"),
        ("第一千零六十条", "1060"),
        ("第二百条", "200"),
        ("第191条", "191"),
        ("第253条之一", "253-1"),
    ],
)
def test_cn_article_number(label: str, number: str) -> None:
    assert cn_article_number(label) == number


@pytest.mark.parametrize(
    ("line", "languages", "label", "number", "rest"),
    [
        ("第一百九十一条 为掩饰、隐瞒毒品犯罪", ["zh"], "第一百九十一条", "191", "为掩饰、隐瞒毒品犯罪"),
        ("第一百二十条之一　资助恐怖活动", ["zh"], "第一百二十条之一", "120-1", "资助恐怖活动"),
        ("Article 324-1", ["fr"], "Article 324-1", "324-1", ""),
        ("Article L. 324-1", ["fr"], "Article L. 324-1", "L324-1", ""),
        ("Article R*123-4", ["fr"], "Article R*123-4", "R*123-4", ""),
        ("Article 1er", ["fr"], "Article 1er", "1", ""),
        ("Article 224-1 A", ["fr"], "Article 224-1 A", "224-1 A", ""),
        ("Article 52 septies", ["fr"], "Article 52 septies", "52 septies", ""),
        ("Article 324-1 (abrogé)", ["fr"], "Article 324-1", "324-1", "(abrogé)"),
        ("##### Article 111-1", ["fr"], "Article 111-1", "111-1", ""),
        ("Artículo 301", ["es"], "Artículo 301", "301", ""),
        ("Artículo 301.", ["es"], "Artículo 301.", "301", ""),
        ("Artículo 301 bis", ["es"], "Artículo 301 bis", "301 bis", ""),
        ("Artículo 177 bis.", ["es"], "Artículo 177 bis.", "177 bis", ""),
        ("Artículo 570 quáter", ["es"], "Artículo 570 quáter", "570 quáter", ""),
        ("Artículo 1. Objeto.", ["es"], "Artículo 1.", "1", "Objeto."),
        ("Art. 1.º Ámbito", ["es"], "Art. 1.º", "1", "Ámbito"),
        ("Artículo primero.", ["es"], "Artículo primero.", "1", ""),
        ("Artículo decimoctavo.", ["es"], "Artículo decimoctavo.", "18", ""),
        ("Articulo vigésimo primero.", ["es"], "Articulo vigésimo primero.", "21", ""),
        ("Artículo único. Modificación", ["es"], "Artículo único.", "único", "Modificación"),
        ("Artículos 617 a 622.", ["es"], "Artículos 617 a 622.", "617 a 622", ""),
        ("Artículos 638 y 639.", ["es"], "Artículos 638 y 639.", "638 y 639", ""),
        ("Disposición adicional primera. Título", ["es"], "Disposición adicional primera.", "DA 1", "Título"),
        ("Disposición derogatoria única.", ["es"], "Disposición derogatoria única.", "DD única", ""),
        ("DISPOSICIÓN FINAL PRIMERA", ["es"], "DISPOSICIÓN FINAL PRIMERA", "DF 1", ""),
        ("Disposición final.", ["es"], "Disposición final.", "DF", ""),
        ("Статья 174", ["ru"], "Статья 174", "174", ""),
        ("Статья 174.1. Легализация", ["ru"], "Статья 174.1.", "174.1", "Легализация"),
        ("المادة الأولى", ["ar"], "المادة الأولى", "1", ""),
        ("المادة (5)", ["ar"], "المادة (5)", "5", ""),
        ("المادة ١٥", ["ar"], "المادة ١٥", "15", ""),
        ("المادة الحادية والعشرون: التعريفات", ["ar"], "المادة الحادية والعشرون", "21", "التعريفات"),
        ("المادة الثالثة بعد المائة", ["ar"], "المادة الثالثة بعد المائة", "103", ""),
        ("§ 261", ["en"], "§ 261", "261", ""),
        ("Sec. 7202.", ["en"], "Sec. 7202.", "7202", ""),
        ("SECTION 7202", ["en"], "SECTION 7202", "7202", ""),
    ],
)
def test_article_labels(line: str, languages: list[str], label: str, number: str, rest: str) -> None:
    match = match_article_label(line, languages)
    assert match is not None
    assert (match.label, match.number, match.rest) == (label, number, rest)


@pytest.mark.parametrize(
    ("line", "languages"),
    [
        ("第一百九十一条的规定", ["zh"]),  # a reference at the start of a sentence, not a label
        ("Articles 1 to 5 apply", ["fr"]),
        ("Article sans numéro", ["fr"]),
        ("«Artículo 23. Respeto del hogar", ["es"]),  # amending text quoted inside another article
        ("المادة التي", ["ar"]),
        ("Section 1 : Du blanchiment", ["fr"]),  # a French heading, not an English section
    ],
)
def test_not_article_labels(line: str, languages: list[str]) -> None:
    assert match_article_label(line, languages) is None


def test_parse_article_label_gives_label_and_number() -> None:
    assert parse_article_label("Artículo 301. Título", ["es"]) == ("Artículo 301.", "301")
    assert parse_article_label("no label here") is None


@pytest.mark.parametrize(
    ("heading", "language", "rank"),
    [
        ("第二编 分则", "zh", 1),
        ("第一分编  通则", "zh", 2),
        ("第三章 破坏社会主义市场经济秩序罪", "zh", 4),
        ("第四节 破坏金融管理秩序罪", "zh", 5),
        ("Partie législative", "fr", 0),
        ("Livre III : Des crimes et délits contre les biens", "fr", 1),
        ("Titre II : Des autres atteintes aux biens", "fr", 2),
        ("TITRE IV", "fr", 2),
        ("Chapitre IV : Du blanchiment", "fr", 4),
        ("Section 1 : Du blanchiment simple", "fr", 5),
        ("Sous-section 5 : Du contenu", "fr", 6),
        ("Paragraphe 3 : Des atteintes", "fr", 7),
        ("A. - Première classe.", "fr", 8),
        ("LIBRO II. Delitos y sus penas", "es", 1),
        ("TÍTULO XIII. Delitos contra el patrimonio", "es", 2),
        ("CAPÍTULO XIV. De la receptación", "es", 4),
        ("Sección 2.ª De la sustitución", "es", 5),
        ("DISPOSICIONES FINALES", "es", 0),
        ("Раздел VIII. Преступления в сфере экономики", "ru", 1),
        ("Глава 22. Преступления в сфере экономической деятельности", "ru", 4),
        ("الباب الأول", "ar", 2),
        ("الفصل الثاني", "ar", 4),
        ("Title I", "en", 2),
        ("Subchapter II", "en", 5),
    ],
)
def test_heading_ranks(heading: str, language: str, rank: int) -> None:
    assert heading_rank(heading, language) == rank


def test_unknown_headings_have_no_rank() -> None:
    assert heading_rank("附则", "zh") is None
    assert heading_rank("DISPONGO:", "es") is None


def test_plain_lines_need_a_number_to_count_as_headings() -> None:
    assert match_heading("Titre de séjour délivré", "fr", require_number=True) is None
    assert match_heading("Titre Ier : Principes généraux", "fr", require_number=True) is not None
    assert match_heading("Chapitre IV : Dispositions communes.", "fr", require_number=True) is not None


def test_heading_path_with_flat_levels_uses_keyword_ranks() -> None:
    path = HeadingPath()
    for heading in ("Partie législative", "Livre III", "Titre II", "Chapitre IV", "Section 1", "Section 2"):
        path.enter(heading, heading_rank(heading, "fr"), level=4)
    assert path.path == ["Partie législative", "Livre III", "Titre II", "Chapitre IV", "Section 2"]
    path.enter("Chapitre V", heading_rank("Chapitre V", "fr"), level=4)
    assert path.path == ["Partie législative", "Livre III", "Titre II", "Chapitre V"]


def test_heading_path_places_unknown_headings_by_level_when_levels_are_reliable() -> None:
    path = HeadingPath(levels_reliable=True)
    path.enter("第二编 分则", 1, level=2)
    path.enter("第十章 军人违反职责罪", 4, level=3)
    path.enter("附则", None, level=2)
    assert path.path == ["附则"]
    path.enter("附件一", None, level=2)
    assert path.path == ["附件一"]


@pytest.mark.parametrize(
    "text",
    [
        "(abrogé)",
        "Abrogé.",
        "**(Derogado)**",
        "**(Suprimido)**.",
        "(Derogados)",
        "(Sin contenido)",
        "(Surpimida)",  # BOE typo, as found in legalize-es
        "Sin contenido",
        "Утратила силу. - Федеральный закон от 08.12.2003 N 162-ФЗ",
        "删除",
        "（删除）",
    ],
)
def test_repeal_notes(text: str) -> None:
    assert is_repealed(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Le blanchiment est le fait de faciliter, par tout moyen, la justification mensongère.",
        "Quedan derogadas cuantas disposiciones se opongan a lo establecido en esta ley.",
        "对计算机信息系统功能进行删除、修改、增加、干扰",
        "(Derogado)\n\nPero este artículo sigue con texto.",
    ],
)
def test_not_repeal_notes(text: str) -> None:
    assert not is_repealed(text)


def test_iter_blocks_splits_paragraphs_and_headings() -> None:
    lines = [
        "#### Paragraphe 3 : Des atteintes aux droits des mineurs",
        "dans les conflits armés",
        "",
        "   Premier alinéa,",
        "   suite du même alinéa.",
        "",
        "",
        "<!-- FORCE BREAK -->",
        "\u200b",
        "Second alinéa.",
        "## Titre",
        "Texte collé au titre.",
    ]
    assert list(iter_blocks(lines)) == [
        "#### Paragraphe 3 : Des atteintes aux droits des mineurs dans les conflits armés",
        "Premier alinéa,\nsuite du même alinéa.",
        "Second alinéa.",
        "## Titre",
        "Texte collé au titre.",
    ]


@pytest.mark.parametrize(
    ("words", "value"),
    [("primero", 1), ("Primera", 1), ("vigésimo primero", 21), ("treinta y uno", 31), ("decimoctavo", 18)],
)
def test_spanish_numbers(words: str, value: int) -> None:
    assert spanish_number_to_int(words) == value


def test_spanish_ordinals_exclude_cardinals() -> None:
    assert spanish_ordinal_to_int("segunda") == 2
    assert spanish_ordinal_to_int("Dos") is None


def test_spanish_disposition_numbers() -> None:
    assert spanish_disposition_number("transitoria", "segunda") == "DT 2"
    assert spanish_disposition_number("derogatoria", "única") == "DD única"
    assert spanish_disposition_number("final", None) == "DF"


@pytest.mark.parametrize(
    ("text", "value"),
    [("الأولى", 1), ("العاشرة", 10), ("الحادية عشرة", 11), ("الثانية والثلاثون", 32), ("المائة", 100)],
)
def test_arabic_ordinals(text: str, value: int) -> None:
    assert arabic_ordinal_to_int(text) == value


def test_french_lettered_subdivisions_with_a_colon_are_structure() -> None:
    # Code pénal, partie réglementaire: "#### A. : De la décision du juge de l'application des peines..."
    from sherloc.ingest.structure import match_heading

    match = match_heading("A. : De la décision du juge de l'application des peines", "fr")
    assert match is not None and match.rank == 8
    assert match_heading("A. - Première classe.", "fr") is not None
