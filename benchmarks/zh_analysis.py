"""Compare Chinese analysis for search: one token per character, overlapping bigrams, or jieba words.

    .venv/bin/pip install -e '.[bench]'          # jieba, the segmenter compared here
    .venv/bin/python benchmarks/zh_analysis.py [--corpora ../shared/corpora] [--full] [--details]

Builds four tantivy indexes of the same Chinese documents in a temp dir and searches them with the same
queries. The documents: every article of the lawrefbook Markdown laws (a fixed sample of the files unless
--full; the Criminal Law and the judicial interpretations always), the LeCaRDv2 criminal judgments and the
CAIL2022 drug-case paragraphs. Methods (the first four are indexes, the last two reuse them):

  unigram           one token per Han character (production's TOKEN_PATTERN, tantivy regex tokenizer);
                    a query word is a phrase of its characters.
  unigram-punct     the same, but punctuation and symbols are tokens too, so that a phrase cannot match
                    across them (贩卖，毒品 is not 贩卖毒品; 冰毒）贩卖 is not 毒贩).
  bigram            overlapping Han bigrams within a run of Han characters (a lone character stays a
                    unigram); a query is a phrase of its bigrams; a one-character query is a regex over the
                    bigram terms (X. or .X) or the lone unigram.
  jieba-phrase      jieba 0.42 search mode at index time (cut_for_search: each word of jieba.cut plus its
                    dictionary sub-words of 2 and 3 characters at the same position); jieba.cut of the
                    query, words as a phrase. A one-character query is a plain term, as a segmenting
                    engine would search it: it finds the character only where jieba left it alone.
  jieba-and         the same index; the query's words ANDed anywhere in the document.
  unigram+jieba-and the unigram index; the query split by jieba.cut, each word a character phrase, ANDed
                    (does query-side segmentation alone buy anything?).

Relevance never comes from a method under test:

  statutes   Criminal Law articles. Label: the charge names the SPP 1997 opinion and the SPC/SPP
             supplementary rules (2002-2024, all in lawrefbook/司法解释) assign to the article number, plus
             the heading of the 节 the article sits in (e.g. 走私、贩卖、运输、制造毒品罪 for Art. 347-357).
  judgments  LeCaRDv2 judgments. Label: the charges named in the caption and indictment before the
             findings of fact (official charge names found in the title; "犯/涉嫌/被控 ...罪"; "罪名：").
             The indexed text is the rest of the judgment (facts, evidence, reasoning), not the caption.
  drug       CAIL2022 paragraphs. Label: the annotators' relations (sell_drugs_to, traffic_in, posess,
             provide_shelter_for) and drug-type entity spans (NDR).
  A query is relevant to a document if the query's label pattern (written per query below, by hand)
  matches the document's label. Recall = relevant documents found / relevant; precision = found documents
  that are relevant / found, over the query's collection only; group figures are macro averages, and
  precision is averaged over the queries that found anything ("no hit at all" counts the others).
  cross      Character strings that often straddle a word boundary in legal Chinese, searched over all
             documents. Judgement rule: for each string a hand-written regex (written from a
             keyword-in-context list of the corpus, before any method was run) gives the contexts where it
             is NOT the word, e.g. 法人 in 执法人员 (执法|人员), 人身 in 个人身份 (个人|身份),
             国有 in 中华人民共和国有关 (共和国|有关).
             A document is relevant if it holds at least one occurrence outside those contexts. By this
             definition a substring index finds every relevant document (recall 1.0): the question is how
             much it finds besides (precision), and what segmentation loses to get rid of it.

Also printed: index size (without the stored text, which every index keeps identically), build time (Python
pre-tokenisation + tantivy), query latency p50/p95 (top 10 with count, whole index), and whether the
highlighter can show the match: for a sample of hits, the share where production's substring highlighter
(search.highlight: mark each occurrence of the query's words in the stored text) marks exactly the spans
the index matched (recomputed from the method's tokens and their character offsets). tantivy's own snippet
generator re-analyses stored text with the field's registered tokenizer, so for pre-tokenised fields
(bigram, jieba) it cannot mark anything: highlighting has to be done by the application in any case.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex
import tantivy

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sherloc.search.analysis import TOKEN_PATTERN  # noqa: E402

try:
    import jieba
except ImportError:  # the message says what to do, instead of a traceback
    sys.exit("benchmarks/zh_analysis.py needs jieba: .venv/bin/pip install -e '.[bench]'")

SAMPLE_SHARE = 0.25  # share of the other lawrefbook files in the default run (--full: all)
HIT_SAMPLE = 25  # hits per query checked for highlighting

# -- queries ---------------------------------------------------------------------------------------------
# (query, kind, {collection: label pattern}). kind: 1-char, word (one lexical word), phrase (several).
LABELLED: list[tuple[str, str, dict[str, str]]] = [
    ("洗钱", "word", {"statutes": "洗钱"}),
    ("洗钱罪", "phrase", {"statutes": "洗钱"}),
    # not the drug charge 走私、贩卖、运输、制造毒品罪, which is the drug trade however it is done
    ("走私", "word", {"statutes": "走私(?!、贩卖)", "judgments": "走私(?!、贩卖)"}),
    ("走私文物", "phrase", {"statutes": "走私文物"}),
    ("文物", "word", {"statutes": "文物"}),
    ("毒品", "word", {"statutes": "毒品", "judgments": "毒品|吸毒"}),
    ("毒", "1-char", {"statutes": "毒", "judgments": "毒"}),
    (
        "贩卖毒品",
        "phrase",
        {"statutes": "贩卖.{0,6}毒品", "judgments": "贩卖.{0,6}毒品", "drug": "sell|traffic"},
    ),
    ("贩毒", "word", {"judgments": "贩卖.{0,6}毒品", "drug": "sell|traffic"}),
    ("贩卖", "word", {"drug": "sell|traffic"}),
    ("出售", "word", {"drug": "sell|traffic"}),
    ("卖", "1-char", {"drug": "sell|traffic"}),
    ("吸毒", "word", {"statutes": "吸毒", "judgments": "吸毒"}),
    ("容留", "word", {"judgments": "容留", "drug": "shelter"}),
    (
        "容留他人吸毒",
        "phrase",
        {"statutes": "容留他人吸毒", "judgments": "容留.{0,4}吸毒", "drug": "shelter"},
    ),
    ("容留吸毒", "phrase", {"judgments": "容留.{0,4}吸毒", "drug": "shelter"}),
    ("持有", "word", {"drug": "posess"}),
    ("非法持有毒品", "phrase", {"statutes": "非法持有毒品", "judgments": "持有毒品", "drug": "posess"}),
    ("海洛因", "word", {"drug": "NDR:[^ ]*(海洛因|二乙酰吗啡)"}),
    ("冰毒", "word", {"drug": "NDR:[^ ]*(冰毒|甲基苯丙胺)"}),
    ("甲基苯丙胺", "word", {"drug": "NDR:[^ ]*(冰毒|甲基苯丙胺)"}),
    ("麻古", "word", {"drug": "NDR:[^ ]*(麻古|麻果)"}),
    ("氯胺酮", "word", {"drug": "NDR:[^ ]*(氯胺酮|[Kk]粉)"}),
    ("K粉", "word", {"drug": "NDR:[^ ]*(氯胺酮|[Kk]粉)"}),
    ("拐卖", "word", {"statutes": "拐卖"}),
    ("拐卖妇女", "phrase", {"statutes": "拐卖.{0,3}妇女"}),
    ("受贿", "word", {"statutes": "受贿", "judgments": "受贿"}),
    ("行贿", "word", {"statutes": "行贿", "judgments": "行贿"}),
    ("贿赂", "word", {"statutes": "贿", "judgments": "贿"}),
    ("贿", "1-char", {"statutes": "贿", "judgments": "贿"}),
    ("贪污", "word", {"statutes": "贪污", "judgments": "贪污"}),
    ("挪用公款", "phrase", {"statutes": "挪用公款", "judgments": "挪用公款"}),
    ("组织", "word", {"statutes": "组织", "judgments": "组织"}),
    ("黑社会", "word", {"statutes": "黑社会"}),
    ("黑社会性质组织", "phrase", {"statutes": "黑社会性质"}),
    ("枪支", "word", {"statutes": "枪支", "judgments": "枪"}),
    ("枪", "1-char", {"statutes": "枪", "judgments": "枪"}),
    ("诈骗", "word", {"statutes": "诈骗", "judgments": "诈骗"}),
    ("骗", "1-char", {"statutes": "骗", "judgments": "骗"}),
    ("信用卡诈骗", "phrase", {"statutes": "信用卡", "judgments": "信用卡"}),
    ("盗窃", "word", {"statutes": "盗窃", "judgments": "盗窃"}),
    ("盗", "1-char", {"statutes": "盗", "judgments": "盗"}),
    ("抢劫", "word", {"statutes": "抢劫", "judgments": "抢劫"}),
    ("赌博", "word", {"statutes": "赌博", "judgments": "赌"}),
    ("开设赌场", "phrase", {"statutes": "开设赌场", "judgments": "开设赌场"}),
    ("赌", "1-char", {"statutes": "赌", "judgments": "赌"}),
    ("卖淫", "word", {"statutes": "卖淫", "judgments": "卖淫"}),
    ("组织卖淫", "phrase", {"statutes": "组织.{0,8}卖淫", "judgments": "组织卖淫"}),
    ("故意伤害", "phrase", {"statutes": "故意伤害", "judgments": "故意伤害"}),
    ("杀人", "word", {"statutes": "杀人", "judgments": "杀人"}),
    ("放火", "word", {"statutes": "放火", "judgments": "放火"}),
    ("寻衅滋事", "word", {"statutes": "寻衅滋事", "judgments": "寻衅滋事"}),
    ("传销", "word", {"statutes": "传销", "judgments": "传销"}),
    ("偷越国境", "phrase", {"statutes": "偷越"}),
    ("野生动物", "phrase", {"statutes": "野生动物|珍贵动物"}),
    ("假药", "word", {"statutes": "假药", "judgments": "假药"}),
    ("逃税", "word", {"statutes": "偷税|逃税"}),
    ("妨害公务", "phrase", {"statutes": "妨害公务", "judgments": "妨害公务"}),
    ("非法拘禁", "phrase", {"statutes": "非法拘禁", "judgments": "非法拘禁"}),
    ("敲诈勒索", "word", {"statutes": "敲诈勒索", "judgments": "敲诈勒索"}),
    ("职务侵占", "phrase", {"statutes": "职务侵占", "judgments": "职务侵占"}),
    ("危险驾驶", "phrase", {"statutes": "危险驾驶", "judgments": "危险驾驶"}),
    ("交通肇事", "word", {"statutes": "交通肇事", "judgments": "交通肇事"}),
]

# (string, contexts where it is not the word). Written from a keyword-in-context list of the corpus.
CROSS_BOUNDARY: list[tuple[str, str]] = [
    ("法人", r"法人(?=员|民|士)"),  # 执法|人员, 司法|人员, 依法|人民法院
    ("人身", r"人身(?=心|份|体|上|边)"),  # 未成年人|身心, 自然人|身份, 被害人|身体
    ("证人", r"(?<=[保公])证人"),  # 保证|人, 公证|人
    ("管制", r"管制(?=度)"),  # 保管|制度, 监管|制度
    ("人贩", r"人贩(?!子)"),  # 被告人|贩卖, 等人|贩毒 (the word is 人贩子)
    ("国有", r"(?<=[和中全外本我该各])国有(?=关|重|权|效|些|着|所|力|色|一|利|许)"),  # 共和国|有关
    ("出口", r"出口(?=头|供)"),  # 提出|口头, 作出|口供
    ("毒贩", r"毒贩(?=卖|运)"),  # 冰毒|贩卖
    ("工人", r"工人(?=员|数|身|次|口)"),  # 务工|人员, 职工|人数
    ("和平", r"和平(?=整|台|等|衡|均)"),  # 清理和|平整, 业务和|平台
    ("人事", r"人事(?=业|务|项|件|前|后|先|实|故|情|宜|物)"),  # 残疾人|事业, 军人|事务, 他人|事前
]

METHODS = ("unigram", "unigram-punct", "bigram", "jieba-phrase", "jieba-and", "unigram+jieba-and")
INDEX_OF = {
    "unigram": "unigram",
    "unigram-punct": "unigram-punct",
    "bigram": "bigram",
    "jieba-phrase": "jieba",
    "jieba-and": "jieba",
    "unigram+jieba-and": "unigram",
}


# -- corpus ----------------------------------------------------------------------------------------------
@dataclass
class Doc:
    id: str
    collection: str  # statutes, judgments, drug, or other (unlabelled background)
    text: str
    label: str = ""


_CN_DIGITS = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMBER = "一二三四五六七八九十百千零〇两"
_ARTICLE_REF = re.compile(rf"第([{_CN_NUMBER}\d]+)条(?:之([{_CN_NUMBER}]))?")
_ARTICLE_LINE = re.compile(rf"^第([{_CN_NUMBER}]+)条(?:之([{_CN_NUMBER}]))?[ \u3000]")


def cn_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    total, current = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
    return total + current


def article_key(number: str, suffix: str | None) -> tuple[int, int]:
    return cn_number(number), cn_number(suffix) if suffix else 0


def _body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("<!-- INFO END -->")
    return rest if sep else text


def charge_labels(interpretations: Path) -> dict[tuple[int, int], list[str]]:
    """Criminal Law article -> charge names, from the SPP 1997 opinion and the SPC/SPP supplementary rules."""
    labels: dict[tuple[int, int], list[str]] = {}
    for path in sorted(interpretations.glob("*罪名*.md")):
        text = _body(path)
        # The 1997 opinion: "109．洗钱罪（第191条）"
        for m in re.finditer(r"([\u4e00-\u9fff、]+罪)（([^（）]*第\d+条[^（）]*)）", text):
            for ref in _ARTICLE_REF.finditer(m.group(2)):
                labels.setdefault(article_key(*ref.groups()), []).append(m.group(1))
        # The supplements: "| 第一百九十一条 （《刑法修正案（十一）》第十四条） |洗钱罪 |"
        for line in text.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 2 or not line.startswith("|") or cells[0].startswith("《"):
                continue
            refs = re.sub(r"（[^（）]*）", "", re.sub(r"《[^》]*》", "", cells[0]))
            for ref in _ARTICLE_REF.finditer(refs):
                labels.setdefault(article_key(*ref.groups()), []).append(cells[1])
    return labels


def split_articles(text: str) -> Iterable[tuple[tuple[int, int] | None, str, str]]:
    """(article key or None, its 节 heading in the 分则, text) per article; other text in blocks."""
    section, special_part = "", False
    current: list[str] = []
    key: tuple[int, int] | None = None
    for line in text.splitlines():
        article = _ARTICLE_LINE.match(line)
        if line.startswith("#") or article:
            if current and "".join(current).strip():
                yield key, section, "\n".join(current).strip()
            current, key = [], article_key(*article.groups()) if article else None
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            if re.match(r"第.+节", heading) and special_part:
                section = heading
            elif re.match(r"第.+[章编]", heading):
                section = ""
                special_part = special_part or heading.endswith("分则")
            continue
        current.append(line)
        if key is None and sum(len(x) for x in current) > 1000:
            yield None, section, "\n".join(current).strip()
            current = []
    if current and "".join(current).strip():
        yield key, section, "\n".join(current).strip()


def load_laws(root: Path, full: bool, seed: int) -> list[Doc]:
    base = root / "zh-cn-laws-lawrefbook"
    labels = charge_labels(base / "司法解释")
    files = sorted(base.rglob("*.md"))
    always = [p for p in files if p.parent.name in ("刑法", "司法解释")]
    others = [p for p in files if p not in always]
    if not full:
        others = random.Random(seed).sample(others, round(len(others) * SAMPLE_SHARE))
    docs: list[Doc] = []
    for path in always + sorted(others):
        rel = path.relative_to(base).as_posix()
        is_code = rel == "刑法/刑法.md"
        for n, (key, section, text) in enumerate(split_articles(_body(path))):
            if is_code and key is not None:
                label = " | ".join([*labels.get(key, []), section])
                docs.append(Doc(f"{rel}#{key[0]}-{key[1]}", "statutes", text, label))
            else:
                docs.append(Doc(f"{rel}#{n}", "other", text))
    return docs


def load_judgments(root: Path) -> list[Doc]:
    base = root / "zh-cn-decisions-lecardv2"
    charges = [
        c.strip().removesuffix("罪")
        for c in (base / "others" / "criminal charges.txt").read_text(encoding="utf-8").splitlines()
        if c.strip()
    ]
    seen: set[str] = set()
    docs: list[Doc] = []
    for path in sorted((base / "query").glob("*.json")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            full, fact = row["query"], row["fact"]
            if full[:200] in seen:  # the three query files share some judgments
                continue
            seen.add(full[:200])
            cut = full.find(fact[:30])
            if cut < 50:  # no caption before the facts: the title is the caption
                m = re.search(r"(判决|裁定)书", full[:120])
                cut = m.end() if m else 0
            head, body = full[:cut], full[cut:] or fact
            title = head[: (m.end() if (m := re.search(r"(判决|裁定)书", head)) else 60)]
            names = {c for c in charges if len(c) > 1 and c in title}
            # "曾因犯盗窃罪被判处" is a previous conviction, not this case's charge
            names.update(re.findall(r"(?:(?<![因曾])犯|涉嫌|被控)([\u4e00-\u9fff、]{2,25}?罪)", head))
            names.update(re.findall(r"罪名[：:]([^。]{2,40})", head))
            collection = "judgments" if names else "other"
            docs.append(Doc(f"lecardv2/{row['id']}", collection, body, "; ".join(sorted(names))))
    return docs


def load_drug_paragraphs(root: Path) -> list[Doc]:
    short = {
        "sell_drugs_to": "sell",
        "traffic_in": "traffic",
        "posess": "posess",  # sic
        "provide_shelter_for": "shelter",
    }
    docs: list[Doc] = []
    path = root / "zh-cn-decisions-cail2022-drug-ie" / "train.json"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        rels = sorted({short[r["label"]] for r in row["relationMentions"] if r["label"] in short})
        drugs = sorted({f"NDR:{e['text']}" for e in row["entityMentions"] if e["label"] == "NDR"})
        doc_id = f"cail2022/{row['articleId']}-{row['sentId']}"
        docs.append(Doc(doc_id, "drug", row["sentText"], " ".join(rels + drugs)))
    return docs


# -- tokenisers with offsets (token text, position, start, end) ------------------------------------------
Tok = tuple[str, int, int, int]
# Punctuation and symbols as tokens of their own, so that a phrase cannot match across them.
PUNCT_PATTERN = TOKEN_PATTERN + r"|[\p{P}\p{S}]"
_WORD = regex.compile(TOKEN_PATTERN, regex.V1)
_WORD_PUNCT = regex.compile(PUNCT_PATTERN, regex.V1)
_HAN = regex.compile(r"\p{Han}")
_WORDLIKE = re.compile(r"\w")  # jieba also returns punctuation and spaces as words: those are dropped


def unigram_tokens(text: str, pattern: regex.Pattern[str] = _WORD) -> list[Tok]:
    """What tantivy's regex tokenizer + lowercase + remove_long(64) makes of text, with char offsets."""
    out: list[Tok] = []
    for m in pattern.finditer(text):
        word = m.group().lower()
        if len(word.encode()) < 64:
            out.append((word, len(out), m.start(), m.end()))
    return out


