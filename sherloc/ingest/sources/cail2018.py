"""Parser for CAIL2018 criminal cases (fact + judgment labels) and LawBench's tasks derived from them."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sherloc.extract.cn_judgment import charge_lexicon
from sherloc.ingest.sources.lawrefbook import CHARGES_FILE, default_vocab_dir
from sherloc.ingest.sources.lecardv2 import ChargeVocabulary, iter_json_objects, load_charge_vocabulary
from sherloc.ingest.structure import unstorable
from sherloc.ingest.types import ParsedRecord, ParseError

DATASET = "CAIL2018"
CURRENCY = "CNY"  # punish_of_money is in yuan
# How far detect() reads when the first case is longer than the 4 KiB head (a fact of several pages).
_FIRST_OBJECT_BYTES = 1 << 20
# A JSON array item larger than this is not a case: the array reader gives up instead of buffering the file.
_MAX_ITEM_CHARS = 16 << 20
_ARRAY_CHUNK_CHARS = 1 << 20

_OBJECT_START = re.compile(r"^\[?\s*\{")
_FACT_KEY = re.compile(r'"fact"\s*:')
_META_KEY = re.compile(r'"meta"\s*:\s*\{')
_LABEL_KEY = re.compile(
    r'"(?:accusation|charge|relevant_articles|term_of_imprisonment|criminals|punish_of_money)"\s*:'
)
# Redistributions that flatten `meta` into the case keep the charge and at least one other label.
_FLAT_CHARGE_KEY = re.compile(r'"(?:accusation|charge)"\s*:')
_FLAT_OTHER_KEY = re.compile(
    r'"(?:relevant_articles|term_of_imprisonment|criminals|punish_of_money|imprisonment)"\s*:'
)

# ---- LawBench (open-compass/LawBench data/{zero,one}_shot/3-*.json) ---------------------------------
# A JSON array of {"instruction", "question", "answer"}; the four tasks built from CAIL2018 are known by
# their instruction (the one-shot files append an example to the same opening words).
_LAWBENCH_INSTRUCTIONS = {
    "根据下列事实和罪名给出涉及的刑法法条": "3-1",
    "请你模拟法官依据下面事实给出罪名": "3-3",
    "根据下列事实、罪名和刑法法条预测判决刑期": "3-4",
}
_LAWBENCH_HEAD = re.compile(
    r'^\[\s*\{\s*"instruction"\s*:\s*"(?:' + "|".join(map(re.escape, _LAWBENCH_INSTRUCTIONS)) + ")"
)
# The labels LawBench appends to the fact: "\r\n罪名:盗窃;抢夺。法条:刑法第264、267条。法条内容：…".
_LAWBENCH_GIVEN = re.compile(
    r"\r?\n罪名:(?P<charges>[^。\r\n]*)。?(?:法条:(?P<articles>刑法第[^。\r\n]*条))?(?P<contents>。法条内容：.*)?\s*$",
    re.DOTALL,
)
_LAWBENCH_TERM = re.compile(r"^刑期:\s*(?P<months>\d+)\s*个?月$")
_ARTICLE_NUMBERS = re.compile(r"\d+")
_NAME_EDGES = ":：,，;；、 \t\r\n\u3000"


def _true(value: Any) -> bool | None:
    """A flag as the dataset writes it: true/false, "true"/"false" (re-distributions), 1/0; else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value) if value in (0, 1) else None
    if isinstance(value, str):
        return {"true": True, "false": False, "1": True, "0": False}.get(value.strip().lower())
    return None


