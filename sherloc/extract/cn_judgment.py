"""Facts from a Chinese criminal judgment: court, date, case number, defendants, charges, sentences, verdict.

Pure functions over the text. Every fact keeps the (start, end) span of the text it was read from, so an
editor can check it. Charge names are matched against the table in corpus/vocab/cn_criminal_charges.json,
with the selective forms courts write for compound charges (贩卖毒品罪 for 走私、贩卖、运输、制造毒品罪).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sherloc.numerals import DIGIT_FOLD, chinese_to_int

Span = tuple[int, int]

# Penalty kinds, in the words of PRC Criminal Law arts. 33-34 (English names as in the official translation).
FIXED_TERM = "fixed-term imprisonment"  # 有期徒刑
CRIMINAL_DETENTION = "criminal detention"  # 拘役
PUBLIC_SURVEILLANCE = "public surveillance"  # 管制
LIFE_IMPRISONMENT = "life imprisonment"  # 无期徒刑
DEATH = "death"  # 死刑
DEATH_WITH_REPRIEVE = "death with reprieve"  # 死刑，缓期二年执行
EXEMPT = "exempt from punishment"  # 免予刑事处罚

# Where a sentence or charge was read: the court's own disposition, a prior conviction of a defendant, or
# any other mention (the prosecution's charges, the first-instance judgment quoted on appeal ...).
JUDGMENT = "judgment"
PRIOR_CONVICTION = "prior conviction"
PROSECUTION = "prosecution"
FIRST_INSTANCE = "first instance"  # the first-instance judgment, quoted in an appeal
COURT = "court"
MENTIONED = "mentioned"

_CJK = "\u4e00-\u9fff"
_NUM = "0-9０-９〇零○Ｏ一二两三四五六七八九十百千万"
_N = rf"[{_NUM}]+"
_ZERO_FOLD = str.maketrans("○ＯOо", "〇〇〇〇")


@dataclass(frozen=True)
class Located:
    """One fact as written (`text`), normalised (`value`), and where it was found."""

    text: str
    value: str
    span: Span


@dataclass(frozen=True)
class Penalty:
    """A principal penalty; `months` for terms, None for life imprisonment and death."""

    kind: str
    months: int | None
    span: Span
    suspended_months: int | None = None  # 缓刑: the probation term when the penalty is suspended


@dataclass(frozen=True)
class Fine:
    """A property penalty: 罚金 (fine) or 没收财产 (confiscation); amount None for all property."""

    kind: str
    amount: int | None
    currency: str | None
    span: Span


@dataclass
class Sentence:
    """One 判处 / 决定执行 clause: the penalties for one defendant, for one charge or combined (数罪并罚)."""

    defendant: str | None
    charge: str | None
    source: str
    combined: bool
    span: Span
    penalties: list[Penalty] = field(default_factory=list)
    fines: list[Fine] = field(default_factory=list)
    other_measures: list[Located] = field(default_factory=list)


@dataclass(frozen=True)
class ChargeMention:
    """A charge (罪名) as written, its name in the charge table (None when unknown), and whom it concerns."""

    name: str
    canonical: str | None
    source: str
    defendants: tuple[str, ...]
    span: Span


@dataclass
class Defendant:
    name: str
    span: Span
    gender: Located | None = None  # value "male" / "female"
    birth_year: Located | None = None
    age: Located | None = None
    ethnicity: Located | None = None
    nationality: Located | None = None
    # value "principal" (主犯) / "accessory" (从犯) / "coerced accomplice" (胁从犯)
    role: Located | None = None
    charges: list[str] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    acquitted: Located | None = None  # this court's ruling finds the defendant not guilty (…无罪)


@dataclass(frozen=True)
class DrugMention:
    """A drug named in the text; `canonical` folds street names (冰毒 -> 甲基苯丙胺)."""

    text: str
    canonical: str
    span: Span


@dataclass(frozen=True)
class DrugWeight:
    text: str
    grams: float
    span: Span


@dataclass
class CnJudgmentFacts:
    court: Located | None = None
    decision_date: Located | None = None  # value: ISO date
    case_number: Located | None = None
    verdict: Located | None = None  # value "guilty" / "acquitted"
    # What this (appeal) court's ruling does to the judgment under appeal: "upheld" (驳回上诉，维持原判),
    # "modified" (撤销 … then a sentence of its own), "reversed" (撤销 … 无罪), "remanded" (发回重审).
    appeal_outcome: Located | None = None
    defendants: list[Defendant] = field(default_factory=list)
    charges: list[ChargeMention] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    drugs: list[DrugMention] = field(default_factory=list)
    drug_weights: list[DrugWeight] = field(default_factory=list)
    title_charges: list[str] = field(default_factory=list)

    def charge_names(self) -> list[str]:
        """Distinct charges of this case as written, in order (prior convictions left out)."""
        return list(dict.fromkeys(c.name for c in self.charges if c.source != PRIOR_CONVICTION))


# ---------------------------------------------------------------- charge table


def _charges_file() -> Path:
    return Path(__file__).resolve().parents[2] / "corpus" / "vocab" / "cn_criminal_charges.json"


# Names since renamed, and short forms courts write, still found in judgments.
_ALIASES = {
    "强制猥亵、侮辱妇女罪": "强制猥亵、侮辱罪",
    "嫖宿幼女罪": "强奸罪",
    "容留吸毒罪": "容留他人吸毒罪",
    "虚开增值税专用发票罪": "虚开增值税专用发票、用于骗取出口退税、抵扣税款发票罪",
}


def _subsets(items: list[str]) -> Iterator[tuple[str, ...]]:
    for size in range(1, len(items) + 1):
        yield from itertools.combinations(items, size)


def _selective_forms(name: str) -> Iterator[str]:
    """走私、贩卖、运输、制造毒品罪 -> 贩卖毒品罪, 贩卖、运输毒品罪 ...; 窝藏、包庇罪 -> 窝藏罪.

    Courts name only the acts and objects proven. The verbs are the leading parts of 2 or 4 characters; the
    object follows the last verb and may itself be a list (非法持有、私藏枪支、弹药罪 -> 非法持有枪支罪).
    """
    parts = name[:-1].split("、")
    for k in range(1, len(parts)):
        # Verbs are two characters (贩卖) or 非法 + two (非法持有); anything else is an object list.
        if (
            any(len(p) != 2 and not (len(p) == 4 and p.startswith("非法")) for p in parts[:k])
            or len(parts[k]) < 2
        ):
            continue
        verbs = [*parts[:k], parts[k][:2]]
        objects = [o for o in [parts[k][2:], *parts[k + 1 :]] if o]
        if len(verbs) + len(objects) > 8:
            continue
        # Verbs come in any order (制造、贩卖毒品罪); objects keep theirs.
        verb_orders = (
            itertools.chain.from_iterable(itertools.permutations(verbs, n) for n in range(1, len(verbs) + 1))
            if len(verbs) <= 4
            else _subsets(verbs)
        )
        for chosen_verbs in verb_orders:
            for chosen_objects in _subsets(objects) if objects else [()]:
                form = "、".join(chosen_verbs) + "、".join(chosen_objects) + "罪"
                if form != name:
                    yield form
                    if parts[0].startswith("非法") and not form.startswith("非法"):
                        yield "非法" + form  # 非法制造、买卖…枪支罪 -> 非法买卖枪支罪


@functools.cache
def charge_lexicon(path: Path | None = None) -> dict[str, str]:
    """Every charge name a judgment may write -> its name in the charge table."""
    data = json.loads((path or _charges_file()).read_text(encoding="utf-8"))
    names = [c["charge"] for entries in data["articles"].values() for c in entries]
    names += [c["charge"] for c in data.get("unmapped", [])]
    lexicon: dict[str, str] = {}
    for name in names:
        for form in _selective_forms(name):
            lexicon.setdefault(form, name)
    for name in names:
        lexicon[name] = name
    for old, new in _ALIASES.items():
        lexicon.setdefault(old, new)
    return lexicon


@functools.cache
def _lexicon_by_first_char() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for name in sorted(charge_lexicon(), key=len, reverse=True):
        index.setdefault(name[0], []).append(name)
    return index


def _known_charge_at(text: str, pos: int) -> str | None:
    if pos >= len(text):
        return None
    for name in _lexicon_by_first_char().get(text[pos], ()):
        if text.startswith(name, pos):
            return name
    return None


_RAW_CHARGE = re.compile(rf"[{_CJK}、]{{2,24}}?罪(?![犯名])")


def _split_stems(stems: list[str], lexicon: dict[str, str]) -> list[str] | None:
    """制造、贩卖毒品、非法种植毒品原植物 -> 制造、贩卖毒品罪, 非法种植毒品原植物罪 (longest names first)."""
    names: list[str] = []
    i = 0
    while i < len(stems):
        for j in range(len(stems), i, -1):
            name = "、".join(stems[i:j]) + "罪"
            if name in lexicon:
                names.append(name)
                i = j
                break
        else:
            return None
    return names


def _charge_list_at(text: str, pos: int) -> list[tuple[str, Span]]:
    """The charges written from `pos`: 抢劫罪、故意伤害罪 / 故意伤害、抢劫罪 / 走私、贩卖、运输毒品罪."""
    found: list[tuple[str, Span]] = []
    lexicon = charge_lexicon()
    while True:
        name = _known_charge_at(text, pos)
        if name is not None:
            found.append((name, (pos, pos + len(name))))
            pos += len(name)
        else:
            raw = _RAW_CHARGE.match(text, pos)
            if raw is None:
                break
            # A shared 罪 after a list of stems: 故意伤害、抢劫罪 -> 故意伤害罪, 抢劫罪.
            stems = raw.group()[:-1].split("、")
            split = _split_stems(stems, lexicon)
            if len(stems) > 1 and split is not None:
                start = pos
                for n in split:
                    found.append((n, (start, start + len(n) - 1)))
                    start += len(n)
            elif len(raw.group()) <= 14 and "、" not in raw.group() and raw.group()[0] not in "罪了的是":
                found.append((raw.group(), raw.span()))
            else:
                break
            pos = raw.end()
        if pos < len(text) and text[pos] in "、和及" and _known_charge_at(text, pos + 1):
            pos += 1
            continue
        break
    return found


@functools.cache
def _title_forms() -> tuple[re.Pattern[str], dict[str, str]]:
    forms: dict[str, str] = {}
    for written in charge_lexicon():
        forms[written] = written
        if len(written) >= 3:
            forms.setdefault(written[:-1], written)
    pattern = re.compile("|".join(map(re.escape, sorted(forms, key=len, reverse=True))))
    return pattern, forms


def title_charges(title: str) -> list[str]:
    """Charges named in a case title, with or without 罪: 韩飞飞寻衅滋事、妨害公务二审刑事判决书 -> both."""
    pattern, forms = _title_forms()
    names: list[str] = []
    pos = 0
    while (match := pattern.search(title, pos)) is not None:
        names.append(forms[match.group()])
        pos = match.end()
    return list(dict.fromkeys(names))


# ---------------------------------------------------------------- numbers, dates


def _to_int(numeral: str) -> int:
    return chinese_to_int(numeral.translate(_ZERO_FOLD).translate(DIGIT_FOLD))


def _months(years: str | None, months: str | None) -> int:
    return (_to_int(years) * 12 if years else 0) + (_to_int(months) if months else 0)


def _amount(numeral: str) -> int | None:
    folded = numeral.translate(DIGIT_FOLD).replace(",", "").replace("，", "")
    try:
        if re.fullmatch(r"[0-9.]+万", folded):
            return round(float(folded[:-1]) * 10_000)
        if re.fullmatch(r"[0-9]+(\.[0-9]+)?", folded):
            return round(float(folded))
        return _to_int(folded)
    except ValueError:
        return None


_CN_DATE = re.compile(
    r"(?P<y>[〇零○Ｏ一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,2})\s*月\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"
)
_ARABIC_DATE = re.compile(
    r"(?P<y>[0-9０-９]{4})\s*年\s*(?P<m>[0-9０-９]{1,2})\s*月\s*(?P<d>[0-9０-９]{1,2})\s*日"
)


def _date(match: re.Match[str]) -> Located | None:
    try:
        value = dt.date(_to_int(match["y"]), _to_int(match["m"]), _to_int(match["d"]))
    except ValueError:
        return None
    return Located(match.group(), value.isoformat(), match.span())


_SIGNATURE = re.compile(r"\s*(?:书记员|法官助理|本件与原本核对无异|$)")


def _decision_date(text: str) -> Located | None:
    """The date line above the clerk's name (二〇一八年三月十二日); other dates are of other acts."""
    for pattern in (_CN_DATE, _ARABIC_DATE):
        signed = [
            d
            for m in pattern.finditer(text, max(0, len(text) - 600))
            if _SIGNATURE.match(text, m.end()) and (d := _date(m)) is not None
        ]
        if signed:
            return signed[-1]
    return None