def bigram_tokens(text: str) -> list[Tok]:
    """Overlapping bigrams over each run of adjacent Han characters; other words as unigram gives them."""
    out: list[Tok] = []
    run: list[Tok] = []

    def flush() -> None:
        if len(run) == 1:
            out.append((run[0][0], len(out), run[0][2], run[0][3]))
        for a, b in zip(run, run[1:], strict=False):
            out.append((a[0] + b[0], len(out), a[2], b[3]))
        run.clear()

    for tok in unigram_tokens(text):
        if _HAN.fullmatch(tok[0]):
            if run and run[-1][3] != tok[2]:
                flush()
            run.append(tok)
        else:
            flush()
            out.append((tok[0], len(out), tok[2], tok[3]))
    flush()
    return out


_FREQ: dict[str, int] = {}


def jieba_tokens(text: str) -> list[Tok]:
    """jieba.cut words, each followed by its dictionary sub-words (as cut_for_search) at the same position."""
    out: list[Tok] = []
    start, pos = 0, 0
    for word in jieba.cut(text):
        end = start + len(word)
        if _WORDLIKE.search(word):
            w = word.lower()
            for n in (2, 3):
                if len(w) > n:
                    out.extend(
                        (w[i : i + n], pos, start + i, start + i + n)
                        for i in range(len(w) - n + 1)
                        if _FREQ.get(w[i : i + n])
                    )
            out.append((w, pos, start, end))
            pos += 1
        start = end
    return out


