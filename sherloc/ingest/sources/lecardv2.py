"""Parser for LeCaRDv2 query cases (Chinese criminal judgments, JSON Lines) and PRC charge-name matching."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from sherloc.ingest.sources.lawrefbook import default_vocab_dir, load_charge_names
from sherloc.ingest.structure import unstorable
from sherloc.ingest.types import ParsedRecord, ParseError

# The dataset ships its own list of charge names next to the query folder.
DATASET_CHARGE_LIST = Path("others") / "criminal charges.txt"
_LECARD_HEAD = re.compile(r'^\{\s*"id"\s*:\s*\d+\s*,\s*"query"\s*:')

# ---- JSON Lines -----------------------------------------------------------------------------------


def iter_json_objects(path: Path, warnings: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(1-based line number, object) for each line of a JSON Lines file, read one line at a time.

    A line that is not a UTF-8 JSON object is skipped and described in `warnings`, so one bad line does not
    cost the other records. ParseError only when the file cannot be opened or no line at all is an object
    (then it is not JSON Lines).
    """
    good = 0
    first_problem: str | None = None
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ParseError(f"{path.name} cannot be read ({exc.strerror})") from exc
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            value, problem = _json_object(raw)
            if problem is not None:
                first_problem = first_problem or problem
                warnings.append(f"{path.name} line {number}: {problem}; line skipped")
                continue
            good += 1
            yield number, value
    if good == 0 and first_problem is not None:
        raise ParseError(f"{path.name} has no JSON object line (line 1: {first_problem})")


def _json_object(raw: bytes) -> tuple[dict[str, Any], str | None]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return {}, f"not UTF-8 ({exc.reason} at byte {exc.start})"
    except json.JSONDecodeError as exc:
        return {}, f"not valid JSON ({exc.msg} at column {exc.colno})"
    except RecursionError:
        return {}, "not valid JSON (nested too deeply)"
    except ValueError as exc:  # a number past Python's digit limit for int conversion
        return {}, f"not valid JSON ({exc})"
    if not isinstance(value, dict):
        return {}, f"a JSON {type(value).__name__}, not an object"
    problem = unstorable(value)
    if problem:
        return {}, f"holds {problem}"
    return value, None


# ---- charge names ---------------------------------------------------------------------------------

_VARIANT_CHARS = str.maketrans({"剌": "刺"})  # both official lists print 剌探 (a misprint) in one name each
_NOT_IN_KEY = re.compile(r"[、，,\s]")
_MAX_CHARGE_CHARS = 45  # the longest official name has 38 characters
_MAX_REORDERED = 5  # acts listed in another order are tried in every order up to this many (120 orders)


def charge_key(name: str) -> str:
    """A name reduced for variant matching: no punctuation, no final 罪, 剌 read as 刺."""
    return _NOT_IN_KEY.sub("", name).translate(_VARIANT_CHARS).removesuffix("罪")


@dataclass(frozen=True)
class _Template:
    """An official name as a template for its selective forms (选择性罪名): 走私、贩卖、运输、制造毒品罪."""

    name: str
    core: str  # without 、 and 罪: 走私贩卖运输制造毒品
    bounds: frozenset[int]  # positions in `core` where a 、-separated item starts or ends
    chars: frozenset[str]