# ---------------------------------------------------------------- caption

_CAPTION = re.compile(r"法院\s*(?:刑事)?(?:附带民事)?(?:判决书|裁定书)")
_CASE_NUMBER = re.compile(r"[（(〔［\[]\s*[0-9０-９]{4}\s*[）)〕］\]]\s*[^\s，,。；;：:（()）]{1,24}?号")


def _court(text: str) -> Located | None:
    match = _CAPTION.search(text, 0, 2000)
    if match is None:
        return None
    end = match.start() + 2
    start = end
    # Walk back over the court name; a title before it ends in 书 (…刑事判决书).
    while start > 0 and re.match(rf"[{_CJK}（）()]", text[start - 1]) and text[start - 1] != "书":
        start -= 1
    name = text[start:end]
    if len(name) < 4:
        return None
    return Located(name, name, (start, end))


def caption_title(text: str) -> tuple[str, Span] | None:
    """The case title some collections put before the caption: 姚帝锋抢劫罪一审刑事判决书 and the like."""
    court = _court(text)
    if court is None or court.span[0] == 0:
        return None
    return text[: court.span[0]], (0, court.span[0])


def _case_number(text: str, after: int) -> Located | None:
    match = _CASE_NUMBER.search(text, after, after + 200) or _CASE_NUMBER.search(text, 0, 2000)
    if match is None:
        return None
    value = re.sub(r"\s+", "", match.group()).translate(DIGIT_FOLD).replace("(", "（").replace(")", "）")
    return Located(match.group(), value, match.span())