def query_words(q: str) -> list[str]:
    return [w.lower() for w in jieba.cut(q) if _WORDLIKE.search(w)]


TOKENISERS: dict[str, Callable[[str], list[Tok]]] = {
    "unigram": unigram_tokens,
    "unigram-punct": lambda text: unigram_tokens(text, _WORD_PUNCT),
    "bigram": bigram_tokens,
    "jieba": jieba_tokens,
}


# -- indexes ---------------------------------------------------------------------------------------------
@dataclass
class Built:
    index: tantivy.Index
    schema: tantivy.Schema
    path: Path
    prep_s: float
    index_s: float
    size_bytes: int
    store_bytes: int
    analyzer: Any = None
    collection_sizes: dict[str, int] = field(default_factory=dict)


def build_index(kind: str, docs: list[Doc], path: Path) -> Built:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("n", stored=False, indexed=False, fast=True)
    sb.add_text_field("collection", stored=False, tokenizer_name="raw")
    native = kind.startswith("unigram")  # tokenised by tantivy; the others are pre-tokenised in Python
    sb.add_text_field("text", stored=False, tokenizer_name="zh" if native else "whitespace")
    sb.add_bytes_field("body", stored=True, indexed=False, fast=False)  # the stored text, same for all
    schema = sb.build()
    path.mkdir(parents=True)
    index = tantivy.Index(schema, path=str(path))
    pattern = PUNCT_PATTERN if kind == "unigram-punct" else TOKEN_PATTERN
    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(pattern))
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .build()
    )
    index.register_tokenizer("zh", analyzer)
    prep = 0.0
    t0 = time.perf_counter()
    writer = index.writer(200_000_000, 1)
    for n, d in enumerate(docs):
        doc = tantivy.Document()
        doc.add_unsigned("n", n)
        doc.add_text("collection", d.collection)
        doc.add_bytes("body", d.text.encode())
        if native:
            doc.add_text("text", d.text)
        else:
            tp = time.perf_counter()
            toks = [tantivy.Token(t, p, s, e) for t, p, s, e in TOKENISERS[kind](d.text)]
            doc.add_pre_tokenized_text("text", tantivy.PreTokenizedString(d.text, toks))
            prep += time.perf_counter() - tp
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    total = time.perf_counter() - t0
    index.reload()
    files = [p for p in path.iterdir() if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    store = sum(p.stat().st_size for p in files if p.suffix == ".store")
    sizes: dict[str, int] = {}
    for d in docs:
        sizes[d.collection] = sizes.get(d.collection, 0) + 1
    return Built(index, schema, path, prep, total - prep, size, store, analyzer, sizes)


# -- queries ---------------------------------------------------------------------------------------------
def _seq(schema: tantivy.Schema, tokens: list[str]) -> tantivy.Query:
    if len(tokens) == 1:
        return tantivy.Query.term_query(schema, "text", tokens[0])
    return tantivy.Query.phrase_query(schema, "text", tokens)


def _and(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def compile_query(method: str, built: Built, q: str) -> tantivy.Query:
    schema = built.schema
    if method in ("unigram", "unigram-punct"):
        return _seq(schema, built.analyzer.analyze(q))
    if method == "unigram+jieba-and":
        return _and([_seq(schema, built.analyzer.analyze(w)) for w in query_words(q)])
    if method == "bigram":
        toks = [t[0] for t in bigram_tokens(q)]
        if len(toks) == 1 and _HAN.fullmatch(toks[0]):  # one character: inside any bigram, or alone
            c = regex.escape(toks[0])
            return tantivy.Query.regex_query(schema, "text", f"{c}.|.{c}|{c}")
        return _seq(schema, toks)
    words = query_words(q)
    if method == "jieba-phrase":
        return _seq(schema, words)
    return _and([tantivy.Query.term_query(schema, "text", w) for w in words])


def matched(built: Built, query: tantivy.Query, collection: str | None) -> set[int]:
    if collection is not None:
        query = _and([query, tantivy.Query.term_query(built.schema, "collection", collection)])
    searcher = built.index.searcher()
    sizes = built.collection_sizes
    limit = max(1, sizes.get(collection, 0) if collection else sum(sizes.values()))
    hits = searcher.search(query, limit).hits
    return set(searcher.fast_field_values("n", [addr for _score, addr in hits]))


# -- highlighting: do the substring highlighter's marks equal what the index matched? ----------------------
@dataclass
class Postings:
    """One document's tokens by text and by position."""

    by_text: dict[str, list[Tok]]
    by_pos: dict[tuple[int, str], Tok]

    @classmethod
    def of(cls, toks: list[Tok]) -> Postings:
        by_text: dict[str, list[Tok]] = {}
        for t in toks:
            by_text.setdefault(t[0], []).append(t)
        return cls(by_text, {(t[1], t[0]): t for t in toks})


def method_spans(method: str, doc: Postings, q: str) -> set[tuple[int, int]]:
    """Character spans of the document that the method's query matches."""
    if method == "bigram":
        words = [[t[0] for t in bigram_tokens(q)]]
        if len(words[0]) == 1 and _HAN.fullmatch(words[0][0]):
            c = words[0][0]
            return {
                (t[2] + i, t[2] + i + 1)
                for text, toks in doc.by_text.items()
                if c in text
                for t in toks
                for i, ch in enumerate(text)
                if ch == c
            }
    elif method in ("unigram", "unigram-punct"):
        words = [[t[0] for t in unigram_tokens(q)]]
    elif method == "unigram+jieba-and":
        words = [[t[0] for t in unigram_tokens(w)] for w in query_words(q)]
    elif method == "jieba-phrase":
        words = [query_words(q)]
    else:
        words = [[w] for w in query_words(q)]
    spans: set[tuple[int, int]] = set()
    for seq in words:
        for first in doc.by_text.get(seq[0], []):
            end: int | None = first[3]
            for k, text_k in enumerate(seq[1:], start=1):
                nxt = doc.by_pos.get((first[1] + k, text_k))
                end = nxt[3] if nxt and end is not None else None
            if end is not None:
                spans.add((first[2], end))
    return spans


def highlighter_spans(text: str, needles: list[str]) -> set[tuple[int, int]]:
    """As search.highlight._spans: non-overlapping occurrences, longest needle first."""
    taken: list[tuple[int, int]] = []
    lower = text.lower()
    for needle in sorted(needles, key=lambda s: (-len(s), s)):
        for m in re.finditer(re.escape(needle.lower()), lower):
            s, e = m.span()
            if all(e <= ts or s >= te for ts, te in taken):
                taken.append((s, e))
    return set(taken)


# -- evaluation ------------------------------------------------------------------------------------------
@dataclass
class Eval:
    query: str
    kind: str
    collection: str
    relevant: int
    found: dict[str, int] = field(default_factory=dict)
    recall: dict[str, float | None] = field(default_factory=dict)  # None: nothing relevant
    precision: dict[str, float | None] = field(default_factory=dict)


def evaluate(
    docs: list[Doc], built: dict[str, Built], rng: random.Random
) -> tuple[list[Eval], dict[str, list[bool]], dict[str, list[bool]]]:
    evals: list[Eval] = []
    agree: dict[str, list[bool]] = {m: [] for m in METHODS}
    unmarked: dict[str, list[bool]] = {m: [] for m in METHODS}
    postings: dict[tuple[str, int], Postings] = {}  # a document's tokens, for the highlight check
    by_coll: dict[str, list[int]] = {}
    for n, d in enumerate(docs):
        by_coll.setdefault(d.collection, []).append(n)

    def run(query: str, kind: str, coll: str | None, relevant: set[int]) -> None:
        ev = Eval(query, kind, coll or "all", len(relevant))
        for method in METHODS:
            b = built[INDEX_OF[method]]
            found = matched(b, compile_query(method, b, query), coll)
            hit = len(found & relevant)
            ev.found[method] = len(found)
            ev.recall[method] = hit / len(relevant) if relevant else None
            ev.precision[method] = hit / len(found) if found else None
            needles = query_words(query) if method.endswith("-and") else [query]
            for n in rng.sample(sorted(found), min(HIT_SAMPLE, len(found))):
                marks = highlighter_spans(docs[n].text, needles)
                key = (INDEX_OF[method], n)
                if key not in postings:
                    postings[key] = Postings.of(TOKENISERS[key[0]](docs[n].text))
                unmarked[method].append(not marks)
                agree[method].append(marks == method_spans(method, postings[key], query))
        evals.append(ev)

    for query, kind, patterns in LABELLED:
        for coll, pattern in patterns.items():
            rel = {n for n in by_coll.get(coll, []) if re.search(pattern, docs[n].label)}
            if rel:
                run(query, kind, coll, rel)
    for query, accidental in CROSS_BOUNDARY:
        rel = set()
        for n, d in enumerate(docs):
            if query in d.text:
                bad = {m.start() for m in re.finditer(accidental, d.text)}
                if any(m.start() not in bad for m in re.finditer(re.escape(query), d.text)):
                    rel.add(n)
        run(query, "cross", None, rel)
    return evals, agree, unmarked


def latencies(built: dict[str, Built], repeats: int) -> dict[str, tuple[float, float]]:
    queries = [q for q, _k, _p in LABELLED] + [q for q, _a in CROSS_BOUNDARY]
    out: dict[str, tuple[float, float]] = {}
    for method in METHODS:
        b = built[INDEX_OF[method]]
        searcher = b.index.searcher()
        times: list[float] = []
        for _ in range(repeats):
            for q in queries:
                t0 = time.perf_counter()
                searcher.search(compile_query(method, b, q), 10, count=True)
                times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        out[method] = (statistics.median(times), times[int(len(times) * 0.95) - 1])
    return out


# -- report ----------------------------------------------------------------------------------------------
def _mean(values: Iterable[float | None]) -> float:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else float("nan")


def _f1(r: float, p: float) -> float:
    return 2 * r * p / (r + p) if r + p else 0.0


def print_report(
    docs: list[Doc],
    built: dict[str, Built],
    evals: list[Eval],
    agree: dict[str, list[bool]],
    unmarked: dict[str, list[bool]],
    lat: dict[str, tuple[float, float]],
    details: bool,
) -> None:
    chars = sum(len(d.text) for d in docs)
    counts: dict[str, int] = {}
    for d in docs:
        counts[d.collection] = counts.get(d.collection, 0) + 1
    print(
        f"\nCorpus: {len(docs):,} documents, {chars / 1e6:.2f} M characters "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(counts.items()))})"
    )
    labelled = [e for e in evals if e.kind != "cross"]
    queries = len({e.query for e in labelled})
    print(
        f"Evaluations: {len(labelled)} labelled (query x collection, {queries} queries)"
        f" + {len(evals) - len(labelled)} cross-boundary strings\n"
    )

    groups: list[tuple[str, Callable[[Eval], bool]]] = [
        ("all labelled", lambda e: e.kind != "cross"),
        ("statutes", lambda e: e.collection == "statutes"),
        ("judgments", lambda e: e.collection == "judgments"),
        ("drug", lambda e: e.collection == "drug"),
        ("1-char", lambda e: e.kind == "1-char"),
        ("word", lambda e: e.kind == "word"),
        ("phrase", lambda e: e.kind == "phrase"),
        ("cross-boundary", lambda e: e.kind == "cross"),
    ]
    width = 18
    print(
        "Quality: macro recall / precision (F1) per group; n = evaluations; "
        "precision averages evaluations that found something"
    )
    print(f"{'group':<16}{'n':>4}  " + "".join(f"{m:>{width}}" for m in METHODS))
    for name, pred in groups:
        sel = [e for e in evals if pred(e)]
        if not sel:
            continue
        cells = []
        for m in METHODS:
            r, p = _mean(e.recall[m] for e in sel), _mean(e.precision[m] for e in sel)
            cells.append(f"{r:.2f}/{p:.2f} ({_f1(r, p):.2f})")
        print(f"{name:<16}{len(sel):>4}  " + "".join(f"{c:>{width}}" for c in cells))
    zero = [sum(1 for e in labelled if e.found[m] == 0) for m in METHODS]
    print(f"{'no hit at all':<16}{len(labelled):>4}  " + "".join(f"{z:>{width}}" for z in zero))

    print("\nCost and highlighting")
    print(
        f"{'method':<19}{'index':>14}{'MB w/o':>8}{'prep s':>8}{'index s':>8}{'kchar/s':>9}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'hl agrees':>10}{'hl none':>9}"
    )
    for m in METHODS:
        b = built[INDEX_OF[m]]
        build_s = b.prep_s + b.index_s
        p50, p95 = lat[m]
        ag, un = agree[m], unmarked[m]
        print(
            f"{m:<19}{INDEX_OF[m]:>14}{(b.size_bytes - b.store_bytes) / 1e6:>8.1f}{b.prep_s:>8.1f}"
            f"{b.index_s:>8.1f}{chars / build_s / 1e3:>9.0f}{p50:>8.2f}{p95:>8.2f}"
            f"{_mean(map(float, ag)) * 100:>9.1f}%{_mean(map(float, un)) * 100:>8.1f}%"
        )
    store = built["unigram"].store_bytes / 1e6
    print(
        f"(MB w/o = index size without the stored text, {store:.1f} MB in every index; "
        f"hl = {sum(len(v) for v in agree.values()) // len(METHODS)} sampled hits per method)"
    )

    print(
        "\nPer query (recall/precision; '-' = nothing found)"
        + ("" if details else ": only where the methods disagree by more than 0.05; --details prints all")
    )
    print(f"{'query':<14}{'coll':<10}{'rel':>5}  " + "".join(f"{m:>{width}}" for m in METHODS))
    for e in evals:
        rs = [e.recall[m] or 0.0 for m in METHODS]
        ps = [e.precision[m] or 0.0 for m in METHODS]
        if not details and max(rs) - min(rs) <= 0.05 and max(ps) - min(ps) <= 0.05:
            continue
        cells = []
        for m in METHODS:
            r, p = e.recall[m], e.precision[m]
            r_text, p_text = ("-" if v is None else f"{v:.2f}" for v in (r, p))
            cells.append(f"{r_text}/{p_text} {e.found[m]:>5}")
        label = e.query + ("" if e.kind != "cross" else "*")
        print(
            f"{label:<{14 - sum(1 for c in label if _HAN.match(c))}}{e.collection:<10}{e.relevant:>5}  "
            + "".join(f"{c:>{width}}" for c in cells)
        )
    print("(* cross-boundary string, judged by its hand-written rule; the number after r/p is the hit count)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=REPO.parent / "shared" / "corpora")
    parser.add_argument("--full", action="store_true", help="all lawrefbook files (default: a fixed sample)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeats", type=int, default=20, help="latency runs over the query set")
    parser.add_argument("--details", action="store_true", help="print every query's figures")
    args = parser.parse_args()

    jieba.setLogLevel(60)
    jieba.initialize()
    _FREQ.update(jieba.dt.FREQ)
    t0 = time.perf_counter()
    docs = load_laws(args.corpora, args.full, args.seed)
    docs += load_judgments(args.corpora) + load_drug_paragraphs(args.corpora)
    print(
        f"Loaded {len(docs):,} documents in {time.perf_counter() - t0:.1f}s "
        f"({'full' if args.full else f'default: {SAMPLE_SHARE:.0%} sample of the other law files'}, "
        f"seed {args.seed}); jieba {jieba.__version__}, tantivy"
    )
    tmp = Path(tempfile.mkdtemp(prefix="zh_analysis_"))
    try:
        built: dict[str, Built] = {}
        for kind in ("unigram", "unigram-punct", "bigram", "jieba"):
            built[kind] = build_index(kind, docs, tmp / kind)
            print(f"  built {kind}: {built[kind].prep_s + built[kind].index_s:.1f}s", flush=True)
        t0 = time.perf_counter()
        evals, agree, unmarked = evaluate(docs, built, random.Random(args.seed))
        t1 = time.perf_counter()
        lat = latencies(built, args.repeats)
        print(f"  evaluated in {t1 - t0:.1f}s, latency runs in {time.perf_counter() - t1:.1f}s")
        print_report(docs, built, evals, agree, unmarked, lat, args.details)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