class ChargeVocabulary:
    """Official PRC charge names (罪名), their spelling variants and their selective forms."""

    def __init__(self, names: Iterable[str]) -> None:
        by_key: dict[str, list[str]] = {}
        for name in names:
            by_key.setdefault(charge_key(name), []).append(name)
        # The spelling with 刺 and with the most 、 is the official one ("伪造、变造国家有价证券罪" over the
        # table's "伪造变造国家有价证券罪").
        self._official = {
            key: min(spellings, key=lambda s: ("剌" in s, -s.count("、"), s))
            for key, spellings in by_key.items()
        }
        self._templates = [_template(name) for name in sorted(self._official.values())]
        self._by_start_char: dict[str, list[_Template]] = {}
        for template in self._templates:
            for char in {template.core[b] for b in template.bounds if b < len(template.core)}:
                self._by_start_char.setdefault(char, []).append(template)

    def __len__(self) -> int:
        return len(self._official)

    def names(self) -> list[str]:
        """The official names, sorted."""
        return sorted(self._official.values())

    def official(self, name: str) -> str | None:
        """The official name `name` spells (with or without 罪, 、 or the 剌 misprint); None otherwise."""
        return self._official.get(charge_key(name))

    def canonical(self, name: str) -> str | None:
        """The name to record for `name`: the official spelling of a known variant, `name` itself (with 罪)
        when it is a selective form of an official name ("贩卖毒品罪"), None when it is no charge."""
        official = self.official(name)
        if official is not None:
            return official
        written = name if name.endswith("罪") else name + "罪"
        return written if self.selective_of(written) is not None else None

    def selective_of(self, name: str) -> str | None:
        """The official name of which `name` is a selective form, e.g. 非法买卖枪支罪 -> 非法制造、买卖、…罪.

        The acts may be listed in another order than the official name's ("制造、贩卖毒品罪").
        """
        core = charge_key(name)
        if not core:
            return None
        for template in self._by_start_char.get(core[0], []):
            if set(core) <= template.chars and _selective_match(core, template.core, template.bounds):
                return template.name
        items = name.removesuffix("罪").translate(_VARIANT_CHARS).split("、")
        if not 2 <= len(items) <= _MAX_REORDERED:
            return None
        for template in self._templates:
            if set(core) <= template.chars and _reordered_match(items, template):
                return template.name
        return None


def _reordered_match(items: list[str], template: _Template) -> bool:
    """True if the acts in `items` (the last one followed by the object) match `template` in some order."""
    last = items[-1]
    shared = 0
    while shared < min(len(last), len(template.core)) and last[-1 - shared] == template.core[-1 - shared]:
        shared += 1
    if shared in (0, len(last)):
        return False
    acts, thing = [*items[:-1], last[:-shared]], last[-shared:]
    return any(
        _selective_match("".join(order) + thing, template.core, template.bounds)
        for order in itertools.permutations(acts)
        if list(order) != acts
    )


def _template(name: str) -> _Template:
    items = name.removesuffix("罪").translate(_VARIANT_CHARS).split("、")
    bounds = {0}
    position = 0
    for item in items:
        position += len(item)
        bounds.add(position)
    core = "".join(items)
    return _Template(name, core, frozenset(bounds), frozenset(core))


@lru_cache(maxsize=65536)
def _selective_match(core: str, template: str, bounds: frozenset[int]) -> bool:
    """True if `core` is `template` with some 、-separated items (or parts of items) left out.

    `core` must be pieces of `template` in order. Left out are: a leading run ending where an item starts,
    a trailing run starting where an item ends, and runs between pieces that touch an item boundary
    ("非法买卖枪支" from 非法制造、买卖、运输、邮寄、储存枪支、弹药、爆炸物: 制造 ends at an item boundary,
    运输邮寄储存 starts at one, 弹药爆炸物 starts at one).
    """

    @cache
    def after_piece(i: int, j: int) -> bool:
        """Can core[i:] follow a piece that ended at template[j]?"""
        if i == len(core):
            return j == len(template) or j in bounds
        return any(gap_allowed(i, j, k) and piece(i, k) for k in range(j, len(template)))

    def gap_allowed(i: int, j: int, k: int) -> bool:
        """May template[j:k] be left out before the piece that starts at core[i]?"""
        if i == 0:
            return k in bounds
        return k == j or j in bounds or k in bounds

    def piece(i: int, k: int) -> bool:
        """Does a piece core[i:i+n] == template[k:k+n] (some n >= 1) lead to a full match?"""
        length = 0
        while (
            i + length < len(core) and k + length < len(template) and core[i + length] == template[k + length]
        ):
            length += 1
            if after_piece(i + length, k + length):
                return True
        return False

    return after_piece(0, 0)