# ---------------------------------------------------------------- defendants

_INTRO = re.compile(
    rf"(?:上诉人|原审被告人|被告人|罪犯)(?:[（(](?:原审)?被告人[）)])?(?:暨[^：:，,。]{{1,16}})?[：:]?"
    rf"(?P<name>[{_CJK}·•ＸX×*]{{1,6}}?[0-9０-９甲乙丙丁]?)(?=[，,（(])"
)
# The caption ends where the prosecution's case or the findings begin; biographies sit before that.
_CAPTION_END = re.compile(r"指控|审理查明|原判认定|原审判决认定|原审查明|原判查明")
_BIO_END = re.compile(r"辩护人|指控|提起公诉|起诉书|审理|公诉机关|上诉人|原审被告人|被告人")
_GENDER = re.compile(r"[，,。](?P<g>男|女)(?=[，,。；;])")
_BIRTH = re.compile(r"(?P<y>[0-9０-９]{4}|[〇零○一二三四五六七八九]{4})\s*年[^，,。；]{0,8}?(?:出生|生)")
_AGE = re.compile(r"(?P<a>[0-9]{1,3})\s*(?:周)?岁")
_ETHNICITY = re.compile(rf"[，,](?P<e>[{_CJK}]{{1,5}}族)(?=[，,。；;])")
_NATIONALITY = re.compile(
    rf"国籍[：:]?(?P<a>[{_CJK}]{{2,10}}?)(?=[，,。；;])|[，,](?P<b>[{_CJK}]{{2,10}}?)国籍|[，,](?P<c>[{_CJK}]{{2,6}}?国)人(?=[，,])"
)
_NAME_STOP = set('，,。；;：:、（）()“”"的在于将从到向把与等为被和及因犯系是亦已均都还就又伙')


