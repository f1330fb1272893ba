"""Quality and speed of the Chinese judgment extractor on every LeCaRDv2 and CAIL2022 text in shared corpora.

    .venv/bin/python benchmarks/eval_case_extraction.py [--corpora ../shared/corpora]

Labels used: the charge(s) named in a LeCaRDv2 case title (…犯贩卖毒品罪… / 韩飞飞寻衅滋事、妨害公务二审…),
and the CAIL2022 entity spans (drug type NDR, drug weight NW, person Nh). Everything else is coverage: the
share of texts where a field was found at all. LeCaRDv2 texts are the caption and facts, mostly without the
disposition, so sentence and date coverage there is low by nature of the data, not only of the extractor.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from sherloc.extract.cn_judgment import (
    JUDGMENT,
    PRIOR_CONVICTION,
    CnJudgmentFacts,
    caption_title,
    charge_lexicon,
    extract_cn_judgment,
    title_charges,
)

DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def _lecard(corpora: Path) -> list[dict[str, object]]:
    seen: dict[str, dict[str, object]] = {}
    for path in sorted((corpora / "zh-cn-decisions-lecardv2" / "query").glob("*.json")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                seen.setdefault(record["query"], record)  # a few cases sit in two query sets
    return list(seen.values())


def _cail(corpora: Path) -> list[dict[str, object]]:
    path = corpora / "zh-cn-decisions-cail2022-drug-ie" / "train.json"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _share(hits: int, total: int) -> str:
    return f"{hits}/{total} = {100 * hits / total:.1f}%" if total else "n/a"


def _prf(name: str, true_pos: int, predicted: int, gold: int) -> None:
    precision = true_pos / predicted if predicted else 0.0
    recall = true_pos / gold if gold else 0.0
    print(
        f"  {name:<34} precision {precision:6.1%} ({true_pos}/{predicted})   "
        f"recall {recall:6.1%} ({true_pos}/{gold})"
    )


def _coverage(label: str, facts: list[CnJudgmentFacts], test: Callable[[CnJudgmentFacts], bool]) -> None:
    print(f"  {label:<34} {_share(sum(1 for f in facts if test(f)), len(facts))}")


def _has_term(facts: CnJudgmentFacts, sources: Iterable[str] | None = None) -> bool:
    wanted = set(sources) if sources else None
    return any(s.penalties for s in facts.sentences if wanted is None or s.source in wanted)


def eval_lecard(corpora: Path) -> float:
    records = _lecard(corpora)
    ids = {str(r["query"]): r["id"] for r in records}
    lexicon = charge_lexicon()
    started = time.perf_counter()
    results = []
    for record in records:
        text = str(record["query"])
        title = caption_title(text)
        results.append((text, title, extract_cn_judgment(text, title[0] if title else None)))
    elapsed = time.perf_counter() - started
    chars = sum(len(text) for text, _, _ in results)
    print(
        f"LeCaRDv2: {len(records)} distinct judgments ({chars:,} characters) in {elapsed:.2f} s "
        f"= {len(records) / elapsed:.0f} judgments/s, {chars / elapsed / 1e6:.2f} M chars/s"
    )

    titled = [(text, title, facts) for text, title, facts in results if title and title_charges(title[0])]
    all_in = any_in = 0
    predicted = correct = 0
    misses: list[str] = []
    for text, title, _ in titled:
        assert title is not None
        gold = set(title_charges(title[0]))
        # Body text past the title: the title itself must not count as an extraction.
        body_facts = extract_cn_judgment(text[title[1][1] :])
        names = set(body_facts.charge_names())
        extracted = names | {lexicon[n] for n in names if n in lexicon}
        found = {g for g in gold if g in extracted or lexicon.get(g) in extracted}
        all_in += found == gold
        any_in += bool(found)
        canon = {lexicon.get(n, n) for n in names}
        predicted += len(canon)
        correct += len(canon & {lexicon.get(g, g) for g in gold})
        if found != gold:
            misses.append(f"    id {ids[text]}: title {sorted(gold)} extracted {sorted(names)}")
    print(f"  cases whose title names a charge   {len(titled)} of {len(results)}")
    print(f"  title charge among extracted (all) {_share(all_in, len(titled))}   <- issue 10 check: >= 95%")
    print(f"  title charge among extracted (any) {_share(any_in, len(titled))}")
    print(
        f"  extracted charges named in title   {_share(correct, predicted)} "
        "(precision lower bound: bodies name"
        " other charges too)"
    )
    for line in misses[:8]:
        print(line)

    facts_list = [facts for _, _, facts in results]
    print("  coverage:")
    _coverage("court", facts_list, lambda f: f.court is not None)
    _coverage("case number", facts_list, lambda f: f.case_number is not None)
    _coverage("decision date", facts_list, lambda f: f.decision_date is not None)
    _coverage(">=1 defendant", facts_list, lambda f: bool(f.defendants))
    _coverage(
        "every defendant has a gender",
        facts_list,
        lambda f: bool(f.defendants) and all(d.gender for d in f.defendants),
    )
    _coverage(">=1 charge (not prior)", facts_list, lambda f: bool(f.charge_names()))
    _coverage(">=1 penalty, any source", facts_list, lambda f: _has_term(f))
    _coverage(">=1 penalty in the disposition", facts_list, lambda f: _has_term(f, [JUDGMENT]))
    _coverage(
        ">=1 prior conviction sentence",
        facts_list,
        lambda f: any(s.source == PRIOR_CONVICTION for s in f.sentences),
    )
    _coverage("verdict", facts_list, lambda f: f.verdict is not None)
    has_ruling = [f for text, _, f in results if "判决如下" in text]
    _coverage("penalty where text has 判决如下", has_ruling, lambda f: _has_term(f))
    return all_in / len(titled) if titled else 0.0


def eval_cail(corpora: Path) -> None:
    records = _cail(corpora)
    started = time.perf_counter()
    extracted = [extract_cn_judgment(str(r["sentText"])) for r in records]
    elapsed = time.perf_counter() - started
    print(
        f"CAIL2022 drug IE: {len(records)} paragraphs in {elapsed:.2f} s "
        f"= {len(records) / elapsed:.0f} paragraphs/s"
    )
    counts = {
        key: [0, 0, 0]
        for key in ("drug type (NDR span)", "drug weight (NW span)", "defendant (Nh after 被告人)")
    }
    defendant_hits = 0
    for record, facts in zip(records, extracted, strict=True):
        text = str(record["sentText"])
        entities = record["entityMentions"]
        assert isinstance(entities, list)
        gold_drugs = {(e["start"], e["end"]) for e in entities if e["label"] == "NDR"}
        gold_weights = {(e["start"], e["end"]) for e in entities if e["label"] == "NW"}
        persons = [e for e in entities if e["label"] == "Nh"]
        gold_defendants = {
            e["text"] for e in persons if text[max(0, e["start"] - 3) : e["start"]] == "被告人"
        }
        all_persons = {e["text"] for e in persons}
        for key, predicted, gold in (
            ("drug type (NDR span)", {d.span for d in facts.drugs}, gold_drugs),
            ("drug weight (NW span)", {w.span for w in facts.drug_weights}, gold_weights),
        ):
            counts[key][0] += len(predicted & gold)
            counts[key][1] += len(predicted)
            counts[key][2] += len(gold)
        names = {d.name for d in facts.defendants}
        key = "defendant (Nh after 被告人)"
        counts[key][0] += len(names & all_persons)  # precision: a defendant found must be a labelled person
        counts[key][1] += len(names)
        counts[key][2] += len(gold_defendants)
        defendant_hits += len(names & gold_defendants)
    for key, (true_pos, predicted, gold) in counts.items():
        if key.startswith("defendant"):
            precision = true_pos / predicted if predicted else 0.0
            recall = defendant_hits / gold if gold else 0.0
            print(
                f"  {key:<34} precision {precision:6.1%} ({true_pos}/{predicted})   "
                f"recall {recall:6.1%} ({defendant_hits}/{gold})"
            )
        else:
            _prf(key, true_pos, predicted, gold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    args = parser.parse_args()
    eval_lecard(args.corpora)
    eval_cail(args.corpora)


if __name__ == "__main__":
    main()
