"""The request writer and the register, as authority users use them: a request drafted step by step, each
missing piece prompted, finalising refused until it is complete, the DOCX and PDF holding every answer,
the register's statuses and reminders, and no authority seeing another's requests.

The directory entries and people here are fictitious ("Example ... Authority", example.org addresses).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sherloc.app import create_app, db
from sherloc.models.directory import Authority
from sherloc.models.mla import MlaRequest
from sherloc.services import accounts
from sherloc.services import directory as directory_service
from sherloc.settings import Settings
from tests.conftest import CORPUS, PASSWORD, csrf_token, ingest_into, log_in, store_session

CRIMINAL_LAW = CORPUS / "zh-cn-laws-lawrefbook" / "刑法" / "刑法.md"
OWN, OTHER, REQUESTED = "cn-example-central-authority", "fr-example-central-authority", "de-example-authority"
ENTRIES = [
    {
        "id": OWN,
        "country": "CN",
        "name": "Example Central Authority of China",
        "mandates": ["untoc_mutual_legal_assistance"],
    },
    {
        "id": OTHER,
        "country": "FR",
        "name": "Example French Authority",
        "mandates": ["untoc_mutual_legal_assistance"],
    },
    {
        "id": REQUESTED,
        "country": "DE",
        "name": "Example Federal Office",
        "mandates": ["untoc_mutual_legal_assistance"],
        "working_languages": ["de", "en"],
        "channels": ["central_authority", "diplomatic"],
        "interpol_accepted": False,
        "required_documents": "Certified copy of the domestic order; Translation into German",
    },
]
# What the drafter types: each value must come out in the DOCX and the PDF.
STATES = {
    "requesting_state": "CN",
    "requested_state": "DE",
    "requested_authority": REQUESTED,
    "channel": "central_authority",
}
CASE = {
    "requesting_authority": "Example Central Authority of China",
    "authority_in_charge": "Example Municipal Procuratorate, economic crimes division",
    "proceeding_kind": "prosecution",
    "case_reference": "EX-2026-0042",
    "subject_matter": "Laundering of the proceeds of an investment fraud",
    "facts_summary": "From March to June 2025 the accused moved 2,400,000 EUR through accounts in Frankfurt.",
    "offences-0-name": "Money laundering",
    "offences-0-provision": "Criminal Law, article 191",
    "offences-0-penalty": "Up to ten years of fixed-term imprisonment",
    "persons_concerned-0-name": "Zhang Example",
    "persons_concerned-0-role": "Accused",
    "persons_concerned-0-nationality": "CN",
    "purpose": "To prove the movement of the funds at trial",
}
EVIDENCE = {
    "te_persons-0-name": "Erika Example",
    "te_persons-0-capacity": "witness",
    "te_persons-0-location": "Examplestraße 5, 60311 Frankfurt am Main",
    "te_questions": "1. Who opened account DE00 0000 0000 0000 0000 00?\n2. Who gave the transfer orders?",
}
FREEZING = {
    "fp_property": "Account DE00 0000 0000 0000 0000 00 at Example Bank AG and its balance",
    "fp_holder": "Zhang Example",
    "fp_location": "Example Bank AG, Frankfurt branch",
    "fp_link": "The balance derives from the transfers described in the summary of facts.",
    "fp_actions": "Freeze the account and its balance pending a confiscation order.",
    "fp_amount": "2,400,000 EUR",
}
HANDLING = {"confidential": "1", "confidentiality_reasons": "The accused must not learn of the request."}
DOCUMENTS = {
    "enclosures": "Freezing order of the Example Court, 3 May 2026",
    "required_documents_given": ["Certified copy of the domestic order", "Translation into German"],
}
CONTACTS = {
    "contact_name": "Li Example",
    "contact_function": "Prosecutor in charge",
    "contact_email": "li.example@example.org",
    "contact_phone": "+86 10 0000 0000",
    "signatory": "Wang Example, Director",
    "place_of_signature": "Beijing",
}


def mla_settings(tmp: Path, users: dict[str, str | None]) -> Settings:
    """A store holding the PRC Criminal Law (to link offences to), the fictitious directory entries and
    `users` (email -> the authority an authority user belongs to; None: a reviewer)."""
    # No rate limits: one module's app logs in dozens of times from one address.
    settings = Settings(data_dir=tmp / "data", secret_key="test", rate_limits=False)
    source = tmp / "src" / CRIMINAL_LAW.name
    source.parent.mkdir(parents=True)
    shutil.copy(CRIMINAL_LAW, source)
    ingest_into(settings, [source])
    with store_session(settings) as session:
        directory_service.import_entries(session, ENTRIES)
        for email, authority in users.items():
            role = "authority" if authority else "reviewer"
            accounts.create_user(session, email, PASSWORD, role, authority_id=authority)
    return settings


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    users = {"own@example.org": OWN, "other@example.org": OTHER, "reviewer@example.org": None}
    app = create_app(mla_settings(tmp_path_factory.mktemp("mla"), users))
    app.config["TESTING"] = True
    yield app
    app.extensions["sherloc"].engine.dispose()


def client_of(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, email).status_code == 302
    return client


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&amp;", "&")


class Drafter:
    """An authority user going through the wizard."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = csrf_token(client, "/mla")
        answer = client.post("/mla/new", data={"csrf_token": self.token})
        assert answer.status_code == 302
        self.path = answer.headers["Location"].rsplit("/steps/", 1)[0]
        self.id = int(self.path.rsplit("/", 1)[1])

    def step(self, step: str, data: dict[str, Any], action: str = "next") -> tuple[str, str]:
        """Post a step; the page it leads to (its address and text)."""
        answer = self.client.post(
            f"{self.path}/steps/{step}", data={"csrf_token": self.token, "action": action, **data}
        )
        assert answer.status_code == 302, answer.text[:500]
        location = answer.headers["Location"]
        return location, text_of(self.client.get(location).text)

    def complete_and_finalise(self) -> None:
        """Give every step a complete answer (a request for freezing) and finalise the request."""
        for step, data in (
            ("states", {**STATES, "language": "en"}),
            ("legal_basis", {"legal_basis": "untoc"}),
            ("case", {**CASE, "offences-0-provision_record": "-"}),
            ("assistance", {"assistance_types": ["freezing_proceeds"], **FREEZING}),
            ("handling", HANDLING),
            ("documents", DOCUMENTS),
            ("contacts", CONTACTS),
        ):
            self.step(step, data)
        answer = self.client.post(f"{self.path}/finalise", data={"csrf_token": self.token})
        assert answer.headers["Location"] == self.path  # not sent back to what is missing

    def prompts(self, step: str, data: dict[str, Any]) -> str:
        location, text = self.step(step, data)
        assert location.startswith(f"{self.path}/steps/{step}?checked=1"), location
        return text