_ANONYMISED_NAME = re.compile(rf"[{_CJK}]{{1,2}}?(?:某+|[×XＸ*]+)[甲乙丙丁戊己庚辛壬癸]?[0-9]{{0,2}}")
# Words that follow 被告人 without being a name: 被告人供述与辩解, 被告人身上 ...
_NOT_NAMES = {"供述", "辩解", "身上", "家中", "住处", "归案", "到案", "所在", "辩护", "上诉", "人数"}


def _name_at(text: str, pos: int) -> str | None:
    """The name at `pos` (after 被告人), where nothing marks its end: 颜某明知 -> 颜某, 殷小伟背的 -> 殷小伟.

    Anonymised names (X某, X某某, X某甲, X×) end with their mask. Other names count when the candidate occurs
    before punctuation or before two different characters; a two-character start always followed by the same
    character is a three-character name.
    """
    if (anonymised := _ANONYMISED_NAME.match(text, pos)) is not None:
        return anonymised.group()
    two = text[pos : pos + 2]
    if not re.fullmatch(rf"[{_CJK}]{{2}}", two) or set(two) & _NAME_STOP or two in _NOT_NAMES:
        return None
    three = text[pos : pos + 3]
    if len(three) == 3 and three[2] not in _NAME_STOP:
        followers = {text[m.end() : m.end() + 1] for m in re.finditer(re.escape(three), text)}
        if len(followers) >= 2 or followers & (_NAME_STOP | {""}):
            return three
    return two


_CHARGED_NAMES = re.compile(rf"(?:指控|及|、|和)(?:原审)?被告人(?P<names>[{_CJK}、]{{2,40}}?)(?:犯|的行为)")
_ROLE = re.compile(r"(?:是|系|为|属|均系|均为|认定为|属于)(?P<role>主犯|从犯|胁从犯)")
_ROLES = {"主犯": "principal", "从犯": "accessory", "胁从犯": "coerced accomplice"}


def _first(pattern: re.Pattern[str], text: str, start: int, end: int, group: str) -> re.Match[str] | None:
    match = pattern.search(text, start, end)
    return match if match is not None and match.group(group) else None


def _bio(text: str, defendant: Defendant, start: int, end: int) -> None:
    if (m := _first(_GENDER, text, start, end, "g")) is not None:
        defendant.gender = Located(m["g"], "male" if m["g"] == "男" else "female", m.span("g"))
    if (m := _first(_BIRTH, text, start, end, "y")) is not None:
        defendant.birth_year = Located(m["y"], str(_to_int(m["y"])), m.span("y"))
    if (m := _first(_AGE, text, start, end, "a")) is not None:
        defendant.age = Located(m.group(), m["a"], m.span())
    if (m := _first(_ETHNICITY, text, start, end, "e")) is not None and m["e"] not in {"家族", "民族"}:
        defendant.ethnicity = Located(m["e"], m["e"], m.span("e"))
    if (m := _NATIONALITY.search(text, start, end)) is not None:
        group = next(g for g in ("a", "b", "c") if m.group(g))
        defendant.nationality = Located(m.group(), m.group(group), m.span())


