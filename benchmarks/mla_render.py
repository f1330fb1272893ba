"""Benchmark of the request writer's renderers: time and size of a typical request as DOCX and as PDF.

    .venv/bin/python benchmarks/mla_render.py [--runs 7]

Builds a typical request (header, four sections, two persons, a summary of facts of about a page and a
half, closing: about 3 pages) in English, Arabic and Chinese, renders it to DOCX and to PDF `--runs`
times after one warm-up run, and prints the median time, the size and, for the PDF, the page count.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pypdf import PdfReader  # noqa: E402

from sherloc.mla.document import Document, Entry, Field, Paragraph, Section  # noqa: E402
from sherloc.mla.render_docx import render_docx  # noqa: E402
from sherloc.mla.render_pdf import render_pdf  # noqa: E402

_TEXTS = {
    "en": (
        "Request for mutual legal assistance in criminal matters",
        (
            "Reference",
            "Date",
            "From",
            "To",
            "Authority",
            "Person",
            "Name",
            "Date of birth",
            "Nationality",
            "Address",
            "Summary of facts",
            "Offences",
            "Assistance requested",
            "Place and date",
            "Signatory",
            "Signature",
        ),
        (
            "1. Requesting authority",
            "2. Persons concerned",
            "3. Facts and offences",
            "4. Assistance requested",
        ),
        "The Central Authority presents its compliments and requests assistance under the United Nations "
        "Convention against Transnational Organized Crime. ",
        "Between 2019 and 2021 the suspects laundered about EUR 2.4 million from drug trafficking through "
        "shell companies in three jurisdictions, wiring funds to accounts held by nominees. ",
        ("John Smith", "Maria Rossi"),
        "London, 12 March 2024",
    ),
    "ar": (
        "طلب مساعدة قانونية متبادلة في المسائل الجنائية",
        (
            "المرجع",
            "التاريخ",
            "من",
            "إلى",
            "السلطة",
            "الشخص",
            "الاسم",
            "تاريخ الميلاد",
            "الجنسية",
            "العنوان",
            "ملخص الوقائع",
            "الجرائم",
            "المساعدة المطلوبة",
            "المكان والتاريخ",
            "الموقع",
            "التوقيع",
        ),
        ("1. السلطة الطالبة", "2. الأشخاص المعنيون", "3. الوقائع والجرائم", "4. المساعدة المطلوبة"),
        "تتشرف السلطة المركزية بطلب المساعدة وفقا لاتفاقية الأمم المتحدة "
        "لمكافحة الجريمة المنظمة عبر الوطنية. ",
        "بين عامي 2019 و2021 قام المشتبه فيهم بغسل نحو 2.4 مليون يورو متأتية من الاتجار بالمخدرات عبر شركات "
        "وهمية في ثلاث ولايات قضائية، وتحويل الأموال إلى حسابات باسم John Smith. ",
        ("John Smith", "ماريا روسي"),
        "الرباط، 12 مارس 2024",
    ),
    "zh": (
        "关于刑事事项司法协助的请求书",
        (
            "编号",
            "日期",
            "请求机关",
            "被请求机关",
            "机关名称",
            "人员",
            "姓名",
            "出生日期",
            "国籍",
            "地址",
            "案件事实",
            "涉嫌罪名",
            "请求协助事项",
            "地点和日期",
            "签署人",
            "签字",
        ),
        ("一、请求机关", "二、涉案人员", "三、案件事实和罪名", "四、请求协助事项"),
        "根据《联合国打击跨国有组织犯罪公约》，特提出本司法协助请求。",
        "2019年至2021年间，犯罪嫌疑人通过设在三个法域的空壳公司清洗毒品犯罪所得约240万欧元，"
        "并将资金汇入以John Smith等人名义开设的账户。",
        ("John Smith（约翰·史密斯）", "王小明"),
        "北京，2024年3月12日",
    ),
}


def typical_request(language: str) -> Document:
    title, labels, headings, phrase, facts, names, place = _TEXTS[language]
    persons = tuple(
        Entry(
            f"{labels[5]} {index}",
            (
                Field(labels[6], name),
                Field(labels[7], "03/05/1975"),
                Field(labels[8], "GB"),
                Field(labels[9], "221B Baker Street\nLondon NW1 6XE"),
            ),
        )
        for index, name in enumerate(names, 1)
    )
    return Document(
        language=language,
        direction="rtl" if language == "ar" else "ltr",
        title=title,
        header=(
            Field(labels[0], "MLA/2024/117"),
            Field(labels[1], place),
            Field(labels[2], "Central Authority\nMinistry of Justice"),
            Field(labels[3], "Central Authority\nFederal Office of Justice"),
        ),
        sections=(
            Section(headings[0], (Field(labels[4], "Public Prosecutor's Office"), Paragraph(phrase * 2))),
            Section(headings[1], persons),
            Section(
                headings[2],
                (Field(labels[10], "\n\n".join([facts * 6] * 4)), Field(labels[11], "Money laundering")),
            ),
            Section(headings[3], (Field(labels[12], "\n".join(f"{n}. {facts}" for n in range(1, 6))),)),
        ),
        closing=(Field(labels[13], place), Field(labels[14], "Jane Doe"), Field(labels[15], "")),
        marks=("CONFIDENTIAL",),
    )


def median_time(render: Callable[[Document], bytes], document: Document, runs: int) -> tuple[float, bytes]:
    output = render(document)  # warm-up: imports, font caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        output = render(document)
        times.append(time.perf_counter() - start)
    return statistics.median(times), output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"median of {args.runs} runs")
    print(f"{'lang':<5} {'format':<6} {'time':>9} {'size':>10} {'pages':>6}")
    for language in _TEXTS:
        document = typical_request(language)
        for name, render in (("docx", render_docx), ("pdf", render_pdf)):
            seconds, output = median_time(render, document, args.runs)
            pages = str(len(PdfReader(io.BytesIO(output)).pages)) if name == "pdf" else "-"
            print(
                f"{language:<5} {name:<6} {seconds * 1000:>7.0f}ms {len(output) / 1024:>7.1f}KiB {pages:>6}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