def test_a_request_for_evidence_and_freezing_is_prompted_step_by_step_and_comes_out_whole(app: Flask) -> None:
    drafter = Drafter(client_of(app, "own@example.org"))
    # The drafter's own authority and State come from the directory.
    first = text_of(drafter.client.get(f"{drafter.path}/steps/states").text)
    assert "Example Central Authority of China" in drafter.client.get(f"{drafter.path}/steps/case").text
    assert "Requesting and requested State" in first

    # States: the language is not one the requested authority accepts.
    text = drafter.prompts("states", {**STATES, "language": "fr"})
    assert "Example Federal Office accepts requests in German, English" in text
    location, _ = drafter.step("states", {**STATES, "language": "en"})
    assert location.endswith("/steps/legal_basis")

    # Legal basis: a treaty is chosen but not named.
    text = drafter.prompts("legal_basis", {"legal_basis": "treaty"})
    assert "Treaty : Required" in text
    drafter.step("legal_basis", {"legal_basis": "untoc"})

    # The case: the offence's provision is found in the portal's library and linked.
    incomplete = {k: v for k, v in CASE.items() if k != "purpose"}
    text = drafter.prompts("case", incomplete)
    assert "Purpose of the request : Required" in text
    page = drafter.client.get(f"{drafter.path}/steps/case").text
    assert 'value="cn-law-刑法-art-191"' in page
    drafter.step("case", {**CASE, "offences-0-provision_record": "cn-law-刑法-art-191"})
    with app.app_context():
        answers = db().get(MlaRequest, drafter.id).answers
    offence = answers["offences"][0]
    assert offence["provision_record"] == "cn-law-刑法-art-191"
    assert "洗钱" in offence["provision_text"]  # filled in from the portal's text of art. 191

    # Assistance: choosing the types brings their own questions; each one missing is prompted.
    text = drafter.prompts("assistance", {"assistance_types": ["taking_evidence", "freezing_proceeds"]})
    for prompt in (
        "Persons to be heard",
        "Questions to be asked",
        "Property to be frozen or seized",
        "Actions requested",
    ):
        assert f"{prompt}" in text and "Required" in text
    text = drafter.prompts(
        "assistance",
        {
            "assistance_types": ["taking_evidence", "freezing_proceeds"],
            **EVIDENCE,
            "te_persons-0-location": "",
            **FREEZING,
        },
    )
    assert "Person to be heard 1 · Address or whereabouts : Required" in text
    drafter.step(
        "assistance", {"assistance_types": ["taking_evidence", "freezing_proceeds"], **EVIDENCE, **FREEZING}
    )

    # Confidential without reasons; then the documents the directory entry requires.
    text = drafter.prompts("handling", {"confidential": "1"})
    assert "Reasons for confidentiality : Required" in text
    drafter.step("handling", HANDLING)
    text = drafter.prompts(
        "documents",
        {"enclosures": DOCUMENTS["enclosures"], "required_documents_given": ["Translation into German"]},
    )
    assert "Example Federal Office requires: Certified copy of the domestic order" in text

    # Finalising is refused while anything required is missing, and says what.
    refused = drafter.client.post(f"{drafter.path}/finalise", data={"csrf_token": drafter.token})
    assert refused.headers["Location"].endswith("?incomplete=1#findings")
    review = text_of(drafter.client.get(refused.headers["Location"]).text)
    assert "The request cannot be finalised yet" in review
    assert "Certified copy of the domestic order" in review and "Contact person" in review
    assert drafter.client.get(f"{drafter.path}/request.docx").status_code == 409

    drafter.step("documents", DOCUMENTS)
    location, _ = drafter.step("contacts", CONTACTS)
    assert location == drafter.path
    assert "The request is complete" in text_of(drafter.client.get(drafter.path).text)
    assert (
        drafter.client.post(f"{drafter.path}/finalise", data={"csrf_token": drafter.token}).status_code == 302
    )

    entered = [
        v
        for data in (CASE, EVIDENCE, FREEZING, HANDLING, DOCUMENTS, CONTACTS)
        for k, v in data.items()
        if k
        not in ("proceeding_kind", "confidential", "persons_concerned-0-nationality", "te_persons-0-capacity")
    ]
    entered = [item for v in entered for item in (v if isinstance(v, list) else [v])]
    entered += ["Prosecution", "Witness", "Germany", "China", "Example Federal Office", "CONFIDENTIAL"]
    entered += ["Taking evidence or statements from persons", "Directly between central authorities"]

    answer = drafter.client.get(f"{drafter.path}/request.docx")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(answer.data))
    docx_text = "\n".join(p.text for p in document.paragraphs)
    docx_text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    answer = drafter.client.get(f"{drafter.path}/request.pdf")
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF")
    pdf_text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(answer.data)).pages)
    flat = {"docx": re.sub(r"\s+", " ", docx_text), "pdf": re.sub(r"\s+", " ", pdf_text)}
    for value in entered:
        for kind, text in flat.items():
            assert re.sub(r"\s+", " ", value) in text, (kind, value)
    assert "cn-law-" in flat["docx"] or "/records/" in flat["docx"]  # the link to the provision