def load_charge_vocabulary(
    vocab_dir: Path | None = None, extra_lists: Iterable[Path] = ()
) -> ChargeVocabulary:
    """The project's charge table (corpus/vocab) plus lists of names, one per line (missing lists skipped)."""
    table = load_charge_names(vocab_dir or default_vocab_dir())
    names = {name for charges in table.values() for name in charges}
    for path in extra_lists:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            continue
        except UnicodeDecodeError as exc:
            raise ParseError(f"the charge list {path.name} is not UTF-8 text ({exc.reason})") from exc
        except OSError as exc:
            raise ParseError(f"the charge list {path.name} cannot be read ({exc.strerror or exc})") from exc
        names.update(line.strip() for line in lines if line.strip().endswith("罪"))
    return ChargeVocabulary(names)


@dataclass(frozen=True)
class ChargeMention:
    """A charge named in a text: the name to record and where it is written."""

    name: str
    start: int
    end: int


# Words after which a charge names this case's charge: 指控被告人X犯Y罪, 因涉嫌Y罪, 构成Y罪, 以Y罪追究.
# 因犯/曾犯 introduce earlier convictions and 不构成 a defence argument, so they are left out.
_TRIGGER = re.compile(r"(?<![因曾])犯|(?<!曾因)(?<!曾)涉嫌犯?|(?<!不)构成|以")
_AFTER_YI = re.compile(r"(?:追究|提起公诉|起诉|定罪|论处|判处|判决)")
_CHARGE_STOP = re.compile(r"[。；;，,：:（(）)\n“”\"]")
_LIST_JOINER = re.compile(r"(?:[、，,和及与]|以及)犯?")
# "指控罪名：寻衅滋事、危险驾驶。": a list of charges, 罪 left out.
_NAMED_LIST = re.compile(r"罪名[：:为是](?P<names>[^。；;：:，,（(]{2,60})")


def find_charges(
    text: str, vocab: ChargeVocabulary, start: int = 0, end: int | None = None
) -> list[ChargeMention]:
    """Charges named after 犯/涉嫌/构成/以…追究 in text[start:end], in order (repeats kept)."""
    end = len(text) if end is None else end
    found: list[ChargeMention] = []
    position = start
    for trigger in _TRIGGER.finditer(text, start, end):
        if trigger.start() < position:
            continue  # inside a charge already read ("掩饰、隐瞒犯罪所得罪" holds 犯)
        mentions = _charge_list_at(text, trigger.end(), end, vocab)
        if trigger.group() == "以" and (not mentions or not _AFTER_YI.match(text, mentions[-1].end)):
            continue
        found.extend(mentions)
        if mentions:
            position = mentions[-1].end
    for named in _NAMED_LIST.finditer(text, start, end):
        found.extend(read_charges(text, named.start("names"), named.end("names"), vocab))
    found.sort(key=lambda mention: mention.start)
    return found


def _charge_list_at(text: str, i: int, end: int, vocab: ChargeVocabulary) -> list[ChargeMention]:
    """The charges written from text[i]: "A罪", "A罪、B罪", "A、B罪" (two charges sharing 罪)."""
    mentions = _charge_at(text, i, end, vocab)
    while mentions:
        joiner = _LIST_JOINER.match(text, mentions[-1].end, end)
        more = _charge_at(text, joiner.end(), end, vocab) if joiner else []
        if not more:
            break
        mentions.extend(more)
    return mentions


def _charge_at(text: str, i: int, end: int, vocab: ChargeVocabulary) -> list[ChargeMention]:
    stop = _CHARGE_STOP.search(text, i, min(end, i + _MAX_CHARGE_CHARS))
    limit = stop.start() if stop else min(end, i + _MAX_CHARGE_CHARS)
    for crime in re.finditer("罪", text[i:limit]):
        mentions = read_charges(text, i, i + crime.end(), vocab)
        if mentions:
            return mentions
    return []