def _defendants(text: str) -> tuple[list[Defendant], dict[Span, str]]:
    """Defendants introduced in the caption (name, then 男/女, birth ...), with the span of each biography."""
    caption_end = _CAPTION_END.search(text)
    zone = caption_end.start() if caption_end else min(len(text), 3000)
    intros = [
        m
        for m in _INTRO.finditer(text, 0, zone)
        if re.search(r"[，,]\s*(?:男|女)\s*[，,。]|出生|生于|岁", text[m.end() : m.end() + 40])
    ]
    defendants: dict[str, Defendant] = {}
    bios: dict[Span, str] = {}
    for index, match in enumerate(intros):
        name = match["name"]
        limit = intros[index + 1].start() if index + 1 < len(intros) else len(text)
        bio_end_match = _BIO_END.search(text, match.end(), min(limit, match.end() + 800))
        bio_end = bio_end_match.start() if bio_end_match else min(limit, match.end() + 800)
        bios[(match.start(), bio_end)] = name
        if name in defendants:
            continue
        defendant = Defendant(name, match.span("name"))
        _bio(text, defendant, match.end(), bio_end)
        defendants[name] = defendant
    if not defendants:
        # No biographies (appeal captions, excerpts): the names charged (指控被告人A、B犯X罪), else any.
        for match in _CHARGED_NAMES.finditer(text):
            start = match.start("names")
            for name in match["names"].split("、"):
                if 1 < len(name) <= 4:
                    defendants.setdefault(name, Defendant(name, (start, start + len(name))))
                start += len(name) + 1
    if not defendants:
        for match in re.finditer("被告人", text):
            name = _name_at(text, match.end())
            if name is not None:
                defendants.setdefault(name, Defendant(name, (match.end(), match.end() + len(name))))
    return list(defendants.values()), bios


def _names_pattern(defendants: list[Defendant]) -> re.Pattern[str] | None:
    names = sorted({d.name for d in defendants}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names))) if names else None


def _roles(text: str, defendants: list[Defendant], names: re.Pattern[str] | None) -> None:
    by_name = {d.name: d for d in defendants}
    for match in _ROLE.finditer(text):
        # Only the court's own finding: a party's claim (辩护人提出…系从犯, 上诉称) or a denial doesn't count.
        sentence_start = max(text.rfind(c, 0, match.start()) for c in "。；;") + 1
        sentence = text[sentence_start : match.start()].replace("本院认为", "")
        if re.search(r"辩护|提出|认为|称|请求|建议|不|意见", sentence):
            continue
        clause_start = max(text.rfind(c, 0, match.start()) for c in "。；，,;") + 1
        clause = text[clause_start : match.start()]
        # The names sit in the clause or, for 在共同犯罪中起次要作用，系从犯, earlier in the sentence.
        scope = clause if names and names.search(clause) else sentence
        found = names.findall(scope) if names else []
        if not found and len(defendants) == 1:
            found = [defendants[0].name]
        value = _ROLES[match["role"]]
        for name in found if "、" in scope else found[-1:]:
            defendant = by_name[name]
            if defendant.role is None:
                defendant.role = Located(match["role"], value, match.span("role"))


# ---------------------------------------------------------------- charges

_TRIGGER = re.compile(r"(?<![侵触冒违进])犯(?!罪)|(?<![不未])构成(?!犯罪)")


def _in_spans(pos: int, spans: Iterable[Span]) -> bool:
    return any(start <= pos < end for start, end in spans)


def _is_prior(text: str, pos: int, bios: dict[Span, str]) -> bool:
    if _in_spans(pos, bios):
        return True
    sentence = text[text.rfind("。", 0, pos) + 1 : pos]
    after = text[pos : pos + 60].split("。")[0]
    return bool(re.search(r"曾因|曾于|曾经|曾被|曾犯|曾在|前科|前因", sentence)) or (
        sentence.endswith("因") and bool(re.search(r"被.{0,20}?(?:判处|判决|处以)|刑满|释放|假释", after))
    )


def _charges(text: str, bios: dict[Span, str], names: re.Pattern[str] | None) -> list[ChargeMention]:
    lexicon = charge_lexicon()
    mentions: list[ChargeMention] = []
    previous_end = 0
    for trigger in _TRIGGER.finditer(text):
        found = _charge_list_at(text, trigger.end())
        if not found:
            continue
        sentence_start = text.rfind("。", 0, trigger.start()) + 1
        before = text[sentence_start : trigger.start()]
        if text[trigger.start() - 2 : trigger.start()] == "涉嫌":
            source = PROSECUTION
        elif _is_prior(text, trigger.start(), bios):
            source = PRIOR_CONVICTION
        elif "指控" in before or "公诉机关" in before or "检察院" in before:
            source = PROSECUTION
        else:
            source = COURT
        # The names since the clause began or the last charge list ended: 指控A犯X罪及B犯Y罪.
        clause_start = max(previous_end, *(text.rfind(c, 0, trigger.start()) + 1 for c in "。；;：:"))
        who = tuple(dict.fromkeys(names.findall(text, clause_start, trigger.start()))) if names else ()
        previous_end = found[-1][1][1]
        for name, span in found:
            mentions.append(ChargeMention(name, lexicon.get(name), source, who, span))
    return mentions


# ---------------------------------------------------------------- sentences

