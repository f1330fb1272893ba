"""DOCX and PDF rendering of an assembled mutual legal assistance request, in the six UN languages."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import zipfile
from functools import cache

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from sherloc.mla.document import Document, Entry, Field, Paragraph, Section
from sherloc.mla.render_docx import render_docx
from sherloc.mla.render_pdf import FONT_FILES, FONTS_DIR, covered_characters, render_pdf

EMOJI = "\U0001f600"
RARE_HAN = "\U00020000"  # CJK Extension B: not in the bundled subset
SPECIAL = "Crime & <its> \"Protocols\" 'here'"

# Per language: title, labels and values. The facts are repeated to make a value that spans pages.
_TEXTS = {
    "en": {
        "title": "Request for mutual legal assistance in criminal matters",
        "marks": ("CONFIDENTIAL", "URGENT"),
        "labels": (
            "Reference",
            "Date",
            "From",
            "Requesting authority",
            "Summary of facts",
            "Person",
            "Name",
            "Date of birth",
            "Address",
            "Place and date",
            "Signature",
        ),
        "headings": ("1. Requesting authority", "2. Persons concerned", "3. Facts"),
        "authority": "Crown Prosecution Service\nInternational Division\n\n102 Petty France, London",
        "phrase": "The Central Authority presents its compliments and requests assistance under the "
        "United Nations Convention against Transnational Organized Crime.",
        "facts": "The suspect transferred EUR 250,000 through a chain of shell companies in three "
        "jurisdictions between 2019 and 2021. ",
        "name": "Wang Xiaoming 王小明",
        "place": "London, 12 March 2024",
    },
    "fr": {
        "title": "Demande d'entraide judiciaire en matière pénale",
        "marks": ("CONFIDENTIEL",),
        "labels": (
            "Référence",
            "Date",
            "Expéditeur",
            "Autorité requérante",
            "Exposé des faits",
            "Personne",
            "Nom",
            "Date de naissance",
            "Adresse",
            "Lieu et date",
            "Signature",
        ),
        "headings": ("1. Autorité requérante", "2. Personnes concernées", "3. Faits"),
        "authority": "Parquet national financier\nTribunal judiciaire de Paris",
        "phrase": "L'autorité centrale française sollicite l'entraide au titre de la Convention des "
        "Nations Unies contre la criminalité transnationale organisée.",
        "facts": "Le suspect a viré 250 000 € à une société écran établie à Hong Kong, dont le gérant "
        "est M. 李华 (Li Hua). ",
        "name": "Li Hua 李华, né le 3 mai 1975 à Shanghai",
        "place": "Paris, le 12 mars 2024",
    },
    "es": {
        "title": "Solicitud de asistencia judicial recíproca en materia penal",
        "marks": ("URGENTE",),
        "labels": (
            "Referencia",
            "Fecha",
            "Remitente",
            "Autoridad requirente",
            "Resumen de los hechos",
            "Persona",
            "Nombre",
            "Fecha de nacimiento",
            "Dirección",
            "Lugar y fecha",
            "Firma",
        ),
        "headings": ("1. Autoridad requirente", "2. Personas afectadas", "3. Hechos"),
        "authority": "Fiscalía Especial contra la Corrupción y la Criminalidad Organizada\nMadrid",
        "phrase": "La Autoridad Central española solicita asistencia con arreglo a la Convención de las "
        "Naciones Unidas contra la Delincuencia Organizada Transnacional.",
        "facts": "El sospechoso transfirió 250.000 € a través de sociedades pantalla en Panamá y "
        "Gibraltar; la investigación continúa. ",
        "name": "José Núñez Peña",
        "place": "Madrid, 12 de marzo de 2024",
    },
    "ru": {
        "title": "Запрос о взаимной правовой помощи по уголовным делам",
        "marks": ("СЕКРЕТНО", "СРОЧНО"),
        "labels": (
            "Номер",
            "Дата",
            "Отправитель",
            "Запрашивающий орган",
            "Изложение фактов",
            "Лицо",
            "Имя",
            "Дата рождения",
            "Адрес",
            "Место и дата",
            "Подпись",
        ),
        "headings": ("1. Запрашивающий орган", "2. Лица", "3. Факты"),
        "authority": "Генеральная прокуратура Российской Федерации\nул. Большая Дмитровка, 15а, Москва",
        "phrase": "Генеральная прокуратура просит оказать правовую помощь в соответствии с Конвенцией "
        "ООН против транснациональной организованной преступности.",
        "facts": "Подозреваемый перевёл 250 000 долларов США через подставные компании (John Smith, "
        "Cyprus Holdings Ltd). ",
        "name": "Иванов Иван Иванович",
        "place": "Москва, 12 марта 2024 г.",
    },
    "zh": {
        "title": "关于刑事事项司法协助的请求书",
        "marks": ("机密", "紧急"),
        "labels": (
            "编号",
            "日期",
            "请求机关",
            "机关名称",
            "案件事实",
            "人员",
            "姓名",
            "出生日期",
            "地址",
            "地点和日期",
            "签字",
        ),
        "headings": ("一、请求机关", "二、涉案人员", "三、案件事实"),
        "authority": "中华人民共和国最高人民检察院\n国际合作局\n\n北京市东城区北河沿大街147号",
        "phrase": "根据《联合国打击跨国有组织犯罪公约》，特提出本司法协助请求。",
        "facts": "犯罪嫌疑人通过地下钱庄将毒品犯罪所得人民币五百万元转移至境外，并以John Smith名义在伦敦"
        "开设银行账户。",
        "name": "John Smith（约翰·史密斯）",
        "place": "北京，2024年3月12日",
    },
    "ar": {
        "title": "طلب مساعدة قانونية متبادلة في المسائل الجنائية",
        "marks": ("سري", "عاجل"),
        "labels": (
            "المرجع",
            "التاريخ",
            "من",
            "السلطة الطالبة",
            "ملخص الوقائع",
            "الشخص",
            "الاسم",
            "تاريخ الميلاد",
            "العنوان",
            "المكان والتاريخ",
            "التوقيع",
        ),
        "headings": ("1. السلطة الطالبة", "2. الأشخاص المعنيون", "3. الوقائع"),
        "authority": "النيابة العامة لدى محكمة الاستئناف\nالرباط",
        "phrase": "تتشرف السلطة المركزية بطلب المساعدة وفقا لاتفاقية الأمم المتحدة لمكافحة الجريمة المنظمة "
        "عبر الوطنية.",
        "facts": "قام المشتبه فيه بتحويل مبلغ 250000 دولار إلى حساب مصرفي باسم John Smith في لندن. ",
        "name": "John Smith",
        "place": "الرباط، 12 مارس 2024",
    },
}
LANGUAGES = tuple(_TEXTS)


def make_document(language: str, repeat: int = 45) -> Document:
    t = _TEXTS[language]
    labels = t["labels"]
    facts = t["facts"] * repeat + "\n\n" + SPECIAL + " \x07 " + EMOJI + " " + RARE_HAN + " end"
    return Document(
        language=language,
        direction="rtl" if language == "ar" else "ltr",
        title=t["title"],
        header=(
            Field(labels[0], "MLA/2024/117"),
            Field(labels[1], t["place"]),
            Field(labels[2], t["authority"]),
        ),
        sections=(
            Section(t["headings"][0], (Field(labels[3], t["authority"]), Paragraph(t["phrase"]))),
            Section(
                t["headings"][1],
                (
                    Entry(
                        labels[5] + " 1",
                        (
                            Field(labels[6], t["name"]),
                            Field(labels[7], "03/05/1975"),
                            Field(labels[8], "221B Baker Street\nLondon NW1 6XE"),
                        ),
                    ),
                ),
            ),
            Section(t["headings"][2], (Field(labels[4], facts),)),
        ),
        closing=(Field(labels[9], t["place"]), Field(labels[10], "")),
        marks=t["marks"],
    )


@cache
def rendered(language: str) -> tuple[bytes, bytes]:
    document = make_document(language)
    return render_docx(document), render_pdf(document)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    """The text of every page, without the page numbers of the footer (a value may run on across pages)."""
    pages = [page.extract_text().rstrip() for page in PdfReader(io.BytesIO(data)).pages]
    return "\n".join(re.sub(r"\n?\d+ / \d+$", "", page) for page in pages)


# -- DOCX ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_docx_holds_every_text(language):
    data, _ = rendered(language)
    haystack = squash(docx_text(data))
    for text in make_document(language).texts():
        expected = squash(text.replace("\x07", ""))  # the control character is dropped, all else kept
        assert expected in haystack, (language, text[:80])
    assert EMOJI in haystack and RARE_HAN in haystack  # Word has the fonts for those: stored as given


def test_docx_stores_text_as_given():
    data, _ = rendered("en")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert f"{SPECIAL}  {EMOJI} {RARE_HAN} end" in paragraphs
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "\x07" not in xml and "&amp;lt;" not in xml and "&amp;amp;" not in xml


def test_docx_is_the_same_bytes_whenever_it_is_rendered():
    # The zip members carry no time of rendering: a finalised request downloaded twice is the same file.
    data, _ = rendered("en")
    dates = {member.date_time for member in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    assert dates == {(1980, 1, 1, 0, 0, 0)}
    assert render_docx(make_document("en")) == data


def test_docx_layout():
    document = make_document("en")
    data, _ = rendered("en")
    result = docx.Document(io.BytesIO(data))
    headings = [p.text for p in result.paragraphs if p.style.name == "Heading 1"]
    assert headings == [section.heading for section in document.sections]
    section = result.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    footer_xml = section.footer._element.xml
    assert " PAGE " in footer_xml and " NUMPAGES " in footer_xml
    first = result.paragraphs[0]
    assert first.text == "CONFIDENTIAL" and first.runs[0].bold
    title = next(p for p in result.paragraphs if p.text == document.title)
    assert title.alignment is not None and title.alignment.name == "CENTER"
    # The Entry is an editable two-column table: label, value.
    table = result.tables[0]
    assert [(r.cells[0].text, r.cells[1].text) for r in table.rows] == [
        ("Name", "Wang Xiaoming 王小明"),
        ("Date of birth", "03/05/1975"),
        ("Address", "221B Baker Street\nLondon NW1 6XE"),
    ]
    # A multi-line value: one paragraph per line, the blank line kept.
    texts = [p.text for p in result.paragraphs]
    start = texts.index("Requesting authority")
    assert texts[start + 1 : start + 5] == [
        "Crown Prosecution Service",
        "International Division",
        "",
        "102 Petty France, London",
    ]
    assert "_" * 20 in texts[-1]  # the signature line
    assert not any(
        p._p.pPr is not None and p._p.pPr.find(qn("w:bidi")) is not None for p in result.paragraphs
    )


def test_docx_arabic_is_right_to_left():
    data, _ = rendered("ar")
    result = docx.Document(io.BytesIO(data))
    paragraphs = list(result.paragraphs)
    for table in result.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs += cell.paragraphs
    assert len(paragraphs) > 20
    for paragraph in paragraphs:
        assert paragraph._p.pPr is not None and paragraph._p.pPr.find(qn("w:bidi")) is not None, (
            paragraph.text
        )
        for run in paragraph.runs:
            rtl = run._r.rPr is not None and run._r.rPr.find(qn("w:rtl")) is not None
            # Arabic runs are w:rtl; Latin words (John Smith, Baker Street) are runs of their own without it.
            if re.search(r"[\u0600-\u06ff]", run.text):
                assert rtl and not re.search(r"[A-Za-z]", run.text), run.text
            elif re.search(r"[A-Za-z]", run.text):
                assert not rtl, run.text
    runs = [run.text for paragraph in paragraphs for run in paragraph.runs]
    assert "John Smith" in runs and "MLA/2024/117" in runs
    assert result.sections[0]._sectPr.find(qn("w:bidi")) is not None
    assert result.tables[0]._tbl.tblPr.find(qn("w:bidiVisual")) is not None
    styles = result.styles.element.xml
    assert 'w:bidi="ar-SA"' in styles and 'w:val="ar-SA"' in styles and 'w:cs="Arial"' in styles


def test_docx_chinese_language_and_fonts():
    data, _ = rendered("zh")
    styles = docx.Document(io.BytesIO(data)).styles.element.xml
    assert 'w:val="zh-CN"' in styles and 'w:eastAsia="zh-CN"' in styles
    assert 'w:eastAsia="SimSun"' in styles and 'w:hint="eastAsia"' in styles
    assert "w:asciiTheme" not in styles.split("</w:docDefaults>")[0]  # explicit fonts, not the theme's


# -- PDF -------------------------------------------------------------------------------------------------


def test_pdf_replacement_expectations():
    assert ord(EMOJI) not in covered_characters() and ord(RARE_HAN) not in covered_characters()


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "ar"])
def test_pdf_holds_every_text(language):
    _, data = rendered(language)
    reader = PdfReader(io.BytesIO(data))
    assert 2 <= len(reader.pages) <= 6  # the long summary of facts breaks across pages
    haystack = squash(pdf_text(data))
    for text in make_document(language).texts():
        # Printed as "�" as no bundled font has them; the control character is dropped.
        expected = squash(text.replace("\x07", "").replace(EMOJI, "\ufffd").replace(RARE_HAN, "\ufffd"))
        assert expected in haystack, (language, text[:80])
    assert reader.pages[0].extract_text().rstrip().endswith(f"1 / {len(reader.pages)}")


def test_pdf_arabic_words_are_extractable():
    """Word by word (see render_pdf's docstring): the Arabic words, Latin names and numbers all come back."""
    _, data = rendered("ar")
    haystack = pdf_text(data)
    words = {
        word.strip(".،:()")
        for text in make_document("ar").texts()
        for word in text.replace("\x07", "").replace(EMOJI, " ").replace(RARE_HAN, " ").split()
    }
    words.discard("")
    assert {"John", "Smith", "250000", "03/05/1975", "MLA/2024/117", "الرباط", "الجنائية"} <= words
    missing = sorted(word for word in words if word not in haystack)
    assert not missing
    assert "\ufffd" in haystack


def test_pdf_mixed_scripts_use_every_font():
    _, data = rendered("fr")
    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        fonts |= {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert any("NotoSerifCJK" in font for font in fonts) and any(
        font.split("+")[-1] == "NotoSerif" for font in fonts
    )


def test_pdf_nothing_overflows_the_page():
    """A long unbreakable value is cut into lines that fit between the margins (A4: 160 mm of text)."""
    document = Document(
        "en", "ltr", "T", (), (Section("S", (Field("L", "x" * 3000 + " " + "长" * 500),)),), ()
    )
    reader = PdfReader(io.BytesIO(render_pdf(document)))
    assert len(reader.pages) >= 2
    chunks: list[tuple[float, str]] = []
    for page in reader.pages:
        page.extract_text(
            visitor_text=lambda text, cm, tm, fonts, size: (
                chunks.append((tm[4], text)) if text.strip() else None
            )
        )
    xs = [text for x, text in chunks if set(text) == {"x"}]
    han = [text for x, text in chunks if set(text) == {"长"}]
    assert "".join(xs) == "x" * 3000 and "".join(han) == "长" * 500
    # 11 pt Noto Serif "x" is 6 pt wide, a Han character 11 pt: at most 75 and 41 of them on 453 pt.
    assert max(map(len, xs)) <= 75 and max(map(len, han)) <= 41
    left = 25 / 25.4 * 72
    assert all(
        left - 1 < x < float(reader.pages[0].mediabox.width) / 2 for x, text in chunks if text in xs + han
    )


ODD_DOCUMENTS = [
    Document("en", "ltr", "", (), (), ()),
    Document("ar", "rtl", "\x00\x01", (Field("", ""),), (Section("", ()),), (Field("", ""),), ("",)),
    Document("zh", "ltr", "\ud800" + RARE_HAN * 50, (), (Section("\n\n", (Paragraph("\r\n\r\n\t"),)),), ()),
    Document(
        "ru", "ltr", "T", (), (Section("S", (Entry("", ()), Entry("E", (Field("x" * 500, "y"),)))),), ()
    ),
    Document("fr", "ltr", EMOJI * 200, (), (Section("S", (Field("\u200b\u202e\ufeff", "\U000e0001"),)),), ()),
    Document("es", "sideways", "T", (), (Section("S", (Paragraph("a\n" * 300),)),), (Field("F", "\n" * 50),)),
    Document("xx", "ltr", "T", (), (Section("S", (Entry("E", (Field("L", "v\n" * 400),)),)),), ()),
]


@pytest.mark.parametrize("document", ODD_DOCUMENTS)
def test_odd_input_never_raises_nor_warns(document, caplog):
    with caplog.at_level(logging.WARNING):
        pdf = render_pdf(document)
        data = render_docx(document)
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1
    assert docx.Document(io.BytesIO(data)).paragraphs is not None


# -- fonts -----------------------------------------------------------------------------------------------


def test_bundled_fonts_are_small_and_cover_gb2312():
    files = {name for styles in FONT_FILES.values() for name in styles.values()}
    total = sum((FONTS_DIR / name).stat().st_size for name in files)
    assert total < 4.5 * 1024 * 1024
    assert (FONTS_DIR / "OFL.txt").is_file() and (FONTS_DIR / "README.md").is_file()
    covered = covered_characters()
    gb2312 = set()
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                gb2312.add(ord(bytes((high, low)).decode("gb2312")))
    assert len(gb2312) == 6763 and gb2312 <= covered
    assert {ord(c) for c in "AzÀÿŁŒΩЖщ€«»“”—№"} <= covered
    assert {ord(c) for c in "ابتثجحخ٠١٢،؛؟"} <= covered