def read_charges(text: str, start: int, end: int, vocab: ChargeVocabulary) -> list[ChargeMention]:
    """text[start:end] as one charge, or as several sharing the final 罪 ("故意伤害、抢劫罪"); [] if neither.

    The final 罪 may be missing (captions write "杨朔职务侵占一审刑事判决书").
    """
    written = text[start:end]
    if not written or written[0] in "、罪":
        return []
    name = vocab.canonical(written)
    if name is not None:
        return [ChargeMention(name, start, end)]
    return _split_charges(text, start, end, vocab)


def _split_charges(text: str, start: int, end: int, vocab: ChargeVocabulary) -> list[ChargeMention]:
    """The fewest consecutive runs of 、-separated items that are each a charge, or []."""
    cuts = [start, *(start + m.start() for m in re.finditer("、", text[start:end])), end]
    if len(cuts) < 3:
        return []
    best: list[list[ChargeMention] | None] = [None] * len(cuts)
    best[0] = []
    for right in range(1, len(cuts)):
        for left in range(right):
            prefix = best[left]
            first = cuts[left] + (1 if left else 0)  # skip the 、 before an item
            if prefix is None or first >= cuts[right]:
                continue
            name = vocab.canonical(text[first : cuts[right]])
            if name is not None and (best[right] is None or len(prefix) + 1 < len(best[right] or [])):
                best[right] = [*prefix, ChargeMention(name, first, cuts[right])]
    return best[-1] or []


# ---- LeCaRDv2 cases -------------------------------------------------------------------------------

# The document type that ends a caption: 一审刑事判决书, 刑事一审判决书, 二审刑事裁定书 ...
_DOC_TYPE = re.compile(
    r"(?:(?:一审|二审|再审)?刑事(?:附带民事)?(?:一审|二审|再审)?|(?:一审|二审|再审))?(?:判决|裁定)书"
)
_CAPTION_TAIL = re.compile(r"(?:的|一案|案|等)+$")
# "…人民法院", and a high court's branch: "新疆维吾尔自治区高级人民法院伊犁哈萨克自治州分院".
_COURT = re.compile(r"[\u4e00-\u9fff（）]{2,60}?(?:法院|分院)(?=刑事)")
_CASE_NUMBER = re.compile(r"[（(〔［\[]\s*\d{4}\s*[）)〕］\]][^：:，,。；;\s（(]{1,30}?号")
_INSTANCE = re.compile(r"(一审|二审|再审)")
# The instance in a case number: （2019）浙0102刑初123号, （2013）深中法刑二终字第237号.
_CASE_CODE = re.compile(r"刑[一二三四五六七八九]?(?P<code>初|终|再)")
_PROCEDURES = {"初": "刑事一审", "终": "刑事二审", "再": "刑事再审"}
_ROLE = r"(?:上诉人|原审被告人|被告人|被告单位)(?:[（(]原审被告人[）)])?"
# A party's own entry opens a sentence: "被告人羊双彪，男，1984年…", "被告单位X有限公司，住所地…".
_PARTY_ENTRY = re.compile(
    rf"(?:^|(?<=[。；;：:\s号]))(?P<role>{_ROLE})(?:自报)?[：:]?(?P<name>[^，,。；;：:（(、\s]{{1,30}}?)"
    r"(?:[，,]\s*(?:男|女|曾用名|化名|别名|绰号|\d{4}年|汉族|公民身份号码|住所地|住所|统一社会信用代码|法定代表人|"
    r"组织机构代码|单位地址|地址)|（(?:曾用名|化名|别名|绰号|又名|原名))"
)
# Defendants named together before their charge: "指控被告人张建、张小春犯敲诈勒索罪".
_ACCUSED_LIST = re.compile(
    r"(?:指控|审理|以|、)的?(?P<role>(?:原审)?被告人)(?P<names>[^犯，,。；;：:（(的]{1,80}?)(?<![因曾系])(?:犯|涉嫌犯?|被控犯?)"
)
_ACCUSED_UNIT = re.compile(
    r"被告单位(?P<name>[^，,。；;：:、（(\s]{2,40}?(?:公司|厂|企业|合作社|中心|商行|店))"
)
_PERSON_NAME = re.compile(r"(?=.*[^*＊×])[\u4e00-\u9fff×*＊\dA-Za-zＡ-Ｚ]{1,6}")