_DUR = rf"(?:(?P<y>{_N})年(?:零|又)?)?(?:(?P<m>{_N})个月)?"
_TERM = re.compile(rf"(?P<kind>有期徒刑|拘役|管制){_DUR}(?!以[上下]|至|到)")
_LIFE = re.compile(r"无期徒刑(?!以[上下]|或)")
_DEATH = re.compile(r"死刑(?:[，,]?\s*缓期(?P<rep>[二两2])年执行)?(?!或)")
_SUSPENSION = re.compile(rf"缓刑{_DUR}")
_AMOUNT = r"(?P<amt>[0-9０-９][0-9０-９,，.]*万?|[〇零一二两三四五六七八九十百千万]+)"
_FINE = re.compile(rf"罚金(?:人民币|美元|港币)?{_AMOUNT}(?P<cur>元|美元|港元)")
_CONFISCATION = re.compile(rf"没收(?:其)?(?:个人)?(?:全部)?财产(?:(?:人民币)?{_AMOUNT}元)?")
_OTHER = re.compile(rf"剥夺政治权利(?:终身|{_N}年)|驱逐出境|禁止令|从业禁止")
_EXEMPTION = re.compile(r"免予刑事处罚")
_ANCHOR = re.compile(r"判处|决定执行|免予刑事处罚")
_CLAUSE_END = re.compile(r"[。；;]|判处|决定执行|(?<![侵触冒违进])犯(?=[^罪])")
_KIND = {"有期徒刑": FIXED_TERM, "拘役": CRIMINAL_DETENTION, "管制": PUBLIC_SURVEILLANCE}
_CURRENCY = {"元": "CNY", "美元": "USD", "港元": "HKD"}


_RULING_MARKERS = ("判决如下", "判决：", "判决:", "裁定如下")


# After a quoted disposition, the appeal against it; after a court's own, the end of the judgment.
_APPEAL_CUES = re.compile(
    r"宣判后|判后|不服|上诉称|上诉提出|上诉理由|提出上诉|抗诉机关|抗诉称|抗诉提出|上诉人|原审被告人"
)
_END_CUES = re.compile(
    r"本判决为终审判决|本裁定为终审裁定|如不服本判决|如不服本裁定|审\s*判\s*长|审\s*判\s*员"
)
# Between a ruling marker and a 判处, signs that the ruling ended: the appeal, reasoning, or a statute
# quoted after it ("第六十九条 判决宣告以前一人犯数罪的，除判处死刑…").
_RULING_ENDED = re.compile(
    r"宣判后|判后|不服|本院认为|上诉称|上诉提出|上诉理由|辩护|建议|[。\n]\s*第[一二三四五六七八九十百零〇]+条"
)
# The reasoning that introduces a disposition: the lower court's, or this court's own.
_LOWER_COURT = re.compile(r"原审法院|原审认为|原判认为|一审法院|原审判决认为|一审判决认为|(?<!本)法院认为")
_THIS_COURT = "本院认为"


def _last(pattern: re.Pattern[str], text: str) -> int:
    """Where the last match of `pattern` in `text` starts; -1 without one."""
    return max((m.start() for m in pattern.finditer(text)), default=-1)


def _sentence_source(text: str, pos: int, bios: dict[Span, str]) -> str:
    """Whose sentence the 判处 at `pos` is: a prior conviction, this court's disposition, the first-instance
    disposition an appeal quotes, or a mere mention (a recommendation, an argument, a statute's range)."""
    if _is_prior(text, pos, bios):
        return PRIOR_CONVICTION
    ruling = max(text.rfind(marker, 0, pos) for marker in _RULING_MARKERS)
    # The disposition ended before `pos`: the appeal against it, or the parties' and court's reasoning.
    if ruling < 0 or _RULING_ENDED.search(text, ruling, pos):
        return MENTIONED
    # Introduced by the lower court's reasoning (原审法院认为…判决：) rather than this court's.
    window = text[max(0, ruling - 800) : ruling]
    lower = _last(_LOWER_COURT, window)
    if lower > window.rfind(_THIS_COURT):
        return FIRST_INSTANCE
    if window.rfind(_THIS_COURT) >= 0:
        return JUDGMENT
    # Neither: followed by an appeal against it (before the judgment's closing words) it was quoted.
    after = text[pos:]
    appeal, end = _APPEAL_CUES.search(after), _END_CUES.search(after)
    if appeal is not None and (end is None or appeal.start() < end.start()):
        return FIRST_INSTANCE
    return JUDGMENT