def test_finalised_requests_are_sent_acknowledged_and_refused_with_a_ground(app: Flask) -> None:
    drafter = Drafter(client_of(app, "own@example.org"))
    client, token = drafter.client, drafter.token
    path = f"{drafter.path}/status"
    assert client.post(path, data={"csrf_token": token, "status": "sent"}).status_code == 400  # not final
    drafter.complete_and_finalise()
    req = stored(app, drafter.id)
    today = dt.date.today()
    assert client.post(path, data={"csrf_token": token, "status": "acknowledged"}).status_code == 400
    future = (today + dt.timedelta(days=3)).isoformat()
    assert client.post(path, data={"csrf_token": token, "status": "sent", "on": future}).status_code == 400
    sent_on = (today - dt.timedelta(days=45)).isoformat()
    assert client.post(path, data={"csrf_token": token, "status": "sent", "on": sent_on}).status_code == 302
    # Sent 45 days ago, not acknowledged: a reminder in the register and the API.
    register = text_of(client.get("/mla").text)
    assert "sent 45 days ago and not acknowledged" in register
    reminders = client.get("/api/v1/mla/requests").json["reminders"]
    assert {"id": req.id, "reason": "unacknowledged", "days": 45} in reminders
    assert client.post(path, data={"csrf_token": token, "status": "refused"}).status_code == 400
    done = client.post(
        path, data={"csrf_token": token, "status": "refused", "ground": "Art. 18(21)(b): sovereignty"}
    )
    assert done.status_code == 302
    detail = client.get(f"/api/v1/mla/requests/{req.id}").json
    assert detail["status"] == "refused" and detail["refusal_ground"] == "Art. 18(21)(b): sovereignty"
    assert [e["status"] for e in detail["events"] if e["action"] == "status"] == ["sent", "refused"]
    assert client.post(f"/mla/{req.id}/delete", data={"csrf_token": token}).status_code == 409


