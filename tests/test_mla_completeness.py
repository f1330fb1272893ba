"""The request writer's completeness rules, per type of assistance and per directory requirement, and the
rules file they are read from (corpus/vocab/mla_requirements.yaml)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from sherloc.mla import completeness as c
from sherloc.mla.completeness import Context, DirectoryFacts, check, is_complete, required_documents
from sherloc.mla.rules import FieldRule, Rules, load_rules
from sherloc.vocab.loader import VocabularyError, default_vocab_dir

TODAY = dt.date(2026, 11, 24)
CONTEXT = Context(
    countries={"FR", "DE", "ES", "CN"},
    languages={"en", "fr", "de", "es", "zh", "ar", "ru"},
    channels={"central_authority", "diplomatic", "interpol", "email", "post"},
    today=TODAY,
)
# The types of assistance UNTOC art. 18(3) lists, with freezing (art. 13(2)) and the computer-data ones.
ISSUE_TYPES = {
    "taking_evidence",
    "service_of_documents",
    "search_and_seizure",
    "examining_objects_sites",
    "information_evidence_expert",
    "documents_records",
    "tracing_proceeds",
    "appearance_of_persons",
    "other_assistance",
    "freezing_proceeds",
    "preservation_stored_data",
    "access_stored_data",
    "realtime_traffic_data",
}


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(default_vocab_dir())


def sample(rule: FieldRule) -> Any:
    """A valid value for a field, as a drafter would give it."""
    values: dict[str, Any] = {
        "date": (TODAY + dt.timedelta(days=30)).isoformat(),
        "email": "prosecutor@example.org",
        "phone": "+33 1 23 45 67 89",
        "country": "DE",
        "language": "en",
        "channel": "central_authority",
        "checkbox": True,
        "treaty": "Treaty on mutual legal assistance between X and Y",
        "authority": "Federal Office of Justice",
    }
    if rule.type == "select":
        return rule.options[0].id
    if rule.type == "group":
        return [{sub.id: sample(sub) for sub in rule.fields}]
    return values.get(rule.type, f"{rule.id} given")


def complete_answers(rules: Rules, *types: str) -> dict[str, Any]:
    """Answers giving every field that applies, for the assistance `types`."""
    answers: dict[str, Any] = {"assistance_types": list(types), "legal_basis": "untoc"}
    for rule in rules.fields:
        if rule.id in answers or rule.type in ("assistance", "required_documents"):
            continue
        answers[rule.id] = sample(rule)
    answers["requesting_state"], answers["requested_state"] = "FR", "DE"
    answers.pop("translation_language")
    for type_id in types:
        kind = rules.assistance(type_id)
        assert kind is not None
        for rule in kind.fields:
            answers[rule.id] = sample(rule)
    return answers


def blocking(findings: list[c.Finding]) -> list[tuple[str, str]]:
    return [(f.field, f.kind) for f in findings if f.blocking]


# ---- the rules file ---------------------------------------------------------------------------------


def test_every_type_of_assistance_the_issue_names_is_there_with_its_own_required_fields(rules: Rules) -> None:
    ids = {t.id for t in rules.assistance_types}
    assert ids >= ISSUE_TYPES
    for kind in rules.assistance_types:
        assert any(f.required for f in kind.fields), kind.id
        assert kind.source, kind.id


def test_every_text_is_in_the_six_languages(rules: Rules) -> None:
    for rule in rules.all_fields():
        for lang in ("ar", "en", "es", "fr", "ru", "zh"):
            assert rule.label(lang).strip() and rule.help_text(lang).strip(), (rule.id, lang)
    assert rules.text("title", "zh") != rules.text("title", "en")


@pytest.mark.parametrize("type_id", sorted(ISSUE_TYPES) + ["confiscation", "transfer_of_detained_persons"])
def test_a_complete_request_of_each_type_has_no_blocking_finding(rules: Rules, type_id: str) -> None:
    findings = check(rules, complete_answers(rules, type_id), None, CONTEXT)
    assert blocking(findings) == []
    assert is_complete(findings)


@pytest.mark.parametrize("type_id", sorted(ISSUE_TYPES))
def test_each_required_field_of_a_type_is_prompted_when_missing(rules: Rules, type_id: str) -> None:
    kind = rules.assistance(type_id)
    assert kind is not None
    for rule in kind.fields:
        if not rule.required or rule.when is not None:
            continue
        answers = complete_answers(rules, type_id)
        del answers[rule.id]
        findings = check(rules, answers, None, CONTEXT)
        assert blocking(findings) == [(rule.id, c.MISSING)], rule.id
        found = next(f for f in findings if f.blocking)
        assert found.step == "assistance" and found.params["type"] == type_id


def test_each_required_common_field_is_prompted_on_its_step(rules: Rules) -> None:
    for rule in rules.fields:
        if not rule.required or rule.when is not None or rule.type == "assistance":
            continue
        answers = complete_answers(rules, "taking_evidence")
        del answers[rule.id]
        findings = check(rules, answers, None, CONTEXT)
        assert (rule.id, c.MISSING) in blocking(findings), rule.id
        assert next(f for f in findings if f.field == rule.id).step == rule.step


def test_taking_evidence_asks_for_each_person_to_be_heard_and_where_to_find_them(rules: Rules) -> None:
    answers = complete_answers(rules, "taking_evidence")
    answers["te_persons"] = [
        {"name": "Jane Roe", "capacity": "witness"},
        {"name": "John Doe", "location": "Lyon"},
    ]
    assert blocking(check(rules, answers, None, CONTEXT)) == [
        ("te_persons.0.location", c.MISSING),
        ("te_persons.1.capacity", c.MISSING),
    ]
    answers["te_persons"] = []
    assert blocking(check(rules, answers, None, CONTEXT)) == [("te_persons", c.MISSING)]
    answers = complete_answers(rules, "taking_evidence")
    answers["te_presence"] = True
    del answers["te_presence_names"]
    assert blocking(check(rules, answers, None, CONTEXT)) == [("te_presence_names", c.MISSING)]


def test_freezing_asks_for_the_facts_relied_upon_and_the_actions_requested(rules: Rules) -> None:
    answers = complete_answers(rules, "freezing_proceeds")
    for field in ("fp_link", "fp_actions", "fp_order"):
        del answers[field]
    findings = check(rules, answers, None, CONTEXT)
    assert blocking(findings) == [("fp_link", c.MISSING), ("fp_actions", c.MISSING)]
    # The order of the requesting State is advice: many States require it, the Convention does not.
    assert [(f.field, f.kind) for f in findings if not f.blocking] == [
        ("requested_authority", c.NO_ENTRY),  # typed by name: nothing in the directory to check it against
        ("fp_order", c.RECOMMENDED),
    ]


def test_a_detained_person_is_transferred_only_with_consent(rules: Rules) -> None:
    answers = complete_answers(rules, "transfer_of_detained_persons")
    answers["td_consent"] = None
    assert blocking(check(rules, answers, None, CONTEXT)) == [("td_consent", c.MISSING)]


def test_service_of_documents_alone_needs_no_summary_of_facts(rules: Rules) -> None:
    answers = complete_answers(rules, "service_of_documents")
    del answers["facts_summary"]
    assert blocking(check(rules, answers, None, CONTEXT)) == []
    answers = complete_answers(rules, "service_of_documents", "taking_evidence")
    del answers["facts_summary"]
    assert blocking(check(rules, answers, None, CONTEXT)) == [("facts_summary", c.MISSING)]


def test_no_type_of_assistance_and_an_unknown_one(rules: Rules) -> None:
    answers = complete_answers(rules)
    assert ("assistance_types", c.MISSING) in blocking(check(rules, answers, None, CONTEXT))
    answers["assistance_types"] = ["taking_evidence_x"]
    assert blocking(check(rules, answers, None, CONTEXT)) == [("assistance_types", c.UNKNOWN_TYPE)]


@pytest.mark.parametrize(
    ("flag", "value", "reason"),
    [
        ("legal_basis", "treaty", "treaty"),
        ("legal_basis", "reciprocity", "reciprocity_undertaking"),
        ("confidential", True, "confidentiality_reasons"),
        ("urgent", True, "urgency_reasons"),
        ("deadline", "2027-01-15", "deadline_reasons"),
    ],
)
def test_a_field_required_by_another_answer(rules: Rules, flag: str, value: Any, reason: str) -> None:
    answers = complete_answers(rules, "documents_records")
    del answers[reason]
    answers[flag] = None if flag != "legal_basis" else "untoc"
    assert blocking(check(rules, answers, None, CONTEXT)) == []
    answers[flag] = value
    assert blocking(check(rules, answers, None, CONTEXT)) == [(reason, c.MISSING)]


def test_values_of_the_wrong_form(rules: Rules) -> None:
    answers = complete_answers(rules, "other_assistance")
    answers.update(
        contact_email="not an address",
        deadline="15/01/2027",
        proceeding_kind="inquiry",
        requested_state="XX",
        channel="pigeon",
    )
    assert sorted(blocking(check(rules, answers, None, CONTEXT))) == [
        ("channel", c.INVALID),
        ("contact_email", c.INVALID),
        ("deadline", c.INVALID),
        ("proceeding_kind", c.INVALID),
        ("requested_state", c.INVALID),
    ]
    answers = complete_answers(rules, "other_assistance")
    answers["deadline"] = "2026-11-01"
    findings = check(rules, answers, None, CONTEXT)
    assert [(f.field, f.kind, f.blocking) for f in findings if f.field == "deadline"] == [
        ("deadline", c.PAST_DATE, False)
    ]
    answers["requested_state"] = "FR"
    assert ("requested_state", c.SAME_STATE) in blocking(check(rules, answers, None, CONTEXT))


def test_recommended_items_are_advice_that_does_not_block(rules: Rules) -> None:
    answers = complete_answers(rules, "other_assistance")
    del answers["persons_concerned"], answers["case_reference"]
    findings = check(rules, answers, None, CONTEXT)
    assert is_complete(findings)
    assert {(f.field, f.kind) for f in findings} == {
        ("requested_authority", c.NO_ENTRY),
        ("persons_concerned", c.RECOMMENDED),
        ("case_reference", c.RECOMMENDED),
    }


def test_findings_come_in_the_order_of_the_steps(rules: Rules) -> None:
    findings = check(rules, {}, None, CONTEXT)
    steps = [s.id for s in rules.steps]
    order = [steps.index(f.step) for f in findings]
    assert order == sorted(order)
    assert findings[0].field == "requesting_state"


# ---- what the requested authority's directory entry asks --------------------------------------------


FACTS = DirectoryFacts(
    authority_id="de-bfj",
    name="Bundesamt für Justiz",
    country="DE",
    languages=("de", "en"),
    channels=("central_authority", "diplomatic"),
    interpol_accepted=False,
    required_documents=("Certified copy of the court order", "Translation into German"),
)


def with_directory(rules: Rules, **changes: Any) -> dict[str, Any]:
    answers = complete_answers(rules, "freezing_proceeds")
    answers.update(required_documents_given=list(FACTS.required_documents), requested_authority="de-bfj")
    answers.update(changes)
    return answers


def test_a_request_meeting_the_directory_entry_is_complete(rules: Rules) -> None:
    assert blocking(check(rules, with_directory(rules), FACTS, CONTEXT)) == []


def test_a_language_the_requested_authority_does_not_accept(rules: Rules) -> None:
    findings = check(rules, with_directory(rules, language="fr"), FACTS, CONTEXT)
    assert blocking(findings) == [("language", c.LANGUAGE)]
    assert findings[0].params == {"authority": "Bundesamt für Justiz", "accepted": "de, en"}
    # A translation into an accepted language, enclosed, answers it; one into another language does not.
    assert (
        blocking(
            check(rules, with_directory(rules, language="fr", translation_language="de"), FACTS, CONTEXT)
        )
        == []
    )
    assert blocking(
        check(rules, with_directory(rules, language="fr", translation_language="es"), FACTS, CONTEXT)
    ) == [("translation_language", c.LANGUAGE)]


def test_a_channel_the_requested_authority_does_not_accept(rules: Rules) -> None:
    assert blocking(check(rules, with_directory(rules, channel="email"), FACTS, CONTEXT)) == [
        ("channel", c.CHANNEL)
    ]
    # INTERPOL: only urgent requests, and only where the State accepts it.
    assert blocking(check(rules, with_directory(rules, channel="interpol"), FACTS, CONTEXT)) == [
        ("channel", c.INTERPOL)
    ]
    accepting = DirectoryFacts(**{**FACTS.__dict__, "interpol_accepted": True, "channels": ("interpol",)})
    answers = with_directory(rules, channel="interpol", urgent=None)
    assert blocking(check(rules, answers, accepting, CONTEXT)) == [("channel", c.INTERPOL)]
    answers.update(urgent=True, urgency_reasons="assets about to be moved")
    assert blocking(check(rules, answers, accepting, CONTEXT)) == []


def test_each_document_the_directory_requires_is_prompted_until_given(rules: Rules) -> None:
    answers = with_directory(rules, required_documents_given=["Translation into German"])
    findings = check(rules, answers, FACTS, CONTEXT)
    assert blocking(findings) == [("required_documents_given", c.DOCUMENT)]
    assert findings[0].params["document"] == "Certified copy of the court order"
    assert findings[0].step == "documents"


def test_an_authority_of_another_state_and_a_state_without_an_entry(rules: Rules) -> None:
    assert blocking(check(rules, with_directory(rules, requested_state="ES"), FACTS, CONTEXT)) == [
        ("requested_authority", c.WRONG_STATE)
    ]
    findings = check(rules, with_directory(rules), None, CONTEXT)
    assert [(f.field, f.kind, f.blocking) for f in findings] == [("requested_authority", c.NO_ENTRY, False)]


def test_the_documents_an_entry_lists_are_read_one_per_line_or_semicolon() -> None:
    text = (
        "1. Certified copy of the order;\n- Translation into German.\n\n• Translation into German\n(b) Seal"
    )
    assert required_documents(text) == ("Certified copy of the order", "Translation into German", "Seal")
    assert required_documents(None) == ()


# ---- a secretariat edits the rules: no code change -----------------------------------------------------


def copy_rules(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path / "vocab"
    folder.mkdir()
    source = default_vocab_dir() / "mla_requirements.yaml"
    shutil.copy(source, folder / source.name)
    return folder, yaml.safe_load(source.read_text(encoding="utf-8"))


def write(folder: Path, data: dict[str, Any]) -> None:
    (folder / "mla_requirements.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_new_requirement_added_to_the_file_is_checked(tmp_path: Path, rules: Rules) -> None:
    folder, data = copy_rules(tmp_path)
    evidence = next(t for t in data["assistance_types"] if t["id"] == "taking_evidence")
    labels = {lang: "Whether the person is a minor" for lang in ("en", "fr", "es", "ru", "zh", "ar")}
    evidence["fields"].append(
        {"id": "te_minor", "type": "textarea", "required": True, "labels": labels, "help": labels}
    )
    write(folder, data)
    edited = load_rules(folder)
    answers = complete_answers(rules, "taking_evidence")
    assert blocking(check(rules, answers, None, CONTEXT)) == []
    assert blocking(check(edited, answers, None, CONTEXT)) == [("te_minor", c.MISSING)]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["fields"][0]["labels"].pop("zh"), "no text in zh"),
        (lambda d: d["fields"][0].update(type="number"), "type 'number'"),
        (lambda d: d["fields"].append(dict(d["fields"][0])), "used twice"),
        (
            lambda d: d["fields"][1].update(when={"field": "nowhere", "is_set": True}),
            "unknown field 'nowhere'",
        ),
        (lambda d: d["fields"][1].update(step="elsewhere"), "step 'elsewhere'"),
        (lambda d: d["document"]["opening"].update(fr="Sans {requested_state}"), "placeholders"),
        (lambda d: d["document"].pop("title"), "'title' is missing"),
        (lambda d: d["fields"].pop(0), "'requesting_state' is missing"),
    ],
)
def test_a_mistake_in_the_rules_file_is_named(tmp_path: Path, edit: Any, message: str) -> None:
    folder, data = copy_rules(tmp_path)
    edit(data)
    write(folder, data)
    with pytest.raises(VocabularyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_rules(folder)


def test_the_rules_command_checks_an_edited_file_and_names_the_mistake(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sherloc.cli import main

    runner = CliRunner()
    done = runner.invoke(main, ["mla", "rules"])
    assert done.exit_code == 0 and done.output.startswith("ok: 7 steps"), done.output
    as_json = runner.invoke(main, ["mla", "rules", "--json", "--language", "ru"])
    assert as_json.exit_code == 0 and '"language": "ru"' in as_json.output
    folder, data = copy_rules(tmp_path)
    data["assistance_types"][0]["fields"][0]["when"] = {"field": "te_nowhere", "is_set": True}
    write(folder, data)
    failed = runner.invoke(main, ["mla", "rules", "--vocab", str(folder)])
    assert failed.exit_code == 1
    assert "te_persons when: unknown field 'te_nowhere'" in failed.output


def test_the_request_is_drafted_in_one_of_the_six_languages(rules: Rules) -> None:
    # German is accepted by the requested authority, but the request can only be printed in a UN language.
    answers = with_directory(rules, language="de")
    assert blocking(check(rules, answers, FACTS, CONTEXT)) == [("language", c.INVALID)]


def test_an_authority_not_designated_for_mutual_legal_assistance(rules: Rules) -> None:
    maritime = DirectoryFacts(**{**FACTS.__dict__, "designated": False})
    assert blocking(check(rules, with_directory(rules), maritime, CONTEXT)) == [
        ("requested_authority", c.NOT_DESIGNATED)
    ]
