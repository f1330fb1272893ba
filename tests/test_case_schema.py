"""The case schema refuses what a case record must not hold, each time naming the field, and round-trips."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from marshmallow import ValidationError

from sherloc.models import Case
from sherloc.schemas.cases import DUMP_ONLY, CaseSchema

VALID: dict[str, Any] = {
    "record_id": "cn-2020-1",
    "country": "CHN",
    "title": "Trafficking of women for forced labour",
    "court": {
        "name": "Kunming Intermediate People's Court",
        "level": "first_instance",
        "location": "Kunming",
    },
    "decision_date": "2020-05-12",
    "case_number": "(2020)云01刑初123号",
    "citation": None,
    "legal_system": "civil_law",
    "proceeding_type": "criminal",
    "keywords": ["forced labour", "recruitment"],
    "involved_countries": ["mm", "LAO"],
    "sources": [{"title": "China Judgments Online", "url": "https://wenshu.court.gov.cn/"}],
    "texts": [
        {"kind": "facts", "language": "en", "text": "The defendants recruited ...", "provenance": {}},
        {
            "kind": "facts",
            "language": "zh",
            "text": "被告人招募……",
            "provenance": {"text": {"start": 10, "end": 90}},
        },
    ],
    "attachments": [
        {
            "kind": "judgment",
            "uri": "decisions/cn/2020-123.pdf",
            "media_type": "application/pdf",
            "language": "zh",
            "title": None,
            "provenance": {},
        }
    ],
    "defendants": [
        {
            "person_type": "natural",
            "name": "Defendant A",
            "anonymised": True,
            "gender": "male",
            "age_at_offence": 35,
            "nationality": "CN",
            "role": "principal",
            "provenance": {"age_at_offence": {"start": 200, "end": 204}},
            "charges": [
                {
                    "charge": "trafficking in women",
                    "provision_id": None,
                    "provision_text": "Criminal Law of the PRC, art. 240",
                    "verdict": "convicted",
                    "sentence": {
                        "kind": "imprisonment",
                        "term": {"value": 10, "unit": "years"},
                        "suspended": False,
                        "probation": None,
                        "fine": {"amount": "50000", "currency": "cny"},
                        "other_measures": ["deprivation of political rights for 2 years"],
                    },
                    "appeal_outcome": "upheld",
                    "provenance": {"sentence.term": {"start": 900, "end": 912}, "verdict": {"by": "editor"}},
                }
            ],
        }
    ],
    "victims": [
        {
            "initials": "L. M.",
            "gender": "female",
            "age": 16,
            "minor": True,
            "nationality": "MM",
            "provenance": {},
        },
        {
            "initials": "王某",
            "gender": "female",
            "age": None,
            "minor": None,
            "nationality": None,
            "provenance": {},
        },
    ],
    "provenance": {"court.name": {"start": 0, "end": 20}, "title": {"by": "editor", "user": "ed"}},
}


def errors_of(data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        CaseSchema().load(data)
    errors = caught.value.messages
    assert isinstance(errors, dict)
    return errors


def with_(path: list[str | int], value: Any) -> dict[str, Any]:
    """VALID with the value at `path` replaced."""
    data = copy.deepcopy(VALID)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


CHARGE: list[str | int] = ["defendants", 0, "charges", 0]


def test_a_full_record_loads_into_models_and_round_trips() -> None:
    case = CaseSchema().load(VALID)
    assert isinstance(case, Case)
    assert (case.country, case.involved_countries) == ("CN", ["MM", "LA"])
    assert case.court.name == "Kunming Intermediate People's Court"
    charge = case.defendants[0].charges[0]
    assert charge.sentence.term_months == 120
    assert (charge.sentence.fine_amount, charge.sentence.fine_currency) == (Decimal("50000"), "CNY")
    assert [v.position for v in case.victims] == [0, 1]

    case.unodc_number = "CHN0001"
    dumped = CaseSchema().dump(case)
    assert dumped["unodc_number"] == "CHN0001"
    assert dumped["country"] == "CN"
    assert dumped["court"] == VALID["court"]
    assert dumped["defendants"][0]["charges"][0]["sentence"]["term"] == {"value": 120, "unit": "months"}
    assert dumped["defendants"][0]["charges"][0]["sentence"]["fine"] == {
        "amount": "50000.00",
        "currency": "CNY",
    }
    assert dumped["victims"] == VALID["victims"]
    # Who corrected a value is stored (case.provenance) but not dumped: the API shows that an editor did.
    assert case.provenance["title"] == {"by": "editor", "user": "ed"}
    assert dumped["provenance"] == {**VALID["provenance"], "title": {"by": "editor"}}

    again = CaseSchema().dump(CaseSchema().load({k: v for k, v in dumped.items() if k not in DUMP_ONLY}))
    assert {k: v for k, v in again.items() if k not in DUMP_ONLY} == {
        k: v for k, v in dumped.items() if k not in DUMP_ONLY
    }


def test_the_smallest_case_loads() -> None:
    case = CaseSchema().load({"record_id": "d-1", "country": "fr", "title": "Affaire X"})
    assert (case.country, case.defendants, case.victims, case.provenance) == ("FR", [], [], {})


def test_a_victims_full_name_is_refused() -> None:
    errors = errors_of(with_(["victims", 0, "initials"], "Maria Lopez"))
    assert errors == {"victims": {0: {"initials": ["victims are recorded by initials only, e.g. 'M. L.'"]}}}


def test_a_negative_age_is_refused() -> None:
    errors = errors_of(with_(["victims", 0, "age"], -3))
    assert errors == {"victims": {0: {"age": ["age must be a whole number of years from 0 to 120"]}}}
    errors = errors_of(with_(["defendants", 0, "age_at_offence"], -3))
    assert errors == {
        "defendants": {
            0: {"age_at_offence": ["age_at_offence must be a whole number of years from 0 to 120"]}
        }
    }


def test_minor_contradicting_age_is_refused() -> None:
    errors = errors_of(with_(["victims", 0, "minor"], False))
    assert errors == {"victims": {0: {"minor": ["minor is False but age is 16"]}}}


@pytest.mark.parametrize("term", [{"value": 10}, 10, "10 years", {"value": 10, "unit": ""}])
def test_a_term_without_unit_is_refused(term: Any) -> None:
    errors = errors_of(with_([*CHARGE, "sentence", "term"], term))
    message = errors["defendants"][0]["charges"][0]["sentence"]["term"]
    assert message == ['a term needs its unit: {"value": 3, "unit": "years"}; units: months, years']


@pytest.mark.parametrize(
    ("term", "message"),
    [
        ({"value": 2, "unit": "fortnights"}, "unknown unit 'fortnights'; units: months, years"),
        ({"value": -1, "unit": "months"}, "a term's value is a non-negative number, got -1"),
        ({"value": 1.3, "unit": "years"}, "a term must come to whole months; 1.3 years does not"),
    ],
)
def test_a_term_must_be_whole_non_negative_months(term: dict[str, Any], message: str) -> None:
    errors = errors_of(with_([*CHARGE, "sentence", "term"], term))
    assert errors["defendants"][0]["charges"][0]["sentence"]["term"] == [message]


def test_a_life_sentence_has_no_term() -> None:
    data = with_([*CHARGE, "sentence", "kind"], "life_imprisonment")
    errors = errors_of(data)
    assert errors["defendants"][0]["charges"][0]["sentence"] == {
        "term": ["a life_imprisonment sentence has no term"]
    }


def test_a_fine_without_currency_is_refused() -> None:
    errors = errors_of(with_([*CHARGE, "sentence", "fine"], {"amount": "5000"}))
    assert errors["defendants"][0]["charges"][0]["sentence"]["fine"] == {
        "currency": ["a fine needs its currency: an ISO 4217 code, e.g. 'CNY'"]
    }
    errors = errors_of(with_([*CHARGE, "sentence", "fine"], {"amount": "5000", "currency": "ABC"}))
    assert errors["defendants"][0]["charges"][0]["sentence"]["fine"] == {
        "currency": ["unknown currency 'ABC': an ISO 4217 code is expected, e.g. 'CNY'"]
    }


UNKNOWN_COUNTRY = ["unknown country code 'XX': an ISO 3166-1 code is expected, e.g. 'CN' or 'CHN'"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (["country"], {"country": UNKNOWN_COUNTRY}),
        (["victims", 0, "nationality"], {"victims": {0: {"nationality": UNKNOWN_COUNTRY}}}),
        (["defendants", 0, "nationality"], {"defendants": {0: {"nationality": UNKNOWN_COUNTRY}}}),
        (["involved_countries", 1], {"involved_countries": {1: UNKNOWN_COUNTRY}}),
    ],
)
def test_an_unknown_country_code_is_refused(path: list[str | int], expected: dict[str, Any]) -> None:
    assert errors_of(with_(path, "XX")) == expected


def test_an_unknown_verdict_is_refused() -> None:
    errors = errors_of(with_([*CHARGE, "verdict"], "guilty"))
    assert errors == {
        "defendants": {
            0: {
                "charges": {
                    0: {
                        "verdict": [
                            "unknown verdict 'guilty'; one of: convicted, acquitted, dismissed, other"
                        ]
                    }
                }
            }
        }
    }


def test_provenance_is_a_span_or_an_editor_on_a_known_field() -> None:
    errors = errors_of(with_(["provenance"], {"court.name": {"start": 5}}))
    assert errors == {
        "provenance": {
            "court.name": {"value": {"_schema": ["a text span needs start and end, with end >= start"]}}
        }
    }
    errors = errors_of(with_(["provenance"], {"title": {"start": 1, "end": 2, "by": "editor"}}))
    assert "not both" in errors["provenance"]["title"]["value"]["_schema"][0]
    errors = errors_of(with_(["provenance"], {"judge": {"by": "editor"}}))
    assert errors == {"provenance": ["provenance names fields this record does not have: judge"]}


def test_unknown_fields_and_duplicate_texts_are_refused() -> None:
    assert errors_of(with_(["victims", 0, "name"], "Maria Lopez")) == {
        "victims": {0: {"name": ["Unknown field."]}}
    }
    duplicate = with_(["texts", 1, "language"], "en")
    assert errors_of(duplicate) == {"texts": ["one text per kind and language"]}