def test_an_incoming_request_is_registered_with_its_due_date(app: Flask) -> None:
    client = client_of(app, "own@example.org")
    token = csrf_token(client, "/mla/incoming/new")
    data = {
        "csrf_token": token,
        "requesting_state": "FR",
        "counterpart_authority": "Example French Authority",
        "counterpart_reference": "FR-2026-77",
        "title": "Bank records of Example SARL",
        "assistance_types": ["documents_records"],
        "received_on": (dt.date.today() - dt.timedelta(days=20)).isoformat(),
        "due_on": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
    }
    assert client.post("/mla/incoming/new", data={**data, "requesting_state": "XX"}).status_code == 400
    answer = client.post("/mla/incoming/new", data=data)
    assert answer.status_code == 302
    page = text_of(client.get(answer.headers["Location"]).text)
    assert "Received" in page and "FR-2026-77" in page
    assert "overdue by 2 days" in text_of(client.get("/mla").text)
    listed = client.get("/api/v1/mla/requests?direction=incoming").json["requests"]
    assert [r["counterpart_reference"] for r in listed] == ["FR-2026-77"]


def test_one_authority_cannot_see_or_touch_another_authoritys_requests(app: Flask) -> None:
    own = client_of(app, "own@example.org")
    Drafter(own).step("case", {"subject_matter": "Secret subject of the own authority"}, action="save")
    other = client_of(app, "other@example.org")
    with app.app_context():
        ids = db().scalars(select(MlaRequest.id).where(MlaRequest.authority_id == OWN)).all()
    assert ids
    token = csrf_token(other, "/mla")
    assert "Secret subject" not in other.get("/mla").text
    assert other.get("/api/v1/mla/requests").json["requests"] == []
    for request_id in ids:
        for path in ("", "/steps/case", "/request.html", "/request.docx", "/request.pdf"):
            assert other.get(f"/mla/{request_id}{path}").status_code == 404, path
        assert other.get(f"/api/v1/mla/requests/{request_id}").status_code == 404
        for action in ("finalise", "reopen", "delete", "status", "reference", "steps/case"):
            answer = other.post(
                f"/mla/{request_id}/{action}", data={"csrf_token": token, "status": "sent", "reference": "X"}
            )
            assert answer.status_code == 404, action
    # Reviewers and administrators of the portal do not read them either.
    reviewer = client_of(app, "reviewer@example.org")
    assert reviewer.get("/mla").status_code == 403
    assert reviewer.get(f"/api/v1/mla/requests/{ids[0]}").status_code == 403
    with app.app_context():
        assert db().scalars(select(MlaRequest.id).where(MlaRequest.authority_id == OWN)).all() == ids


