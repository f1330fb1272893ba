"""Case records in the store: people and charges, UNODC numbers per country, cascade, initials only."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sherloc.db import make_engine, make_session_factory, upgrade
from sherloc.models import Case, CaseText, Charge, Defendant, Record, Victim
from sherloc.models.cases import CaseError, Court, Sentence, register_case
from sherloc.settings import Settings


@pytest.fixture
def session(settings: Settings) -> Iterator[Session]:
    """A session on an empty SQLite store migrated to head."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


def decision(session: Session, record_id: str, country: str = "CN") -> Record:
    record = Record(
        id=record_id, kind="decision", source="test", source_key=record_id, country=country,
        title=f"Judgment {record_id}", content_hash="0" * 64,
    )  # fmt: skip
    session.add(record)
    return record


def test_a_case_with_defendants_victims_and_charges_is_stored(session: Session) -> None:
    record = decision(session, "cn-2020-1")
    provision = Record(
        id="cn-criminal-law-191", kind="provision", source="test", source_key="191", country="CN",
        title="Article 191", content_hash="1" * 64,
    )  # fmt: skip
    session.add(provision)
    case = Case(record=record, country="CN", title="Money laundering through shell companies")
    case.court = Court(name="Shanghai No. 1 Intermediate People's Court", level="first_instance")
    case.texts.append(CaseText(kind="facts", language="en", text="The defendants moved funds ..."))
    defendant = Defendant(
        name="Zhang San", gender="male", age_at_offence=41, nationality="CN", role="principal"
    )
    defendant.charges.append(
        Charge(
            charge="money laundering",
            provision_id=provision.id,
            verdict="convicted",
            sentence=Sentence(
                kind="imprisonment", term_months=60, fine_amount=Decimal("500000"), fine_currency="CNY"
            ),
            provenance={"verdict": {"start": 1200, "end": 1210}},
        )
    )
    case.defendants.append(defendant)
    case.victims.append(Victim(initials="L. M.", gender="female", age=16, minor=True, nationality="VN"))
    register_case(session, case)
    session.commit()
    session.expunge_all()

    stored = session.scalars(select(Case)).one()
    assert stored.unodc_number == "CHN0001"
    assert stored.court.name == "Shanghai No. 1 Intermediate People's Court"
    assert stored.text("facts", "fr").text.startswith("The defendants")  # falls back to another language
    charge = stored.defendants[0].charges[0]
    assert charge.provision.id == "cn-criminal-law-191"
    assert charge.sentence.term_months == 60
    assert charge.sentence.fine_amount == Decimal("500000.00")
    assert charge.sentence.fine == {"amount": Decimal("500000.00"), "currency": "CNY"}
    assert charge.provenance == {"verdict": {"start": 1200, "end": 1210}}
    victim = stored.victims[0]
    assert (victim.initials, victim.minor, victim.age) == ("L. M.", True, 16)


def test_unodc_numbers_run_per_country(session: Session) -> None:
    numbers = []
    for record_id, country in [("cn-1", "CN"), ("cn-2", "CN"), ("fr-1", "FR")]:
        case = Case(record=decision(session, record_id, country), country=country, title=record_id)
        numbers.append(register_case(session, case).unodc_number)
    session.commit()
    later = register_case(session, Case(record=decision(session, "cn-3"), country="chn", title="cn-3"))
    session.commit()
    assert numbers == ["CHN0001", "CHN0002", "FRA0001"]
    assert (later.unodc_number, later.country) == ("CHN0003", "CN")


def test_register_case_refuses_what_is_not_a_decision_or_not_a_country(session: Session) -> None:
    law = Record(id="law-1", kind="law", source="test", source_key="1", title="A law", content_hash="2" * 64)
    session.add(law)
    with pytest.raises(CaseError, match="record: a case belongs to a decision record, not a law"):
        Case(record=law, country="CN", title="x")
    with pytest.raises(CaseError, match="record_id: a case belongs to a decision record"):
        register_case(session, Case(record_id="law-1", country="CN", title="x"))
    with pytest.raises(CaseError, match="country: unknown country code 'QQ'"):
        register_case(session, Case(record=decision(session, "d-1"), country="QQ", title="x"))


def test_deleting_the_decision_deletes_its_case_people_and_charges(session: Session) -> None:
    record = decision(session, "cn-9")
    case = Case(record=record, country="CN", title="x")
    defendant = Defendant(name="A")
    defendant.charges.append(Charge(charge="fraud", verdict="acquitted"))
    case.defendants.append(defendant)
    case.victims.append(Victim(initials="W."))
    case.texts.append(CaseText(kind="commentary", language="en", text="..."))
    register_case(session, case)
    session.commit()

    session.delete(session.get(Record, "cn-9"))
    session.commit()
    for table in ("cases", "case_texts", "case_defendants", "case_victims", "case_charges"):
        assert session.scalar(select(func.count()).select_from(text(table))) == 0, table


@pytest.mark.parametrize(
    "name",
    ["Maria Lopez", "MARIA", "Lopez", "王芳", "M. Lopez", "ANA", "TOM", "LI NA", "A. LEE", "张.三.", "Bob"],
)
def test_a_victims_full_name_is_refused_by_the_model(name: str) -> None:
    with pytest.raises(CaseError, match="victims are recorded by initials only"):
        Victim(initials=name)
    victim = Victim(initials="M. L.")
    with pytest.raises(CaseError, match="initials only"):
        victim.initials = name


@pytest.mark.parametrize(
    "initials", ["M. L.", "ML", "M.L.", "M L", "J.-P. D.", "王某", "王.", "Ж. К.", "م. ل."]
)
def test_initials_are_accepted(initials: str) -> None:
    assert Victim(initials=initials).initials == initials


def test_the_database_refuses_a_lower_case_name_written_around_the_orm(session: Session) -> None:
    record = decision(session, "cn-10")
    register_case(session, Case(record=record, country="CN", title="x"))
    session.commit()
    case_id = session.scalars(select(Case.id)).one()
    with pytest.raises(IntegrityError, match="ck_case_victims_initials"):
        session.execute(
            text(
                "INSERT INTO case_victims (case_id, position, initials, provenance) VALUES (:c, 0, :n, '{}')"
            ),
            {"c": case_id, "n": "Maria Lopez"},
        )


def test_the_database_refuses_a_fine_without_currency_and_a_negative_term(session: Session) -> None:
    case = Case(record=decision(session, "cn-11"), country="CN", title="x")
    defendant = Defendant(name="A")
    defendant.charges.append(Charge(charge="fraud", sentence=Sentence(fine_amount=Decimal("10"))))
    case.defendants.append(defendant)
    register_case(session, case)
    with pytest.raises(IntegrityError, match="ck_case_charges_fine_currency"):
        session.commit()
    session.rollback()
    case = Case(record=decision(session, "cn-12"), country="CN", title="x")
    case.defendants.append(
        Defendant(name="A", charges=[Charge(charge="x", sentence=Sentence(term_months=-1))])
    )
    register_case(session, case)
    with pytest.raises(IntegrityError, match="ck_case_charges_term_months"):
        session.commit()


def test_an_editor_correction_replaces_the_span(session: Session) -> None:
    case = Case(
        record=decision(session, "cn-13"),
        country="CN",
        title="x",
        provenance={"title": {"start": 0, "end": 9}},
    )
    register_case(session, case)
    session.commit()
    case.title = "Corrected title"
    case.mark_edited("title", user="editor@example.org")
    session.commit()
    session.expire_all()
    assert session.get(Case, case.id).provenance == {"title": {"by": "editor", "user": "editor@example.org"}}
