"""Evaluate the crime-type tagger on the labelled sets built from ../shared/corpora.

    .venv/bin/python benchmarks/eval_tags.py [--corpora ../shared/corpora]

Prints, per set and overall, micro precision / recall / F1 of crime types, per-crime-type figures over
all positive sets, and the share of negatives (items with no gold crime type) given any crime tag.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sherloc.settings import Settings  # noqa: E402
from sherloc.tagging.evalsets import build_eval_sets  # noqa: E402
from sherloc.tagging.tagger import Tagger, TagInput  # noqa: E402
from sherloc.vocab import load_vocabulary  # noqa: E402


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpora", type=Path, default=REPO.parent / "shared" / "corpora")
    parser.add_argument("--errors", metavar="SET", help="also print the false positives/negatives of SET")
    args = parser.parse_args()
    vocab_dir = Settings.from_env().vocab_dir
    tagger = Tagger(load_vocabulary(vocab_dir))
    sets = build_eval_sets(args.corpora, vocab_dir)
    per_type: Counter[tuple[str, str]] = Counter()
    groups = {"decisions": Counter(), "provisions": Counter()}  # type: dict[str, Counter[str]]
    started = time.perf_counter()
    n = 0
    for name, items in sets.items():
        tp = fp = fn = 0
        negatives = tagged_negatives = 0
        for item in items:
            n += 1
            result = tagger.tag(
                TagInput(
                    item.id, item.text, item.language or None, item.title, item.kind, item.path, item.charges
                )
            )
            found = set(result.crime_types)
            gold = set(item.gold)
            if args.errors == name and found != gold:
                terms = sorted({f"{e['value']}:{e['term']}@{e['field']}" for e in result.evidence})
                print(f"  {item.id} {item.title[:60]!r} gold={sorted(gold)} found={sorted(found)} {terms}")
            if not gold:
                negatives += 1
                tagged_negatives += bool(found)
            tp += len(found & gold)
            fp += len(found - gold)
            fn += len(gold - found)
            for t in found & gold:
                per_type[(t, "tp")] += 1
            for t in found - gold:
                per_type[(t, "fp")] += 1
            for t in gold - found:
                per_type[(t, "fn")] += 1
        p, r, f = prf(tp, fp, fn)
        neg = f"{tagged_negatives / negatives:6.1%} of {negatives} negatives tagged" if negatives else ""
        print(f"{name:<20} items {len(items):>5}  P {p:6.1%}  R {r:6.1%}  F1 {f:6.3f}  {neg}")
        group = (
            "decisions"
            if name.startswith("decisions")
            else "provisions"
            if name.startswith("provisions")
            else None
        )
        if group:
            groups[group].update(tp=tp, fp=fp, fn=fn)
    for group, c in groups.items():
        p, r, f = prf(c["tp"], c["fp"], c["fn"])
        print(f"micro {group:<14} P {p:6.1%}  R {r:6.1%}  F1 {f:6.3f}")
    print("per crime type (all sets):")
    for ct in sorted({t for t, _ in per_type}):
        p, r, f = prf(per_type[(ct, "tp")], per_type[(ct, "fp")], per_type[(ct, "fn")])
        print(f"  {ct:<42} P {p:6.1%}  R {r:6.1%}  F1 {f:6.3f}  (tp {per_type[(ct, 'tp')]})")
    seconds = time.perf_counter() - started
    print(f"tagged {n} items in {seconds:.1f} s ({n / seconds:.0f} items/s)")


if __name__ == "__main__":
    main()