def test_the_wizard_speaks_the_six_languages(app: Flask) -> None:
    client = client_of(app, "own@example.org")
    drafter = Drafter(client)
    for lang, phrase in (
        ("fr", "État requis"),
        ("ar", "الدولة"),
        ("zh", "被请求国"),
        ("ru", "запрашиваем"),
        ("es", "Estado requerido"),
    ):
        page = client.get(f"/{lang}{drafter.path}/steps/states").text
        assert f'lang="{lang}"' in page and phrase in page, lang
    assert 'dir="rtl"' in client.get(f"/ar{drafter.path}/steps/states").text


def test_the_requirements_api_gives_the_rules_in_each_language(app: Flask) -> None:
    client = app.test_client()
    body = client.get("/api/v1/mla/requirements?lang=zh").json
    assert body["language"] == "zh"
    types = {t["id"]: t for t in body["assistance_types"]}
    assert "taking_evidence" in types and "freezing_proceeds" in types
    assert any(f["required"] for f in types["freezing_proceeds"]["fields"])
    assert client.get("/api/v1/mla/requirements?lang=xx").status_code == 400


# ---- bad input: a clear answer, nothing lost ---------------------------------------------------------------


def stored(app: Flask, request_id: int) -> MlaRequest:
    with app.app_context():
        found = db().get(MlaRequest, request_id)
        assert found is not None
        db().expunge(found)
        return found


def test_malformed_answers_are_refused_with_the_reason_and_change_nothing(app: Flask) -> None:
    drafter = Drafter(client_of(app, "own@example.org"))
    before = stored(app, drafter.id).answers
    post = drafter.client.post
    url = f"{drafter.path}/steps/states"
    for data in (
        {"requested_state": "ZZZ"},  # not a country: would not fit the register's column either
        {"language": "zz-ZZ-not-a-language"},
        {"requested_state": ["DE", "FR"]},  # one field posted twice
    ):
        answer = post(url, data={"csrf_token": drafter.token, "action": "save", **data})
        assert answer.status_code == 400, data
    case = f"{drafter.path}/steps/case"
    for data in (
        {"offences-1234567-name": "x"},  # an item number beyond any form
        {"offences-x-name": "x"},
        {f"offences-{n}-name": f"offence {n}" for n in range(60)},  # more items than a request holds
    ):
        answer = post(case, data={"csrf_token": drafter.token, "action": "save", **data})
        assert answer.status_code == 400, list(data)[:2]
        assert "offences" in answer.text
    assert stored(app, drafter.id).answers == before
    # Item numbers need not follow each other: none is dropped.
    data = {"offences-0-name": "first", "offences-51-name": "fifty-second", "offences-51-provision": "art. 1"}
    assert post(case, data={"csrf_token": drafter.token, "action": "save", **data}).status_code == 302
    assert [o["name"] for o in stored(app, drafter.id).answers["offences"]] == ["first", "fifty-second"]


def test_offence_links_go_to_the_requesting_states_law_and_bring_its_text(app: Flask) -> None:
    drafter = Drafter(client_of(app, "own@example.org"))  # requesting State: CN, from the directory
    case = f"{drafter.path}/steps/case"
    base = {"csrf_token": drafter.token, "action": "save", "offences-0-name": "Money laundering"}
    linked = {
        **base,
        "offences-0-provision": "第一百九十一条",
        "offences-0-provision_record": "cn-law-刑法-art-191",
    }
    assert drafter.client.post(case, data=linked).status_code == 302
    assert "洗钱" in stored(app, drafter.id).answers["offences"][0]["provision_text"]
    # Linked anew to another article: its text replaces the first one's.
    relinked = {**linked, "offences-0-provision_record": "cn-law-刑法-art-192"}
    relinked["offences-0-provision_text"] = stored(app, drafter.id).answers["offences"][0]["provision_text"]
    assert drafter.client.post(case, data=relinked).status_code == 302
    text = stored(app, drafter.id).answers["offences"][0]["provision_text"]
    assert "集资诈骗" in text and "洗钱罪" not in text
    # An unknown record is refused; declining the suggestions ("-") and then emptying the offence drops it.
    assert (
        drafter.client.post(case, data={**linked, "offences-0-provision_record": "nowhere"}).status_code
        == 400
    )
    emptied = {"csrf_token": drafter.token, "action": "save", "offences-0-provision_record": "-"}
    assert drafter.client.post(case, data=emptied).status_code == 302
    assert "offences" not in stored(app, drafter.id).answers


