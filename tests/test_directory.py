"""The Directory of Competent National Authorities: who sees and edits what (pages and API), the public
summary that never carries a restricted field, proposals waiting for a reviewer, the export, the import
command, and the mandates vocabulary.

Every entry here is fictitious: "Example ... Authority", example.org addresses, made-up people.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from werkzeug.test import TestResponse

from sherloc.app import create_app, db
from sherloc.cli import main
from sherloc.db import make_engine, make_session_factory
from sherloc.models.accounts import User
from sherloc.models.directory import Authority
from sherloc.models.workflow import AuditEvent, Revision, Version
from sherloc.services import accounts, workflow
from sherloc.services import directory as service
from sherloc.settings import REPO_ROOT, Settings
from sherloc.vocab.directory_mandates import load_directory_vocabulary
from sherloc.vocab.loader import UN_LANGUAGES
from tests.conftest import PASSWORD, csrf_token, log_in, store_env, store_session

OWN = "fr-example-central-authority"
OTHER = "es-example-maritime-authority"

OWN_ENTRY: dict[str, Any] = {
    "id": OWN,
    "country": "FR",
    "name": "Example Central Authority",
    "mandates": ["untoc_mutual_legal_assistance", "untoc_extradition"],
    "address": "1 Example Street, Exampleville",
    "phone": "+00 555 0100",
    "fax": "+00 555 0101",
    "email": "central@example.org",
    "website": "https://example.org/central",
    "contact_persons": [
        {
            "name": "Alex Placeholder",
            "title": "Head of unit",
            "phone": "+00 555 0102",
            "email": "alex.placeholder@example.org",
            "languages": ["fr", "en"],
        },
    ],
    "office_hours": "Monday to Friday, 9:00-17:00",
    "time_zone": "Europe/Paris",
    "working_languages": ["fr", "en"],
    "required_documents": "A request in writing, with a translation.",
    "channels": ["central_authority", "email"],
    "interpol_accepted": True,
    "urgent_procedures": "Call the duty line first.",
    "untoc_extradition_basis": False,
    "remarks": "Fictitious entry for tests.",
    "links": ["https://example.org/central/law"],
}
OTHER_ENTRY: dict[str, Any] = {
    "id": OTHER,
    "country": "ES",
    "name": "Example Maritime Authority",
    "mandates": ["som_smuggling_of_migrants_by_sea", "c1988_illicit_traffic_by_sea"],
    "email": "maritime@example.org",
    "phone": "+00 555 0200",
    "contact_persons": [{"name": "Sam Imaginary", "email": "sam.imaginary@example.org"}],
}
# What no one but authority users and reviewers may ever read.
RESTRICTED = [
    "Example Central Authority",
    "central@example.org",
    "+00 555 0100",
    "Alex Placeholder",
    "alex.placeholder@example.org",
    "1 Example Street",
    "Example Maritime Authority",
    "maritime@example.org",
    "+00 555 0200",
    "Sam Imaginary",
    "sam.imaginary@example.org",
    "Call the duty line",
]
USERS = {
    "contributor": ("contributor", None),
    "authority": ("authority", OWN),
    "other-authority": ("authority", OTHER),
    "reviewer": ("reviewer", None),
    "administrator": ("administrator", None),
}


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """A portal with one account per role (two authority users, of two authorities) and two published
    entries, imported as the command does."""
    with store_session(settings) as session:
        for who, (role, authority) in USERS.items():
            accounts.create_user(
                session, f"{who}@example.org", PASSWORD, role, authority_id=authority, display_name=who
            )
        outcomes = service.import_entries(session, [OWN_ENTRY, OTHER_ENTRY])
        assert [o.status for o in outcomes] == ["new", "new"], outcomes
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["sherloc"].engine.dispose()


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    return app.test_client()


def _login(client: FlaskClient, who: str | None) -> None:
    if who is None:
        return
    response = log_in(client, f"{who}@example.org")
    assert response.status_code == 302, response.text


def _user(who: str) -> User:
    found = db().scalar(select(User).where(User.email == f"{who}@example.org"))
    assert found is not None
    return found


def _assert_nothing_restricted(response: TestResponse) -> None:
    body = response.get_data(as_text=True)
    for value in RESTRICTED:
        assert value not in body, (value, response.request.path)


# ---- who gets what -------------------------------------------------------------------------------

WHO = [None, "contributor", "authority", "other-authority", "reviewer", "administrator"]
ROUTES: dict[str, list[int]] = {
    #                                 anon  contr auth  other rev   admin
    "/directory": [200, 200, 200, 200, 200, 200],
    f"/directory/{OWN}": [302, 403, 200, 200, 200, 403],
    "/directory/fr-nobody": [302, 403, 404, 404, 404, 403],
    f"/directory/{OWN}/edit": [302, 403, 200, 403, 200, 403],
    "/directory/new": [302, 403, 403, 403, 200, 403],
    "/directory/export": [302, 403, 200, 200, 200, 403],
    "/directory/export?format=json": [302, 403, 200, 200, 200, 403],
    "/api/v1/directory": [200, 200, 200, 200, 200, 200],
    f"/api/v1/directory/{OWN}": [401, 403, 200, 200, 200, 403],
    "/api/v1/directory/fr-nobody": [401, 403, 404, 404, 404, 403],
}


@pytest.mark.parametrize("who", WHO)
def test_every_route_answers_each_role_as_it_should(web: FlaskClient, who: str | None) -> None:
    _login(web, who)
    column = WHO.index(who)
    for path, statuses in ROUTES.items():
        response = web.get(path)
        assert response.status_code == statuses[column], (path, who, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login?next=")
        if path.startswith("/api/") and response.status_code >= 400:
            assert response.json and response.json["error"]["status"] == response.status_code


@pytest.mark.parametrize("who", [None, "contributor", "administrator"])
def test_no_restricted_value_reaches_anyone_else(web: FlaskClient, who: str | None) -> None:
    _login(web, who)
    for path in (
        "/directory",
        "/directory?country=FR",
        "/directory?mandate=untoc_extradition",
        f"/directory/{OWN}",
        f"/directory/{OWN}/edit",
        "/directory/export",
        "/directory/export?format=json",
        "/api/v1/directory",
        "/api/v1/directory?country=ES",
        f"/api/v1/directory/{OWN}",
        f"/api/v1/directory/{OTHER}",
        "/countries/FR",
        "/countries/ES",
    ):
        _assert_nothing_restricted(web.get(path))


def test_the_public_sees_that_an_authority_exists_for_a_country_and_mandate(web: FlaskClient) -> None:
    page = web.get("/directory").text
    assert "France" in page and "Spain" in page and "Mutual legal assistance" in page
    assert "18(13)" in page and "8(6)" in page
    assert "for designated authorities" in page  # the note on who sees the full directory
    answer = web.get("/api/v1/directory").json
    assert answer is not None and answer["access"] == "public" and answer["authorities"] is None
    france = next(c for c in answer["countries"] if c["country"] == "FR")
    assert set(france) == {"country", "authorities", "mandates"} and france["authorities"] == 1
    assert [m["mandate"] for m in france["mandates"]] == [
        "untoc_mutual_legal_assistance",
        "untoc_extradition",
    ]
    assert set(france["mandates"][0]) == {"mandate", "instrument", "article", "authorities"}
    profile = web.get("/countries/FR").text
    assert "Competent national authorities" in profile and "Mutual legal assistance" in profile
    assert "/directory?country=FR" in profile


def test_the_public_summary_reads_country_and_mandates_only(app: Flask) -> None:
    statements: list[str] = []
    with app.app_context():
        engine = db().get_bind()

        def collect(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", collect)
        try:
            summary = service.public_summary(db())
        finally:
            event.remove(engine, "before_cursor_execute", collect)
    reads = [s for s in statements if "authorities" in s]
    assert reads and all(
        re.sub(r"\s+", " ", s).startswith("SELECT authorities.country, authorities.mandates FROM authorities")
        for s in reads
    ), reads
    text = json.dumps([s.as_json() for s in summary])
    for value in RESTRICTED:
        assert value not in text


def test_authority_users_and_reviewers_see_the_full_directory(web: FlaskClient) -> None:
    _login(web, "other-authority")
    page = web.get("/directory").text
    assert "Example Central Authority" in page and "Example Maritime Authority" in page
    assert page.index("Example Central Authority") < page.index("Example Maritime Authority")  # France, Spain
    entry = web.get(f"/directory/{OWN}").text
    assert "alex.placeholder@example.org" in entry and "Europe/Paris" in entry
    assert "Propose a change" not in entry  # not its own authority
    answer = web.get("/api/v1/directory?mandate=som_smuggling_of_migrants_by_sea").json
    assert answer is not None and answer["access"] == "full"
    assert [a["id"] for a in answer["authorities"]] == [OTHER]
    one = web.get(f"/api/v1/directory/{OWN}").json
    assert one is not None and one["contact_persons"][0]["name"] == "Alex Placeholder"
    assert one["mandates"][0] == {
        "mandate": "untoc_mutual_legal_assistance",
        "instrument": "UNTOC",
        "article": "18(13)",
    }
    web.post("/logout", data={"csrf_token": csrf_token(web, "/about")})
    _login(web, "authority")
    assert "Propose a change" in web.get(f"/directory/{OWN}").text


@pytest.mark.parametrize(
    "path",
    [
        "/directory?country=ZZ",
        "/directory?mandate=nothing",
        "/api/v1/directory?country=ZZ",
        "/api/v1/directory?country=France",
        "/api/v1/directory?mandate=nothing",
        "/api/v1/directory?colour=red",
    ],
)
def test_bad_filters_are_a_400_with_a_reason(web: FlaskClient, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json and response.json["error"]["details"]


# ---- editing -------------------------------------------------------------------------------------


def _form(entry: dict[str, Any], **changes: str) -> dict[str, Any]:
    """The edit form as a browser sends it, filled with `entry`."""
    flags = {True: "yes", False: "no", None: ""}
    form: dict[str, Any] = {name: entry.get(name) or "" for name in service.TEXT_FIELDS}
    form.update(
        {
            "country": entry["country"],
            "name": entry["name"],
            "mandates": entry["mandates"],
            "working_languages": ", ".join(entry.get("working_languages", [])),
            "channels": entry.get("channels", []),
            "links": "\n".join(entry.get("links", [])),
            **{name: flags[entry.get(name)] for name in service.FLAG_FIELDS},
        }
    )
    for n, person in enumerate(entry.get("contact_persons", [])):
        for key, value in person.items():
            form[f"contact-{n}-{key}"] = ", ".join(value) if isinstance(value, list) else value
    form.update(changes)
    return form


def test_an_authority_user_cannot_edit_another_authority(app: Flask, web: FlaskClient) -> None:
    _login(web, "authority")
    token = csrf_token(web, "/directory")
    assert web.get(f"/directory/{OTHER}/edit").status_code == 403
    posted = web.post(
        f"/directory/{OTHER}/edit", data={**_form(OTHER_ENTRY, name="Hijacked"), "csrf_token": token}
    )
    assert posted.status_code == 403
    with app.app_context():
        with pytest.raises(workflow.NotAllowed):
            workflow.propose(db(), _user("authority"), "authority", "authority", OTHER_ENTRY, OTHER)
        with pytest.raises(workflow.NotAllowed):  # nor create an entry
            workflow.propose(db(), _user("authority"), "authority", "authority", {**OTHER_ENTRY, "id": None})
        with pytest.raises(workflow.NotAllowed):  # nor move its own authority to another country
            workflow.propose(
                db(), _user("authority"), "authority", "authority", {**OWN_ENTRY, "country": "DE"}, OWN
            )
        with pytest.raises(workflow.NotAllowed):
            workflow.propose(db(), _user("contributor"), "authority", "authority", OWN_ENTRY, OWN)
        assert db().scalar(select(Revision)) is None
        assert db().get(Authority, OTHER).name == "Example Maritime Authority"  # type: ignore[union-attr]


def test_a_change_waits_for_a_reviewer(app: Flask, web: FlaskClient) -> None:
    _login(web, "authority")
    token = csrf_token(web, f"/directory/{OWN}/edit")
    draft = web.post(
        f"/directory/{OWN}/edit",
        data={**_form(OWN_ENTRY, phone="+00 555 0999"), "csrf_token": token, "action": "save"},
    )
    assert draft.status_code == 302
    with app.app_context():
        revision = db().scalar(select(Revision))
        assert revision is not None and revision.state == "draft" and revision.entity_id == OWN
        assert draft.headers["Location"] == f"/revisions/{revision.id}"
    # The form shows the draft; saving again with "submit" updates that draft and submits it.
    assert "+00 555 0999" in web.get(f"/directory/{OWN}/edit").text
    submitted = web.post(
        f"/directory/{OWN}/edit",
        data={**_form(OWN_ENTRY, phone="+00 555 0999"), "csrf_token": token, "action": "submit"},
    )
    assert submitted.status_code == 302
    with app.app_context():
        revisions = list(db().scalars(select(Revision)))
        assert len(revisions) == 1 and revisions[0].state == "submitted"
        assert revisions[0].data["phone"] == "+00 555 0999"
        assert db().get(Authority, OWN).phone == "+00 555 0100"  # type: ignore[union-attr]
    assert "+00 555 0100" in web.get(f"/api/v1/directory/{OWN}").text  # still the published entry
    # While it waits, the authority cannot change it.
    again = web.post(
        f"/directory/{OWN}/edit", data={**_form(OWN_ENTRY, phone="+00 555 0888"), "csrf_token": token}
    )
    assert again.status_code == 400 and "waits for review" in again.text
    with app.app_context():
        reviewer = _user("reviewer")
        revision = db().scalars(select(Revision)).one()
        with pytest.raises(workflow.NotAllowed):
            workflow.publish(db(), _user("authority"), revision)
        version = workflow.publish(db(), reviewer, revision)
        db().commit()
        assert db().get(Authority, OWN).phone == "+00 555 0999"  # type: ignore[union-attr]
        numbers = [v.number for v in workflow.versions(db(), "authority", OWN)]
        assert numbers == [2, 1] and version.number == 2  # the import, then the publication
        changes = {
            c.field for c in workflow.diff(workflow.version(db(), "authority", OWN, 1).data, version.data)
        }
        assert changes == {"phone"}


def test_a_reviewer_adds_an_authority_through_a_proposal(app: Flask, web: FlaskClient) -> None:
    _login(web, "reviewer")
    token = csrf_token(web, "/directory/new")
    form = _form(
        {
            "country": "IT",
            "name": "Example Firearms Contact Point",
            "mandates": ["fp_single_point_of_contact"],
            "email": "firearms@example.org",
        }
    )
    response = web.post("/directory/new", data={**form, "csrf_token": token, "action": "submit"})
    assert response.status_code == 302
    with app.app_context():
        revision = db().scalars(select(Revision)).one()
        assert revision.is_new and revision.state == "submitted"
        assert revision.entity_id == "it-example-firearms-contact-point"
        assert db().get(Authority, revision.entity_id) is None
        workflow.publish(db(), _user("reviewer"), revision)
        db().commit()
        created = db().get(Authority, revision.entity_id)
        assert created is not None and created.mandates == [
            {"mandate": "fp_single_point_of_contact", "instrument": "FP", "article": "13(2)"}
        ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not an address"}, "email: "),
        ({"website": "javascript:alert(1)"}, "website: "),
        ({"time_zone": "Mars/Olympus"}, "time_zone: "),
        ({"working_languages": "fr, klingon"}, "working_languages: "),
        ({"country": "ZZ"}, "country: "),
        ({"name": ""}, "name: required"),
        ({"contact-0-email": "nobody"}, "contact_persons[1].email"),
        ({"interpol_accepted": "perhaps"}, "interpol_accepted: "),
        ({"links": "ftp://example.org/file"}, "links: "),
    ],
)
def test_invalid_values_are_form_errors_not_server_errors(
    app: Flask, web: FlaskClient, changes: dict[str, str], message: str
) -> None:
    _login(web, "authority")
    token = csrf_token(web, f"/directory/{OWN}/edit")
    response = web.post(f"/directory/{OWN}/edit", data={**_form(OWN_ENTRY, **changes), "csrf_token": token})
    assert response.status_code == 400 and message in response.text, response.text
    with app.app_context():
        assert db().scalar(select(Revision)) is None


def test_a_form_without_its_csrf_token_is_refused(app: Flask, web: FlaskClient) -> None:
    _login(web, "authority")
    response = web.post(f"/directory/{OWN}/edit", data=_form(OWN_ENTRY, phone="+00 555 0777"))
    assert response.status_code == 400 and "not sent from this site" in response.text
    _login(web, "reviewer")
    assert web.post("/directory/new", data=_form(OTHER_ENTRY, name="Another")).status_code == 400
    with app.app_context():
        assert db().scalar(select(Revision)) is None


# ---- export --------------------------------------------------------------------------------------


def test_the_export_is_dated_grouped_by_country_and_audited(app: Flask, web: FlaskClient) -> None:
    _login(web, "reviewer")
    page = web.get("/directory/export")
    assert page.status_code == 200
    assert re.search(r"Directory as of \d{1,2} [A-Z][a-z]+ \d{4}", page.text)
    assert "Latest change:" in page.text and "@media print" in page.text and "break-before: page" in page.text
    assert page.text.index('id="c-FR"') < page.text.index('id="c-ES"')  # France, then Spain
    for value in ("Example Central Authority", "alex.placeholder@example.org", "Example Maritime Authority"):
        assert value in page.text
    data = web.get("/directory/export?format=json").json
    assert data is not None and data["total"] == 2 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["as_of"])
    assert [c["country"] for c in data["countries"]] == ["FR", "ES"]  # by country name: France, Spain
    assert web.get("/directory/export?format=pdf").status_code == 400
    with app.app_context():
        events = list(db().scalars(select(AuditEvent).where(AuditEvent.action == "directory_exported")))
        assert len(events) == 2 and events[0].user_id == _user("reviewer").id


# ---- commands ------------------------------------------------------------------------------------


def test_import_reports_bad_entries_and_a_rerun_changes_nothing(settings: Settings, tmp_path: Path) -> None:
    env = {**store_env(settings.data_dir, settings.database_url), "SHERLOC_SECRET_KEY": "test"}
    good = {k: v for k, v in OWN_ENTRY.items() if k != "id"}
    entries = [good, {**good, "name": "Example Second Authority", "time_zone": "Nowhere/Else"}, OTHER_ENTRY]
    path = tmp_path / "entries.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    first = CliRunner().invoke(main, ["directory", "import", str(path)], env=env)
    assert first.exit_code == 1, first.output
    assert (
        "entry 2: skipped: time_zone:" in first.output
        and "2 new, 0 updated, 0 unchanged, 1 failed" in first.output
    )
    again = CliRunner().invoke(main, ["directory", "import", str(path)], env=env)
    assert "0 new, 0 updated, 2 unchanged, 1 failed" in again.output
    yaml_path = tmp_path / "entries.yaml"
    yaml_path.write_text(f"- {json.dumps({**good, 'phone': '+00 555 0111'})}\n", encoding="utf-8")
    updated = CliRunner().invoke(main, ["directory", "import", str(yaml_path)], env=env)
    assert updated.exit_code == 0 and "0 new, 1 updated" in updated.output
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(Authority.phone).where(Authority.name == good["name"])) == "+00 555 0111"
        origins = list(session.scalars(select(Version.origin).order_by(Version.entity_id, Version.number)))
        assert origins.count("import") == 3
    engine.dispose()
    out = tmp_path / "directory.html"
    exported = CliRunner().invoke(main, ["directory", "export", "--format", "html", str(out)], env=env)
    assert exported.exit_code == 0, exported.output
    assert "Example Central Authority" in out.read_text(encoding="utf-8")
    assert "Directory as of" in out.read_text(encoding="utf-8")
    out_json = tmp_path / "directory.json"
    CliRunner().invoke(main, ["directory", "export", "--format", "json", str(out_json)], env=env)
    assert json.loads(out_json.read_text(encoding="utf-8"))["total"] == 2


# ---- checks and vocabulary -----------------------------------------------------------------------


def test_clean_normalises_an_entry() -> None:
    vocabulary = load_directory_vocabulary(REPO_ROOT / "corpus" / "vocab")
    cleaned = service.clean_entry(
        {
            "country": "fr",
            "name": " Example ",
            "mandates": ["untoc_extradition", "untoc_mutual_legal_assistance", "untoc_extradition"],
            "working_languages": "FR, en",
            "interpol_accepted": "no",
            "contact_persons": [{}, {"name": "A. Person"}],
        },
        vocabulary,
    )
    assert cleaned["country"] == "FR" and cleaned["name"] == "Example"
    assert [m["mandate"] for m in cleaned["mandates"]] == [
        "untoc_mutual_legal_assistance",
        "untoc_extradition",
    ]
    assert cleaned["mandates"][1] == {"mandate": "untoc_extradition", "instrument": "UNTOC", "article": "16"}
    assert cleaned["working_languages"] == ["fr", "en"] and cleaned["interpol_accepted"] is False
    assert cleaned["contact_persons"] == [
        {"name": "A. Person", "title": None, "phone": None, "email": None, "languages": []}
    ]
    for bad, field in [
        ({"mandates": []}, "mandates"),
        ({"mandates": ["x"]}, "mandates"),
        ({"remarks": "x" * 20_001}, "remarks"),
        ({"secret": 1}, "secret"),
    ]:
        with pytest.raises(workflow.WorkflowError, match=f"^{re.escape(field)}: "):
            service.clean_entry(
                {"country": "FR", "name": "X", "mandates": ["untoc_extradition"], **bad}, vocabulary
            )


def test_the_mandates_vocabulary_is_complete_and_sourced() -> None:
    vocabulary = load_directory_vocabulary(REPO_ROOT / "corpus" / "vocab")
    ids = [m.id for m in vocabulary.mandates]
    assert len(ids) == len(set(ids))
    for mandate in vocabulary.mandates:
        assert set(mandate.labels) == set(UN_LANGUAGES) and mandate.source
        assert set(vocabulary.instruments[mandate.instrument]) == set(UN_LANGUAGES)
    articles = {m.id: m.article for m in vocabulary.mandates}
    assert articles["untoc_mutual_legal_assistance"] == "18(13)"
    assert articles["som_smuggling_of_migrants_by_sea"] == "8(6)"
    assert articles["fp_single_point_of_contact"] == "13(2)"
    assert articles["uncac_mutual_legal_assistance"] == "46(13)"
    assert articles["uncac_asset_recovery"] == ""  # no text at hand designates one


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_the_pages_render_in_each_language(web: FlaskClient, lang: str) -> None:
    headers = {"Accept-Language": lang}
    assert web.get("/directory", headers=headers).status_code == 200
    assert web.get("/countries/FR", headers=headers).status_code == 200
    _login(web, "authority")
    for path in ("/directory", f"/directory/{OWN}", f"/directory/{OWN}/edit", "/directory/export"):
        response = web.get(path, headers=headers)
        assert response.status_code == 200, (path, lang)
        assert f'lang="{lang}"' in response.text