@dataclass(frozen=True)
class _Caption:
    title: str
    charges_end: int  # the caption part that may name charges: text[:charges_end]
    court: re.Match[str] | None
    case_number: re.Match[str] | None


def read_caption(query: str) -> _Caption:
    """The case caption at the start of `query`.

    Two shapes occur: "<parties><charges>一审刑事判决书<court>刑事判决书<number>：…" (the caption names
    the charge) and "<court>刑事判决书<number>公诉机关…" (a court heading; the title is the heading with its
    number).
    """
    doc_type = _DOC_TYPE.search(query)
    if doc_type is None:
        return _Caption(query[:60], 0, None, _CASE_NUMBER.search(query, 0, 200))
    court = _COURT.search(query)
    number = _CASE_NUMBER.search(query, doc_type.end(), doc_type.end() + 200)
    before = query[: doc_type.start()]
    if before.endswith(("法院", "分院")):  # a court heading: no charges before it
        title_end = number.end() if number and number.start() - doc_type.end() <= 2 else doc_type.end()
        return _Caption(query[:title_end], 0, court, number)
    if court is None or court.start() < doc_type.end():
        court = _COURT.search(query, doc_type.end())
    number = _CASE_NUMBER.search(query, court.end()) if court else number
    tail = _CAPTION_TAIL.search(before)
    return _Caption(query[: doc_type.end()], tail.start() if tail else len(before), court, number)


def caption_charges(text: str, end: int, vocab: ChargeVocabulary) -> list[ChargeMention]:
    """Charges in a caption, whose start is unknown ("张建、张小春敲诈勒索罪"): the longest charge (or run of
    charges) ending at each 罪, and at the caption's end when it leaves 罪 out ("杨朔职务侵占")."""
    ends = [m.end() for m in re.finditer("罪", text[:end])]
    if end and text[end - 1] != "罪":
        ends.append(end)
    found: list[ChargeMention] = []
    floor = 0
    for stop in ends:
        for start in range(max(floor, stop - _MAX_CHARGE_CHARS), stop):
            mentions = read_charges(text, start, stop, vocab)
            if mentions:
                found.extend(mentions)
                floor = stop
                break
    return found


def find_parties(query: str, vocab: ChargeVocabulary) -> list[str]:
    """Defendants as named, with their role: "被告人王某", "上诉人（原审被告人）邓建彬", "被告单位X公司"."""
    parties: dict[str, str] = {}
    for entry in _PARTY_ENTRY.finditer(query):
        name, role = entry["name"], entry["role"]
        if role.startswith("被告单位") or _PERSON_NAME.fullmatch(name):
            parties.setdefault(name, role + name)
    for unit in _ACCUSED_UNIT.finditer(query):
        parties.setdefault(unit["name"], "被告单位" + unit["name"])
    for accused in _ACCUSED_LIST.finditer(query):
        names = [name.removesuffix("等人").removesuffix("等") for name in accused["names"].split("、")]
        charged = _charge_at(query, accused.end(), len(query), vocab)
        if charged and all(_PERSON_NAME.fullmatch(name) for name in names):
            for name in names:
                parties.setdefault(name, accused["role"] + name)
    return list(parties.values())


def _procedure(query: str, caption: _Caption) -> tuple[str, tuple[int, int]] | None:
    """ "刑事一审" etc. as the caption says ("一审刑事判决书"), else as the case number's code does (刑初)."""
    instance = _INSTANCE.search(query, 0, len(caption.title))
    if instance is not None:
        return "刑事" + instance.group(), instance.span()
    if caption.case_number is not None:
        code = _CASE_CODE.search(query, caption.case_number.start(), caption.case_number.end())
        if code is not None:
            return _PROCEDURES[code["code"]], code.span()
    return None