def test_references_are_unique_and_never_reused(app: Flask) -> None:
    client = client_of(app, "other@example.org")
    first, second = Drafter(client), Drafter(client)
    token = first.token
    refs = [stored(app, d.id).reference for d in (first, second)]
    assert refs[0][:-4] == refs[1][:-4] and int(refs[1][-4:]) == int(refs[0][-4:]) + 1
    assert client.post(f"{first.path}/delete", data={"csrf_token": token}).status_code == 302
    third = Drafter(client)
    assert stored(app, third.id).reference not in refs
    answer = client.post(f"{third.path}/reference", data={"csrf_token": token, "reference": refs[1]})
    assert answer.status_code == 400
    assert stored(app, third.id).reference != refs[1]
    answer = client.post(
        f"{third.path}/reference", data={"csrf_token": token, "reference": "司法协助-请求-1"}
    )
    assert answer.status_code == 302


def test_a_finalised_request_is_fixed_and_its_file_names_survive_any_script(app: Flask) -> None:
    drafter = Drafter(client_of(app, "own@example.org"))
    token = drafter.token
    reference = "司法协助/请求 1"
    assert (
        drafter.client.post(
            f"{drafter.path}/reference", data={"csrf_token": token, "reference": reference}
        ).status_code
        == 302
    )
    drafter.complete_and_finalise()
    answer = drafter.client.get(f"{drafter.path}/request.docx")
    disposition = answer.headers["Content-Disposition"]
    disposition.encode("latin-1")  # what a WSGI server must be able to write
    assert "filename*=UTF-8''" in disposition and "%E5%8F%B8" in disposition  # 司, percent-encoded
    signed = answer.data
    # Later changes to the directory do not change what was finalised; the reference is fixed with it.
    with store_session(app.extensions["sherloc"].settings) as session:
        session.get(Authority, REQUESTED).name = "Renamed Federal Office"
    assert drafter.client.get(f"{drafter.path}/request.docx").data == signed
    changed = drafter.client.post(f"{drafter.path}/reference", data={"csrf_token": token, "reference": "X-1"})
    assert changed.status_code == 400
    # Reopened and finalised again, it says what the directory says now.
    assert drafter.client.post(f"{drafter.path}/reopen", data={"csrf_token": token}).status_code == 302
    assert stored(app, drafter.id).document is None
    assert drafter.client.post(f"{drafter.path}/finalise", data={"csrf_token": token}).status_code == 302
    assert b"Renamed Federal Office" in docx_bytes_text(
        drafter.client.get(f"{drafter.path}/request.docx").data
    )
    # Status dates go forward only.
    status = f"{drafter.path}/status"
    today = dt.date.today()
    sent = {"csrf_token": token, "status": "sent", "on": (today - dt.timedelta(days=3)).isoformat()}
    assert drafter.client.post(status, data=sent).status_code == 302
    early = {"csrf_token": token, "status": "acknowledged", "on": (today - dt.timedelta(days=10)).isoformat()}
    assert drafter.client.post(status, data=early).status_code == 400
    with store_session(app.extensions["sherloc"].settings) as session:
        session.get(Authority, REQUESTED).name = "Example Federal Office"


def docx_bytes_text(body: bytes) -> bytes:
    document = docx.Document(io.BytesIO(body))
    return "\n".join(p.text for p in document.paragraphs).encode()


def test_an_incoming_request_cannot_be_due_before_it_came(app: Flask) -> None:
    client = client_of(app, "own@example.org")
    data = {
        "csrf_token": csrf_token(client, "/mla/incoming/new"),
        "requesting_state": "FR",
        "title": "Example",
        "received_on": "2026-03-10",
        "due_on": "2026-03-01",
    }
    answer = client.post("/mla/incoming/new", data=data)
    assert answer.status_code == 400 and "due date" in answer.text
