"""The evaluation arithmetic, on hand-made items (no corpora needed)."""

from __future__ import annotations

from sherloc.tagging.evalsets import EvalItem
from sherloc.tagging.evaluation import evaluate
from sherloc.tagging.tagger import Tagger
from sherloc.vocab import load_vocabulary


def item(ident: str, text: str, gold: tuple[str, ...], language: str = "fr") -> EvalItem:
    return EvalItem(ident, text, "", "provision", language, gold)


def test_counts_precision_recall_and_negatives() -> None:
    sets = {
        "provisions_x": [
            item("tp", "Le blanchiment est puni de cinq ans.", ("money_laundering",)),
            item("fn", "Le fait de faciliter la justification mensongère est puni.", ("money_laundering",)),
            item("fp", "La traite des êtres humains est punie.", ()),
            item("tn", "Le contrat est formé par l'échange des consentements.", ()),
        ]
    }
    wrong: list[str] = []
    report = evaluate(Tagger(load_vocabulary()), sets, lambda _name, it, _result: wrong.append(it.id))
    counts = report.sets["provisions_x"]
    assert (counts.tp, counts.fp, counts.fn) == (1, 1, 1)
    assert counts.precision == 0.5 and counts.recall == 0.5 and counts.f1 == 0.5
    assert counts.negatives == 2 and counts.negatives_tagged == 0.5
    assert sorted(wrong) == ["fn", "fp"]
    assert report.groups["provisions"].tp == 1 and report.groups["decisions"].items == 0
    assert report.crime_types["money_laundering"].recall == 0.5
    assert report.crime_types["trafficking_in_persons"].precision == 0.0
