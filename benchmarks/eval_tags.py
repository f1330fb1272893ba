"""Evaluate the crime-type tagger on the labelled sets built from ../shared/corpora.

    .venv/bin/python benchmarks/eval_tags.py [--corpora ../shared/corpora] [--errors SET]

Prints, per set and overall, micro precision / recall / F1 of crime types, per-crime-type figures over
all positive sets, and the share of negatives (items with no gold crime type) given any crime tag.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sherloc.settings import Settings  # noqa: E402
from sherloc.tagging.evalsets import EvalItem, build_eval_sets  # noqa: E402
from sherloc.tagging.evaluation import evaluate  # noqa: E402
from sherloc.tagging.tagger import Tagger, TagResult  # noqa: E402
from sherloc.vocab import load_vocabulary  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpora", type=Path, default=REPO.parent / "shared" / "corpora")
    parser.add_argument("--errors", metavar="SET", help="also print the false positives/negatives of SET")
    args = parser.parse_args()
    vocab_dir = Settings.from_env().vocab_dir
    tagger = Tagger(load_vocabulary(vocab_dir))
    sets = build_eval_sets(args.corpora, vocab_dir)

    def show(name: str, item: EvalItem, result: TagResult) -> None:
        if name == args.errors:
            terms = sorted({f"{e['value']}:{e['term']}@{e['field']}" for e in result.evidence})
            print(
                f"  {item.id} {item.title[:60]!r} gold={sorted(item.gold)} found={result.crime_types} {terms}"
            )

    started = time.perf_counter()
    report = evaluate(tagger, sets, show)
    seconds = time.perf_counter() - started
    for name, c in report.sets.items():
        neg = f"{c.negatives_tagged:6.1%} of {c.negatives} negatives tagged" if c.negatives else ""
        print(
            f"{name:<20} items {c.items:>5}  P {c.precision:6.1%}  R {c.recall:6.1%}  F1 {c.f1:6.3f}  {neg}"
        )
    for group, c in report.groups.items():
        print(f"micro {group:<14} P {c.precision:6.1%}  R {c.recall:6.1%}  F1 {c.f1:6.3f}")
    print("per crime type (all sets):")
    for ct, c in sorted(report.crime_types.items()):
        print(f"  {ct:<42} P {c.precision:6.1%}  R {c.recall:6.1%}  F1 {c.f1:6.3f}  (tp {c.tp})")
    print(f"tagged {report.items} items in {seconds:.1f} s ({report.items / seconds:.0f} items/s)")


if __name__ == "__main__":
    main()