def _number(value: Any) -> int | float | None:
    """An int or float, also from a numeric string; integral floats become ints ("2000.0" -> 2000)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int | float) or value != value:  # NaN
        return None
    return int(value) if float(value).is_integer() else float(value)


def _strings(value: Any) -> list[str]:
    """A label list as strings: ["盗窃"], a lone "盗窃", or "盗窃;诈骗" as some re-distributions write it."""
    if isinstance(value, str):
        value = re.split(r"[;；]", value)
    if not isinstance(value, list):
        return []
    return [str(item).strip() for item in value if isinstance(item, str | int) and str(item).strip()]


def written_charge(label: str) -> str:
    """A dataset charge label as a charge name: "[生产、销售]假药" -> "生产、销售假药罪".

    CAIL2018 marks the selective parts of a name with brackets; the name is the label without them.
    """
    name = label.replace("[", "").replace("]", "").strip()
    return name if name.endswith("罪") else name + "罪"


class ChargeNames:
    """Dataset charge names -> the names to record: the official spelling where the project's charge table
    knows the name, the current name of a renamed charge (生产、销售假药罪 -> 生产、销售、提供假药罪), else
    the name as the dataset gives it."""

    def __init__(self, vocab_dir: Path | None) -> None:
        folder = vocab_dir or default_vocab_dir()
        self._vocabulary: ChargeVocabulary = load_charge_vocabulary(folder)
        table = folder / CHARGES_FILE
        self._renamed = charge_lexicon(table) if table.is_file() else {}

    def official(self, label: str) -> str:
        name = written_charge(label)
        return self._vocabulary.official(name) or self._renamed.get(name) or name


def _case_key(prefix: str, fact: str, defendants: list[str]) -> str:
    """Content, not position: the fact and the defendants (CAIL2018 repeats a judgment's fact once per
    defendant), so keys survive re-runs and re-ordered files."""
    material = unicodedata.normalize("NFC", fact.strip()) + "\x1f" + "\x1e".join(defendants)
    return f"{prefix}/{hashlib.sha256(material.encode('utf-8')).hexdigest()[:16]}"


class _Keys:
    """Unique keys within one file: an exact repeat of a case gets -2, -3 … (the pipeline keys by id)."""

    def __init__(self) -> None:
        self._seen: Counter[str] = Counter()

    def __call__(self, key: str) -> str:
        self._seen[key] += 1
        count = self._seen[key]
        return key if count == 1 else f"{key}-{count}"


class Cail2018Parser:
    """CAIL2018 cases: {"fact", "meta": {"relevant_articles", "accusation", "punish_of_money", "criminals",
    "term_of_imprisonment": {"death_penalty", "imprisonment", "life_imprisonment"}}}, one per JSON line
    (a JSON array is read too, streamed). LawBench's CAIL2018 tasks (3-1 article, 3-3 charge, 3-4/3-5
    prison term prediction: arrays of {"instruction", "question", "answer"}) are read as well.

    One decision per case, keyed by a hash of its fact and defendants ("cail2018/<hash>",
    "lawbench/<task>/<hash>"), with the dataset's labels as attributes (see `_attributes`). The labels are
    the dataset's, not read from the text, so there is no "evidence". Malformed lines and unreadable label
    values are skipped and described in `warnings` (emptied by each parse() call, filled while its records
    are read); ParseError only for a file that cannot be read at all.
    """

    name = "cail2018"

    def __init__(self, vocab_dir: Path | None = None) -> None:
        self._vocab_dir = vocab_dir
        self._charges: ChargeNames | None = None
        self.warnings: list[str] = []

    # -- detection ---------------------------------------------------------------------------------

    def detect(self, path: Path, head: str) -> bool:
        """A .json/.jsonl file of CAIL2018 cases (fact and labels) or one of LawBench's CAIL2018 tasks."""
        if path.suffix.lower() not in (".json", ".jsonl"):
            return False
        text = head.lstrip("\ufeff \t\r\n")
        if _LAWBENCH_HEAD.match(text):
            return True
        if not _OBJECT_START.match(text):
            return False
        if not _FACT_KEY.search(text) or not (_META_KEY.search(text) or _FLAT_CHARGE_KEY.search(text)):
            text = self._first_object(path) or text  # a first fact longer than the head
        if not _FACT_KEY.search(text):
            return False
        if _META_KEY.search(text):
            return bool(_LABEL_KEY.search(text))
        return bool(_FLAT_CHARGE_KEY.search(text) and _FLAT_OTHER_KEY.search(text))

    @staticmethod
    def _first_object(path: Path) -> str | None:
        """The file's first megabyte up to the end of its first JSON line (or the whole megabyte)."""
        try:
            with path.open("rb") as handle:
                data = handle.read(_FIRST_OBJECT_BYTES)
        except OSError:
            return None
        text = data.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
        if text.startswith("{"):
            text = text.split("\n", 1)[0]
        return text

    # -- parsing -----------------------------------------------------------------------------------

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield one decision per well-formed case of `path`."""
        self.warnings = []
        if self._charges is None:
            self._charges = ChargeNames(self._vocab_dir)
        keys = _Keys()
        for where, item in self._items(path):
            if "question" in item and "answer" in item and "fact" not in item:
                record = self._lawbench_record(path, where, item, keys)
            else:
                record = self._cail_record(path, where, item, keys)
            if record is not None:
                yield record

    def _items(self, path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
        try:
            with path.open("rb") as handle:
                array = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")
        except OSError as exc:
            raise ParseError(f"{path.name} cannot be read ({exc.strerror})") from exc
        if array:
            yield from iter_json_array(path, self.warnings)
        else:
            for number, item in iter_json_objects(path, self.warnings):
                yield f"line {number}", item

    def _warn(self, path: Path, where: str, message: str) -> None:
        self.warnings.append(f"{path.name} {where}: {message}")

    def _cail_record(self, path: Path, where: str, case: dict[str, Any], keys: _Keys) -> ParsedRecord | None:
        fact = case.get("fact")
        if not isinstance(fact, str) or not fact.strip():
            self._warn(path, where, "no 'fact' text; skipped")
            return None
        meta = case.get("meta")
        if meta is None:
            meta = case  # a re-distribution with the labels beside the fact
        if not isinstance(meta, dict):
            self._warn(path, where, "'meta' is not an object; skipped")
            return None
        labels = _strings(meta.get("accusation", meta.get("charge")))
        defendants = [
            name for name in (n.strip(_NAME_EDGES) for n in _strings(meta.get("criminals"))) if name
        ]
        attributes = self._attributes(
            path,
            where,
            labels=labels,
            defendants=defendants,
            articles=meta.get("relevant_articles"),
            sentence=self._cail_sentence(path, where, meta),
            dataset=DATASET,
        )
        charges_written = list(dict.fromkeys(written_charge(label) for label in labels))
        title = "、".join(defendants) + "、".join(charges_written)
        key = _case_key("cail2018", fact, defendants)
        return ParsedRecord(
            source=self.name,
            source_key=keys(key),
            kind="decision",
            title=title or f"CAIL2018 刑事案件 {key.rsplit('/', 1)[1][:8]}",
            country="CN",
            language="zh",
            text=fact.strip(),
            attributes=attributes,
        )

    def _cail_sentence(self, path: Path, where: str, meta: dict[str, Any]) -> dict[str, Any] | None:
        term: dict[str, Any] | None = meta.get("term_of_imprisonment")
        if not isinstance(term, dict):
            # Flattened re-distributions put the three term fields beside the other labels.
            flat: dict[str, Any] = {
                k: meta[k] for k in ("imprisonment", "life_imprisonment", "death_penalty") if k in meta
            }
            term = flat or None
        if term is None and "punish_of_money" not in meta:
            return None
        life = death = False
        months: int | None = None
        if term is not None:
            life = self._flag(path, where, term, "life_imprisonment")
            death = self._flag(path, where, term, "death_penalty")
            raw = term.get("imprisonment")
            value = _number(raw)
            if raw is not None and (value is None or not float(value).is_integer()):
                self._warn(path, where, f"imprisonment {raw!r} is not a number of months; left out")
            elif value == -1:  # the CAIL2018 scorer's code for life imprisonment
                life = True
            elif value == -2:  # … and for the death penalty
                death = True
            elif value is not None and value < 0:
                self._warn(path, where, f"imprisonment {raw!r} is negative; left out")
            elif value is not None and not (life or death):
                months = int(value)  # with life or death the number is no fixed term (0, or 999 in some)
        fine: int | float | None = None
        if "punish_of_money" in meta:
            raw = meta["punish_of_money"]
            fine = _number(raw)
            if raw is not None and (fine is None or fine < 0):
                self._warn(path, where, f"punish_of_money {raw!r} is not an amount; left out")
                fine = None
        return _sentence(months, life, death, fine)

    def _flag(self, path: Path, where: str, term: dict[str, Any], name: str) -> bool:
        if name not in term or term[name] is None:
            return False
        value = _true(term[name])
        if value is None:
            self._warn(path, where, f"{name} {term[name]!r} is not true or false; read as false")
            return False
        return value

    def _lawbench_record(
        self, path: Path, where: str, item: dict[str, Any], keys: _Keys
    ) -> ParsedRecord | None:
        question, answer, instruction = item.get("question"), item.get("answer"), item.get("instruction")
        task = _lawbench_task(instruction)
        if not isinstance(question, str) or not isinstance(answer, str) or task is None:
            self._warn(path, where, "not a LawBench CAIL2018 item (instruction, question, answer); skipped")
            return None
        fact = question.strip().removeprefix("事实:").removeprefix("事实：")
        labels: list[str] = []
        articles: list[str] = []
        given = _LAWBENCH_GIVEN.search(fact)
        if given is not None:
            fact = fact[: given.start()]
            labels = _strings(given["charges"])
            articles = _ARTICLE_NUMBERS.findall(given["articles"] or "")
            if task == "3-4" and given["contents"]:
                task = "3-5"  # prison term prediction given the articles' text
        answer = answer.strip()
        sentence = None
        if answer.startswith("罪名:"):
            labels = _strings(answer.removeprefix("罪名:"))
        elif answer.startswith("法条:"):
            articles = _ARTICLE_NUMBERS.findall(answer)
        elif answer.startswith("刑期:"):
            sentence = self._lawbench_sentence(path, where, answer)
        else:
            self._warn(path, where, f"answer {answer[:30]!r} is not a LawBench label; left out")
        if not fact.strip():
            self._warn(path, where, "no fact text; skipped")
            return None
        attributes = self._attributes(
            path,
            where,
            labels=labels,
            defendants=[],
            articles=articles,
            sentence=sentence,
            dataset=f"LawBench {task}",
        )
        key = _case_key(f"lawbench/{task}", fact, [])
        charges_written = list(dict.fromkeys(written_charge(label) for label in labels))
        return ParsedRecord(
            source=self.name,
            source_key=keys(key),
            kind="decision",
            title="、".join(charges_written) or f"LawBench {task} 案件事实 {key.rsplit('/', 1)[1][:8]}",
            country="CN",
            language="zh",
            text=fact.strip(),
            attributes=attributes,
        )

    def _lawbench_sentence(self, path: Path, where: str, answer: str) -> dict[str, Any] | None:
        term = _LAWBENCH_TERM.match(answer)
        if term is not None:
            return _sentence(int(term["months"]), False, False, None)
        # LawBench's own scorer skips answers naming 死刑 or 无期 ("data imperfection").
        if "死刑" in answer:
            return _sentence(None, False, True, None)
        if "无期" in answer:
            return _sentence(None, True, False, None)
        self._warn(path, where, f"prison term {answer!r} is not read; left out")
        return None

    def _attributes(
        self,
        path: Path,
        where: str,
        *,
        labels: list[str],
        defendants: list[str],
        articles: Any,
        sentence: dict[str, Any] | None,
        dataset: str,
    ) -> dict[str, Any]:
        """The attribute contract (a key is left out when the data has no value):

        charges: [str] official names with 罪 (dataset order, repeats dropped); defendants: [str] as given;
        relevant_articles: [str] PRC Criminal Law article numbers ("348"; repeats dropped); sentence:
        {"imprisonment_months": int | None, "life_imprisonment": bool, "death_penalty": bool,
        "fine": int | float | None (0 = no fine, None = not given), "currency": "CNY" when fine > 0};
        dataset: "CAIL2018" | "LawBench <task>".
        """
        assert self._charges is not None
        attributes: dict[str, Any] = {}
        charges = list(dict.fromkeys(self._charges.official(label) for label in labels))
        if charges:
            attributes["charges"] = charges
        if defendants:
            attributes["defendants"] = list(dict.fromkeys(defendants))
        numbers = self._articles(path, where, articles)
        if numbers:
            attributes["relevant_articles"] = numbers
        if sentence is not None:
            attributes["sentence"] = sentence
        attributes["dataset"] = dataset
        return attributes

    def _articles(self, path: Path, where: str, value: Any) -> list[str]:
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        numbers: list[str] = []
        for item in items:
            number = _number(item)
            if number is None or not float(number).is_integer() or number <= 0:
                self._warn(
                    path, where, f"relevant_articles value {item!r} is not an article number; left out"
                )
                continue
            numbers.append(str(int(number)))
        return list(dict.fromkeys(numbers))


def _sentence(months: int | None, life: bool, death: bool, fine: int | float | None) -> dict[str, Any]:
    sentence: dict[str, Any] = {
        "imprisonment_months": months,
        "life_imprisonment": life,
        "death_penalty": death,
        "fine": fine,
    }
    if fine is not None and fine > 0:
        sentence["currency"] = CURRENCY
    return sentence


def _lawbench_task(instruction: Any) -> str | None:
    if not isinstance(instruction, str):
        return None
    for opening, task in _LAWBENCH_INSTRUCTIONS.items():
        if instruction.startswith(opening):
            return task
    return None


def iter_json_array(path: Path, warnings: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """("item <n>", object) for each object of a file holding one JSON array, read a chunk at a time.

    A non-object item is skipped with a warning; a malformed item ends the file with a warning (the rest
    of an array cannot be re-synchronised). ParseError when the file is unreadable or no array at all.
    """
    decoder = json.JSONDecoder()
    try:
        handle = path.open("r", encoding="utf-8-sig")
    except OSError as exc:
        raise ParseError(f"{path.name} cannot be read ({exc.strerror})") from exc
    with handle:

        def more() -> str:
            try:
                return handle.read(_ARRAY_CHUNK_CHARS)
            except UnicodeDecodeError as exc:
                raise ParseError(f"{path.name} is not UTF-8 ({exc.reason})") from exc

        buffer = more().lstrip()
        if not buffer.startswith("["):
            raise ParseError(f"{path.name} is not a JSON array")
        position, index, done = 1, 0, False
        while True:
            while True:  # the next value, past whitespace and the comma between items
                while position < len(buffer) and buffer[position] in " \t\r\n,":
                    position += 1
                if position < len(buffer) or done:
                    break
                chunk = more()
                done = not chunk
                buffer, position = buffer[position:] + chunk, 0
            if position >= len(buffer) or buffer[position] == "]":
                return
            try:
                value, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError as exc:
                if not done and len(buffer) - position < _MAX_ITEM_CHARS:
                    chunk = more()
                    done = not chunk
                    buffer, position = buffer[position:] + chunk, 0
                    continue
                warnings.append(
                    f"{path.name} item {index}: not valid JSON ({exc.msg}); the rest of the array is skipped"
                )
                return
            except (RecursionError, ValueError) as exc:  # nesting past the limit, a 5000-digit number
                reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
                warnings.append(
                    f"{path.name} item {index}: not valid JSON ({reason}); the rest of the array is skipped"
                )
                return
            problem = unstorable(value)
            if problem:
                warnings.append(f"{path.name} item {index}: holds {problem}; skipped")
            elif isinstance(value, dict):
                yield f"item {index}", value
            else:
                warnings.append(f"{path.name} item {index}: a JSON {type(value).__name__}, not an object")
            index += 1
            position = end