def _parse_clause(text: str, start: int, end: int, sentence: Sentence) -> None:
    for m in _TERM.finditer(text, start, end):
        if m["y"] or m["m"]:
            sentence.penalties.append(Penalty(_KIND[m["kind"]], _months(m["y"], m["m"]), m.span()))
    for m in _EXEMPTION.finditer(text, start, end):
        sentence.penalties.append(Penalty(EXEMPT, None, m.span()))
    for m in _LIFE.finditer(text, start, end):
        sentence.penalties.append(Penalty(LIFE_IMPRISONMENT, None, m.span()))
    for m in _DEATH.finditer(text, start, end):
        sentence.penalties.append(Penalty(DEATH_WITH_REPRIEVE if m["rep"] else DEATH, None, m.span()))
    sentence.penalties.sort(key=lambda p: p.span)
    for m in _SUSPENSION.finditer(text, start, end):
        if (m["y"] or m["m"]) and sentence.penalties:
            last = sentence.penalties[-1]
            sentence.penalties[-1] = Penalty(
                last.kind, last.months, (last.span[0], m.end()), _months(m["y"], m["m"])
            )
    for m in _FINE.finditer(text, start, end):
        sentence.fines.append(Fine("fine", _amount(m["amt"]), _CURRENCY[m["cur"]], m.span()))
    for m in _CONFISCATION.finditer(text, start, end):
        amount = _amount(m["amt"]) if m["amt"] else None
        sentence.fines.append(Fine("confiscation of property", amount, "CNY" if amount else None, m.span()))
    for m in _OTHER.finditer(text, start, end):
        sentence.other_measures.append(Located(m.group(), m.group(), m.span()))


def _sentences(
    text: str, bios: dict[Span, str], names: re.Pattern[str] | None, charges: list[ChargeMention]
) -> list[Sentence]:
    sentences: list[Sentence] = []
    for anchor in _ANCHOR.finditer(text):
        end_match = _CLAUSE_END.search(text, anchor.end(), anchor.end() + 300)
        end = end_match.start() if end_match else min(len(text), anchor.end() + 300)
        start = anchor.start() if anchor.group() == "免予刑事处罚" else anchor.end()
        sentence_start = text.rfind("。", 0, anchor.start()) + 1
        clause_start = max(text.rfind(c, 0, anchor.start()) for c in "。；;") + 1
        before = text[sentence_start : anchor.start()]
        if anchor.group() == "判处" and re.search(
            r"撤销|原犯|前罪|余刑|尚未执行", text[clause_start : anchor.start()]
        ):
            continue  # an earlier sentence revoked or merged (数罪并罚 with 原犯…), not one given now
        who = names.findall(before) if names else []
        who += [name for (b_start, b_end), name in bios.items() if b_start <= anchor.start() < b_end]
        charge = next((c.name for c in reversed(charges) if clause_start <= c.span[0] < anchor.start()), None)
        sentence = Sentence(
            defendant=who[-1] if who else None,
            charge=None if anchor.group() == "决定执行" else charge,
            source=_sentence_source(text, anchor.start(), bios),
            combined=anchor.group() == "决定执行",
            span=(anchor.start(), end),
        )
        _parse_clause(text, start, end, sentence)
        if sentence.penalties or sentence.fines or sentence.other_measures:
            sentences.append(sentence)
    return sentences


# ---------------------------------------------------------------- drugs

# Street and chemical names -> the name the drug is charged under.
_DRUGS = {
    "甲基苯丙胺": "甲基苯丙胺",
    "甲基苯丙胺片剂": "甲基苯丙胺片剂",
    "冰毒": "甲基苯丙胺",
    "甲基安非他明": "甲基苯丙胺",
    "甲基安非他命": "甲基苯丙胺",
    "麻古": "甲基苯丙胺片剂",
    "麻果": "甲基苯丙胺片剂",
    "海洛因": "海洛因",
    "二乙酰吗啡": "海洛因",
    "单乙酰吗啡": "单乙酰吗啡",
    "吗啡": "吗啡",
    "鸦片": "鸦片",
    "氯胺酮": "氯胺酮",
    "K粉": "氯胺酮",
    "k粉": "氯胺酮",
    "咖啡因": "咖啡因",
    "安钠咖": "安钠咖",
    "大麻": "大麻",
    "四氢大麻酚": "四氢大麻酚",
    "可卡因": "可卡因",
    "甲卡西酮": "甲卡西酮",
    "摇头丸": "MDMA",
    "MDMA": "MDMA",
    "mdma": "MDMA",
    "亚甲基二氧甲基苯丙胺": "MDMA",
    "美沙酮": "美沙酮",
    "曲马多": "曲马多",
    "三唑仑": "三唑仑",
    "尼美西泮": "尼美西泮",
    "乙酰可待因": "乙酰可待因",
    "可待因": "可待因",
    "麻黄碱": "麻黄碱",
    "神仙水": "神仙水",
    "开心水": "开心水",
    "芬纳西泮": "芬纳西泮",
    "罂粟": "罂粟",
    "杜冷丁": "哌替啶",
}
_DRUG = re.compile("|".join(map(re.escape, sorted(_DRUGS, key=len, reverse=True))))
_WEIGHT = re.compile(r"(?P<n>[0-9０-９]+(?:[.．][0-9０-９]+)?)\s*(?P<u>千克|公斤|克|kg|KG|g(?![a-zA-Z]))")
_GRAMS = {"千克": 1000.0, "公斤": 1000.0, "kg": 1000.0, "KG": 1000.0, "克": 1.0, "g": 1.0}