def _span(start: int, end: int) -> dict[str, int]:
    return {"start": start, "end": end}


def case_attributes(query: str, vocab: ChargeVocabulary) -> tuple[str, dict[str, Any]]:
    """(title, attributes) of one case; evidence offsets are into `query`, which starts the record's text."""
    caption = read_caption(query)
    mentions = caption_charges(query, caption.charges_end, vocab) + find_charges(query, vocab)
    attributes: dict[str, Any] = {}
    evidence: dict[str, dict[str, int]] = {}
    charges = list(dict.fromkeys(m.name for m in mentions))
    if charges:
        attributes["charges"] = charges
        evidence["charges"] = _span(mentions[0].start, mentions[0].end)
    if caption.court is not None:
        attributes["court"] = caption.court.group()
        evidence["court"] = _span(*caption.court.span())
    if caption.case_number is not None:
        attributes["case_number"] = caption.case_number.group()
        evidence["case_number"] = _span(*caption.case_number.span())
    parties = find_parties(query, vocab)
    if parties:
        attributes["parties"] = parties
    procedure = _procedure(query, caption)
    if procedure is not None:
        attributes["procedure"] = procedure[0]
        evidence["procedure"] = _span(*procedure[1])
    if evidence:
        attributes["evidence"] = evidence
    return caption.title, attributes


class LeCaRDv2Parser:
    """LeCaRDv2 query files: JSON Lines {"id", "query", "fact"}, one criminal judgment per line.

    One record per line, keyed "<file stem>/<id>" (the same id occurs in more than one query file). The
    text is the query (caption, parties, prosecution's charges) then the facts, as given. Charges are
    validated against the project's table (corpus/vocab) and the dataset's own list (others/criminal
    charges.txt beside the query folder).

    A malformed line does not stop the file: it is skipped and described in `warnings`, which each parse()
    call empties first and fills while its records are read (so read it after consuming them). ParseError
    only for a file that cannot be read at all.
    """

    name = "lecardv2"

    def __init__(self, vocab_dir: Path | None = None, charge_list: Path | None = None) -> None:
        self._vocab_dir = vocab_dir
        self._charge_list = charge_list
        self._vocabularies: dict[Path | None, ChargeVocabulary] = {}
        self.warnings: list[str] = []

    def detect(self, path: Path, head: str) -> bool:
        """A .json file whose first line starts {"id": <number>, "query": ..."""
        return path.suffix.lower() == ".json" and bool(_LECARD_HEAD.match(head.lstrip("\ufeff")))

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield one decision per well-formed line of `path`."""
        self.warnings = []
        vocab = self.vocabulary(path)
        for number, case in iter_json_objects(path, self.warnings):
            query, fact = case.get("query"), case.get("fact")
            if not isinstance(query, str) or not query.strip() or "id" not in case:
                self.warnings.append(f"{path.name} line {number}: no 'id' and 'query' text; line skipped")
                continue
            title, attributes = case_attributes(query, vocab)
            facts = fact.strip() if isinstance(fact, str) else ""
            yield ParsedRecord(
                source=self.name,
                source_key=f"{path.stem}/{case['id']}",
                kind="decision",
                title=title,
                country="CN",
                language="zh",
                text=f"{query}\n\n{facts}" if facts else query,
                attributes=attributes,
            )

    def vocabulary(self, path: Path) -> ChargeVocabulary:
        """The charge names for a query file: the project's table plus the dataset's list beside it."""
        charge_list = self._charge_list or path.resolve().parent.parent / DATASET_CHARGE_LIST
        if charge_list not in self._vocabularies:
            self._vocabularies[charge_list] = load_charge_vocabulary(self._vocab_dir, [charge_list])
        return self._vocabularies[charge_list]