def _drugs(text: str) -> tuple[list[DrugMention], list[DrugWeight]]:
    drugs = [DrugMention(m.group(), _DRUGS[m.group()], m.span()) for m in _DRUG.finditer(text)]
    weights = []
    if drugs or "毒品" in text:
        for m in _WEIGHT.finditer(text):
            number = float(m["n"].translate(DIGIT_FOLD).replace("．", "."))
            weights.append(DrugWeight(m.group(), number * _GRAMS[m["u"]], m.span()))
    return drugs, weights


# ---------------------------------------------------------------- verdict


def _verdict(text: str, sentences: list[Sentence], charges: list[ChargeMention]) -> Located | None:
    ruling = max(text.rfind(marker) for marker in _RULING_MARKERS)
    if ruling >= 0:
        region_end = len(text)
        if (stop := re.search(r"如不服|上诉人|宣判后|判后|审判长", text[ruling:])) is not None:
            region_end = ruling + stop.start()
        acquittal = re.compile(r"无罪").search(text, ruling, region_end)
        if acquittal is not None and not any(s.source == JUDGMENT and s.penalties for s in sentences):
            return Located(acquittal.group(), "acquitted", acquittal.span())
    for sentence in sentences:
        if sentence.source == JUDGMENT:
            return Located(text[slice(*sentence.span)], "guilty", sentence.span)
    reasons = text.rfind("本院认为")
    if reasons >= 0:
        for charge in charges:
            if (
                charge.span[0] > reasons
                and charge.source == COURT
                and text[charge.span[0] - 2 : charge.span[0]] == "构成"
            ):
                return Located(
                    text[charge.span[0] - 2 : charge.span[1]], "guilty", (charge.span[0] - 2, charge.span[1])
                )
    return None


def _own_ruling(text: str) -> Span | None:
    """The span of this court's own disposition: after its last ruling marker preceded by 本院认为 (and
    not by the lower court's reasoning), up to the judgment's closing words."""
    for marker in sorted(
        (m for name in _RULING_MARKERS for m in re.finditer(re.escape(name), text)),
        key=lambda m: m.start(),
        reverse=True,
    ):
        window = text[max(0, marker.start() - 800) : marker.start()]
        if window.rfind(_THIS_COURT) > _last(_LOWER_COURT, window):
            end = _END_CUES.search(text, marker.end())
            return (marker.end(), end.start() if end else len(text))
    return None


def _appeal_outcome(text: str, ruling: Span) -> Located | None:
    region = text[slice(*ruling)]
    for pattern, value in (
        (r"驳回上诉[，,、]?\s*维持原判|维持原判", "upheld"),
        (r"发回[^。；;]{0,30}?重新审判|发回重审", "remanded"),
        (r"撤销[^。；;]{0,80}?(?:判决|裁定)", "modified"),
    ):
        found = re.search(pattern, region)
        if found is not None:
            span = (ruling[0] + found.start(), ruling[0] + found.end())
            if value == "modified" and "判处" not in region and "无罪" in region:
                value = "reversed"
            return Located(found.group(), value, span)
    return None


# ---------------------------------------------------------------- entry point


def extract_cn_judgment(text: str, title: str | None = None) -> CnJudgmentFacts:
    """The structured facts of one Chinese criminal judgment or excerpt; `title` adds the charges it names."""
    facts = CnJudgmentFacts()
    facts.court = _court(text)
    facts.case_number = _case_number(text, facts.court.span[1] if facts.court else 0)
    facts.decision_date = _decision_date(text)
    facts.defendants, bios = _defendants(text)
    names = _names_pattern(facts.defendants)
    _roles(text, facts.defendants, names)
    facts.charges = _charges(text, bios, names)
    facts.sentences = _sentences(text, bios, names, facts.charges)
    facts.drugs, facts.drug_weights = _drugs(text)
    facts.verdict = _verdict(text, facts.sentences, facts.charges)
    ruling = _own_ruling(text)
    if ruling is not None:
        facts.appeal_outcome = _appeal_outcome(text, ruling)
        for defendant in facts.defendants:
            found = re.compile(re.escape(defendant.name) + r"[^。；;，,]{0,8}?无罪").search(text, *ruling)
            if found is not None:
                defendant.acquitted = Located(found.group(), "acquitted", found.span())
    if title:
        facts.title_charges = title_charges(title)
    by_name = {d.name: d for d in facts.defendants}
    for charge in facts.charges:
        if charge.source == PRIOR_CONVICTION:
            continue
        who = charge.defendants or ((facts.defendants[0].name,) if len(facts.defendants) == 1 else ())
        for name in who:
            if charge.name not in by_name[name].charges:
                by_name[name].charges.append(charge.name)
    for sentence in facts.sentences:
        if sentence.defendant in by_name:
            by_name[sentence.defendant].sentences.append(sentence)
        elif sentence.defendant is None and len(facts.defendants) == 1:
            sentence.defendant = facts.defendants[0].name
            facts.defendants[0].sentences.append(sentence)
    return facts
