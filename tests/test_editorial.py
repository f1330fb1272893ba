"""The editorial workflow: proposals drafted, submitted, published or rejected; the public and the search
index see published content only, at once after publication; versions with their differences, restore;
who may do what, on pages and in the API; an ingest keeps what editors changed."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sherloc.app import create_app, db
from sherloc.models import ROLES, AuditEvent, Case, Record, Revision, Tag, User
from sherloc.services import accounts, workflow
from sherloc.settings import Settings
from tests.conftest import CORPUS, PASSWORD, csrf_token, ingest_into, log_in, store_session

LAW = CORPUS / "zh-cn-laws-lawrefbook" / "经济法" / "反洗钱法(2024-11-08).md"


def _add_users(settings: Settings) -> None:
    with store_session(settings) as session:
        for role in ROLES:
            accounts.create_user(
                session,
                f"{role}@example.org",
                PASSWORD,
                role,
                authority_id="xx-example" if role == "authority" else None,
            )
        accounts.create_user(session, "other-contributor@example.org", PASSWORD, "contributor")


@pytest.fixture
def app(tmp_path: Path, settings: Settings) -> Iterator[Flask]:
    """A portal holding one real law (China's Anti-Money Laundering Law) and one user per role, on each
    store kind (see tests/conftest.py STORES)."""
    source = tmp_path / "src" / LAW.name
    source.parent.mkdir()
    shutil.copy(LAW, source)
    ingest_into(settings, [source])
    _add_users(settings)
    app = create_app(settings)
    app.config["TESTING"] = True
    app.config["law_file"] = source
    yield app
    app.extensions["sherloc"].engine.dispose()


def _client(app: Flask, role: str | None) -> FlaskClient:
    client = app.test_client()
    if role is not None:
        answer = log_in(client, role if "@" in role else f"{role}@example.org")
        assert answer.status_code == 302, answer.text
    return client


def _token(client: FlaskClient, path: str = "/revisions") -> str:
    return csrf_token(client, path)


def _post(client: FlaskClient, path: str, data: dict[str, Any], token_page: str = "/revisions") -> Any:
    return client.post(path, data={**data, "csrf_token": _token(client, token_page)})


def _search(client: FlaskClient, q: str) -> list[str]:
    answer = client.get("/api/v1/search", query_string={"q": q})
    assert answer.status_code == 200, answer.text
    return [hit["id"] for hit in answer.get_json()["hits"]]


def _provision(app: Flask) -> Record:
    with app.app_context():
        found = (
            db()
            .scalars(
                select(Record)
                .where(Record.kind == "provision", Record.text.contains("洗钱"))
                .order_by(Record.id)
            )
            .first()
        )
        assert found is not None
        return found


def _users(session: Any) -> tuple[User, User]:
    """The contributor and the reviewer."""
    author = session.scalars(select(User).where(User.email == "contributor@example.org")).one()
    reviewer = session.scalars(select(User).where(User.email == "reviewer@example.org")).one()
    return author, reviewer


def _propose_change(
    session: Any, author: User, provision_id: str, *, submit: bool = True, **changes: str
) -> Revision:
    """`author`'s proposal changing `changes` of a provision as it stands now (submitted unless told)."""
    current = workflow.handler_for("record").current(session, provision_id)
    assert current is not None
    data = {**current, **changes}
    return workflow.propose(session, author, "record", "provision", data, provision_id, submit)


def _revision(app: Flask, revision_id: int) -> Revision:
    with app.app_context():
        found = db().get(Revision, revision_id)
        assert found is not None
        return found


def _revision_id(location: str) -> int:
    found = re.search(r"/revisions/(\d+)", location)
    assert found, location
    return int(found.group(1))


DECISION = {
    "title": "R v Quillfeather (fictitious test decision)",
    "country": "GB",
    "language": "en",
    "date_decided": "2024-03-01",
    "text": "The appellant laundered the proceeds of zorbleflax fraud through a money service business.",
    "tags.crime_type": "money_laundering",
    "case": '{"court": {"name": "Court of Appeal (Criminal Division)", "level": "appellate"},'
    ' "case_number": "2024/01234/B1", "keywords": ["money laundering"]}',
}


# ---- a new case, from draft to search ---------------------------------------------------------------


def test_a_submitted_case_is_invisible_until_a_reviewer_publishes_it_then_searchable_at_once(
    app: Flask,
) -> None:
    contributor, reviewer, public = _client(app, "contributor"), _client(app, "reviewer"), app.test_client()
    made = _post(contributor, "/edit/new/decision", {**DECISION, "action": "submit"}, "/edit/new/decision")
    assert made.status_code == 302, made.text
    revision_id = _revision_id(made.headers["Location"])
    proposal = _revision(app, revision_id)
    assert proposal.state == "submitted" and proposal.is_new
    record_id = proposal.entity_id

    assert _search(public, "zorbleflax") == []
    assert public.get(f"/records/{record_id}").status_code == 404
    assert public.get(f"/api/v1/records/{record_id}").status_code == 404
    with app.app_context():
        assert db().get(Record, record_id) is None

    # The contributor cannot publish, on the page or in the API.
    assert _post(contributor, f"/revisions/{revision_id}/publish", {}).status_code == 403
    api_token = _token(contributor)
    answer = contributor.post(f"/api/v1/revisions/{revision_id}/publish", headers={"X-CSRFToken": api_token})
    assert answer.status_code == 403
    assert _revision(app, revision_id).state == "submitted"

    published = _post(reviewer, f"/revisions/{revision_id}/publish", {})
    assert published.status_code == 302
    assert _revision(app, revision_id).state == "published"
    assert _search(public, "zorbleflax") == [record_id]  # no reindex in between
    assert _search(public, "zorbleflax country:GB crime_type:money_laundering") == [record_id]
    page = public.get(f"/records/{record_id}")
    assert page.status_code == 200 and "Quillfeather" in page.text
    with app.app_context():
        case = db().scalars(select(Case).where(Case.record_id == record_id)).one()
        assert case.unodc_number.startswith("GBR") and case.case_number == "2024/01234/B1"
        tags = {
            (t.scheme, t.value, t.origin) for t in db().scalars(select(Tag).where(Tag.record_id == record_id))
        }
        assert ("crime_type", "money_laundering", "editor") in tags
        history = workflow.versions(db(), "record", record_id)
        assert [(v.number, v.origin) for v in history] == [(1, "publication")]
        assert history[0].user is not None and history[0].user.email == "reviewer@example.org"
        actions = [e.action for e in db().scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions[-3:] == ["revision_created", "revision_submitted", "revision_published"]


def test_a_rejection_needs_a_reason_which_the_author_sees_then_edits_and_submits_again(app: Flask) -> None:
    contributor, reviewer = _client(app, "contributor"), _client(app, "reviewer")
    made = _post(contributor, "/edit/new/decision", {**DECISION, "action": "submit"}, "/edit/new/decision")
    revision_id = _revision_id(made.headers["Location"])
    assert _post(reviewer, f"/revisions/{revision_id}/reject", {"reason": "  "}).status_code == 400
    assert _post(contributor, f"/revisions/{revision_id}/reject", {"reason": "no"}).status_code == 403
    rejected = _post(reviewer, f"/revisions/{revision_id}/reject", {"reason": "Give the neutral citation."})
    assert rejected.status_code == 302
    page = contributor.get(f"/revisions/{revision_id}")
    assert "Give the neutral citation." in page.text
    edited = _post(
        contributor,
        f"/revisions/{revision_id}/edit",
        {**DECISION, "title": "R v Quillfeather [2024] EWCA Crim 1 (fictitious)", "action": "submit"},
        f"/revisions/{revision_id}/edit",
    )
    assert edited.status_code == 302
    again = _revision(app, revision_id)
    assert again.state == "submitted" and again.reason is None and "EWCA" in again.title


def test_a_draft_stays_a_draft_and_only_its_author_and_reviewers_see_it(app: Flask) -> None:
    contributor = _client(app, "contributor")
    made = _post(contributor, "/edit/new/decision", {**DECISION, "action": "save"}, "/edit/new/decision")
    revision_id = _revision_id(made.headers["Location"])
    assert _revision(app, revision_id).state == "draft"
    assert contributor.get(f"/revisions/{revision_id}").status_code == 200
    assert _client(app, "reviewer").get(f"/revisions/{revision_id}").status_code == 200
    other = _client(app, "other-contributor@example.org")
    assert other.get(f"/revisions/{revision_id}").status_code == 404
    assert other.get(f"/api/v1/revisions/{revision_id}").status_code == 404
    assert str(revision_id) not in other.get("/api/v1/revisions").text.replace('"id": ', "x")
    assert _client(app, "authority").get(f"/revisions/{revision_id}").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(f"/revisions/{revision_id}").status_code == 302
    assert anonymous.get(f"/api/v1/revisions/{revision_id}").status_code == 401
    # A reviewer cannot publish a draft: it has to be submitted first.
    reviewer = _client(app, "reviewer")
    assert _post(reviewer, f"/revisions/{revision_id}/publish", {}).status_code == 400


# ---- changing a published record: versions, differences, restore ------------------------------------


def test_a_change_is_published_as_a_version_with_its_difference_and_can_be_restored(app: Flask) -> None:
    provision = _provision(app)
    original = provision.text
    contributor, reviewer, public = _client(app, "contributor"), _client(app, "reviewer"), app.test_client()
    form = contributor.get(f"/edit/records/{provision.id}")
    assert form.status_code == 200 and provision.label in form.text
    data = {
        "title": provision.title,
        "country": provision.country,
        "language": provision.language,
        "parent_id": provision.parent_id,
        "label": provision.label,
        "number": provision.number,
        "text": original + "\n（编辑测试：柯尔克孜斯坦条款）",
        "action": "submit",
    }
    made = _post(contributor, f"/edit/records/{provision.id}", data, f"/edit/records/{provision.id}")
    assert made.status_code == 302, made.text
    revision_id = _revision_id(made.headers["Location"])
    review = reviewer.get(f"/revisions/{revision_id}")
    assert "<ins>（编辑测试：柯尔克孜斯坦条款）</ins>" in review.text
    assert "柯尔克孜斯坦条款" not in public.get(f"/records/{provision.id}").text
    assert _search(public, '"柯尔克孜斯坦条款"') == []

    assert _post(reviewer, f"/revisions/{revision_id}/publish", {}).status_code == 302
    assert "柯尔克孜斯坦条款" in public.get(f"/records/{provision.id}").text
    assert _search(public, '"柯尔克孜斯坦条款"') == [provision.id]
    with app.app_context():
        history = workflow.versions(db(), "record", provision.id)
        assert [(v.number, v.origin) for v in history] == [(2, "publication"), (1, "source")]
        assert history[1].data is not None and history[1].data["text"] == original

    page = contributor.get(f"/history/record/{provision.id}?version=2")
    assert page.status_code == 200 and "<ins>（编辑测试：柯尔克孜斯坦条款）</ins>" in page.text
    assert (
        _post(
            contributor,
            "/history/restore",
            {"entity_type": "record", "entity_id": provision.id, "number": "1"},
        ).status_code
        == 403
    )

    restored = _post(
        reviewer, "/history/restore", {"entity_type": "record", "entity_id": provision.id, "number": "1"}
    )
    assert restored.status_code == 302
    assert _search(public, '"柯尔克孜斯坦条款"') == []
    with app.app_context():
        assert db().get(Record, provision.id).text == original  # type: ignore[union-attr]
        history = workflow.versions(db(), "record", provision.id)
        assert [(v.number, v.origin) for v in history][0] == (3, "restore")
    versions = contributor.get(f"/api/v1/versions/record/{provision.id}").get_json()["versions"]
    assert [v["number"] for v in versions] == [3, 2, 1]
    assert public.get(f"/api/v1/versions/record/{provision.id}").status_code == 401


def test_a_proposal_made_on_an_older_version_cannot_overwrite_a_newer_one(app: Flask) -> None:
    provision = _provision(app)
    with app.app_context():
        session = db()
        author, reviewer = _users(session)
        first = _propose_change(session, author, provision.id, heading="一")
        other = session.scalars(select(User).where(User.email == "other-contributor@example.org")).one()
        second = _propose_change(session, other, provision.id, heading="二")
        workflow.publish(session, reviewer, first)
        session.commit()
        with pytest.raises(workflow.Conflict):
            workflow.publish(session, reviewer, second)
        session.rollback()
        assert session.get(Record, provision.id).heading == "一"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "QQ", "country: unknown country code"),
        ("date_decided", "1 March", "date_decided: a date as YYYY-MM-DD"),
        ("case", "{not json", "case: not valid JSON"),
        ("case", '{"defendants": [{"age_at_offence": -3}]}', "case.defendants"),
        ("case", '{"unodc_number": "GBR9999"}', "case.unodc_number: set by the portal"),
        ("source_url", "javascript:alert(1)", "source_url: an http(s) address"),
        ("tags.crime_type", "not_a_crime", "tags.crime_type: unknown value"),
        ("title", "", "title: a record needs a title"),
    ],
)
def test_an_invalid_proposal_is_refused_with_the_field_and_nothing_is_stored(
    app: Flask, field: str, value: str, message: str
) -> None:
    contributor = _client(app, "contributor")
    answer = _post(
        contributor,
        "/edit/new/decision",
        {**DECISION, field: value, "action": "submit"},
        "/edit/new/decision",
    )
    assert answer.status_code == 400
    assert message in answer.text.replace("&#39;", "'")
    with app.app_context():
        assert db().scalars(select(Revision)).first() is None


def test_the_api_writes_need_a_login_and_the_csrf_token(app: Flask) -> None:
    body = {"entity_type": "record", "kind": "decision", "data": {"title": "X", "country": "GB"}}
    assert app.test_client().post("/api/v1/revisions", json=body).status_code == 401
    contributor = _client(app, "contributor")
    assert contributor.post("/api/v1/revisions", json=body).status_code == 400  # the CSRF token is missing
    token = _token(contributor)
    made = contributor.post(
        "/api/v1/revisions", json={**body, "submit": True}, headers={"X-CSRFToken": token}
    )
    assert made.status_code == 201, made.text
    revision_id = made.get_json()["revision"]["id"]
    bad = contributor.post(
        "/api/v1/revisions",
        json={**body, "data": {"title": "X", "country": "QQ"}},
        headers={"X-CSRFToken": token},
    )
    assert bad.status_code == 400 and "country" in bad.get_json()["error"]["message"]
    reviewer = _client(app, "reviewer")
    rtoken = _token(reviewer)
    assert (
        reviewer.post(
            f"/api/v1/revisions/{revision_id}/reject", json={}, headers={"X-CSRFToken": rtoken}
        ).status_code
        == 400
    )
    published = reviewer.post(f"/api/v1/revisions/{revision_id}/publish", headers={"X-CSRFToken": rtoken})
    assert published.status_code == 200 and published.get_json()["revision"]["state"] == "published"
    again = reviewer.post(f"/api/v1/revisions/{revision_id}/publish", headers={"X-CSRFToken": rtoken})
    assert again.status_code == 400


def test_an_ingest_keeps_what_editors_published_and_says_so(app: Flask, tmp_path: Path) -> None:
    provision = _provision(app)
    with app.app_context():
        session = db()
        author, reviewer = _users(session)
        proposal = _propose_change(session, author, provision.id, text="经审校的文本。")
        workflow.publish(session, reviewer, proposal)
        session.commit()
        workflow.index_pending(session, app.extensions["sherloc"].search)
    source: Path = app.config["law_file"]
    assert provision.text[:20] in source.read_text(encoding="utf-8")
    source.write_text(
        source.read_text(encoding="utf-8") + "\n\n## 附则补充\n\n本法自公布之日起施行。\n", encoding="utf-8"
    )
    report = ingest_into(app.extensions["sherloc"].settings, [source])
    assert report.count("updated") == 1
    with app.app_context():
        assert db().get(Record, provision.id).text == "经审校的文本。"  # type: ignore[union-attr]
    again = ingest_into(app.extensions["sherloc"].settings, [source])
    assert again.count("unchanged") == 1


# ---- who may do what --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "new_form", "queue", "history", "api_list"),
    [
        (None, 302, 302, 302, 401),
        ("contributor", 200, 200, 200, 200),
        ("authority", 403, 200, 403, 200),
        ("reviewer", 200, 200, 200, 200),
        ("administrator", 403, 403, 200, 403),
    ],
)
def test_who_reaches_the_editorial_pages(
    app: Flask, role: str | None, new_form: int, queue: int, history: int, api_list: int
) -> None:
    client = _client(app, role)
    provision = _provision(app)
    assert client.get("/edit/new/law").status_code == new_form
    assert client.get(f"/edit/records/{provision.id}").status_code == new_form
    assert client.get("/revisions").status_code == queue
    assert client.get(f"/history/record/{provision.id}").status_code == history
    assert client.get("/api/v1/revisions").status_code == api_list


def test_every_kind_can_be_proposed_and_published_and_its_page_shows(app: Flask) -> None:
    """Law, provision, bibliography entry, treaty, strategy: a page after publication, none before."""
    law_id = _provision(app).parent_id
    entry = {"key": "example2024", "type": "book", "title": "Fictitious Handbook", "issued": [2024]}
    proposals = {
        "law": {"title": "Fictitious Act 2024", "country": "GB", "language": "en", "text": "Section 1."},
        "provision": {
            "title": "第九十九条",
            "country": "CN",
            "parent_id": law_id,
            "label": "第九十九条",
            "number": "99",
            "text": "本条为测试条款。",
        },
        "bibliography": {"title": "Fictitious Handbook", "attributes": {"entry": entry}},
        "treaty": {"title": "Fictitious Treaty on Mutual Legal Assistance", "country": "ES"},
        "strategy": {"title": "Fictitious National Strategy", "country": "FR", "language": "fr"},
    }
    public = app.test_client()
    with app.app_context():
        session = db()
        author, reviewer = _users(session)
        made = {
            kind: workflow.propose(session, author, "record", kind, data, submit_now=True)
            for kind, data in proposals.items()
        }
        session.commit()
        for item in made.values():
            assert public.get(f"/records/{item.entity_id}").status_code == 404
            workflow.publish(session, reviewer, item)
        session.commit()
        workflow.index_pending(session, app.extensions["sherloc"].search)
        for kind, item in made.items():
            assert public.get(f"/records/{item.entity_id}").status_code == 200, kind
            assert session.get(Record, item.entity_id).kind == kind  # type: ignore[union-attr]
        with pytest.raises(workflow.WorkflowError, match="attributes.entry"):
            workflow.propose(
                session,
                author,
                "record",
                "bibliography",
                {"title": "X", "attributes": {"entry": {"nonsense": 1}}},
            )
        with pytest.raises(workflow.WorkflowError, match="parent_id"):
            workflow.propose(session, author, "record", "provision", {"title": "X", "parent_id": "nope"})
    assert "Fictitious Handbook" in public.get(f"/records/{made['bibliography'].entity_id}").text


def test_a_publication_stands_when_the_index_fails_and_is_indexed_later(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: the index refuses the write once; the publication is kept and caught up."""
    backend = app.extensions["sherloc"].search
    contributor, reviewer, public = _client(app, "contributor"), _client(app, "reviewer"), app.test_client()
    made = _post(contributor, "/edit/new/decision", {**DECISION, "action": "submit"}, "/edit/new/decision")
    revision_id = _revision_id(made.headers["Location"])
    real_upsert = backend.upsert

    def failing_upsert(*_args: Any, **_kwargs: Any) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(backend, "upsert", failing_upsert)
    assert _post(reviewer, f"/revisions/{revision_id}/publish", {}).status_code == 302
    record_id = _revision(app, revision_id).entity_id
    assert public.get(f"/records/{record_id}").status_code == 200
    assert _search(public, "zorbleflax") == []
    with app.app_context():
        assert [v.indexed for v in workflow.versions(db(), "record", record_id)] == [False]
    monkeypatch.setattr(backend, "upsert", real_upsert)
    with app.app_context():
        assert workflow.index_pending(db(), backend) == 1
    assert _search(public, "zorbleflax") == [record_id]


# ---- found in review -------------------------------------------------------------------------------


def test_a_reingest_that_drops_a_law_keeps_it_when_editors_changed_one_of_its_provisions(
    app: Flask, tmp_path: Path
) -> None:
    """A BOE file whose identifier changes: its old law goes, but not one whose provision editors changed."""
    source = tmp_path / "BOE-A-2009-15671.md"
    shutil.copy(CORPUS / "es-es-laws-legalize-es" / "es" / "BOE-A-2009-15671.md", source)
    settings = app.extensions["sherloc"].settings
    ingest_into(settings, [source])
    with app.app_context():
        session = db()
        provision = session.scalars(
            select(Record)
            .where(Record.kind == "provision", Record.source_path == source.name)
            .order_by(Record.id)
        ).first()
        assert provision is not None and provision.parent_id is not None
        law_id = provision.parent_id
        author, reviewer = _users(session)
        proposal = _propose_change(session, author, provision.id, text="Texto revisado.")
        workflow.publish(session, reviewer, proposal)
        session.commit()
    text = source.read_text(encoding="utf-8")
    source.write_text(
        text.replace('identifier: "BOE-A-2009-15671"', 'identifier: "BOE-A-2009-99999"', 1), "utf-8"
    )
    report = ingest_into(settings, [source])
    assert report.count("updated") == 1
    with app.app_context():
        session = db()
        assert session.get(Record, law_id) is not None
        kept = session.get(Record, provision.id)
        assert kept is not None and kept.text == "Texto revisado."
        others = session.scalars(
            select(Record.id).where(Record.parent_id == law_id, Record.id != provision.id)
        )
        assert list(others)  # its other provisions stay with it
    assert "editors changed them" in (report.outcomes[0].message or "")


def test_a_source_change_since_the_proposal_is_a_conflict_even_before_any_version(app: Flask) -> None:
    provision = _provision(app)
    with app.app_context():
        session = db()
        author, reviewer = _users(session)
        proposal = _propose_change(session, author, provision.id, heading="提议")
        session.commit()
    source: Path = app.config["law_file"]
    first_words = provision.text[:12]
    source.write_text(
        source.read_text(encoding="utf-8").replace(first_words, first_words + "（来源修订）", 1),
        encoding="utf-8",
    )
    ingest_into(app.extensions["sherloc"].settings, [source])
    with app.app_context():
        session = db()
        _author, reviewer = _users(session)
        assert "（来源修订）" in session.get(Record, provision.id).text  # type: ignore[union-attr]
        with pytest.raises(workflow.Conflict):
            workflow.publish(session, reviewer, session.get(Revision, proposal.id))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"treaty": {"parties": 5}}, "attributes.treaty.parties"),
        ({"treaty": {"parties": ["ZZ"]}}, "attributes.treaty.parties"),
        ({"treaty": {"signed": "garbage"}}, "attributes.treaty.signed"),
        ({"treaty": {"title": 7}}, "attributes.treaty.title"),
        ({"treaty": {"colour": "red"}}, "attributes.treaty.colour"),
        ({"strategy": {"components": "all"}}, "attributes.strategy.components"),
        ({"countries": [["CN"]]}, "attributes.countries"),
        ({"declared_tags": {"crime_type": "x"}}, "attributes.declared_tags.crime_type"),
    ],
)
def test_kind_facts_the_public_pages_read_are_typed(
    app: Flask, attributes: dict[str, Any], message: str
) -> None:
    with app.app_context():
        author, _reviewer = _users(db())
        with pytest.raises(workflow.WorkflowError, match=message.replace(".", r"\.")):
            workflow.propose(
                db(), author, "record", "treaty", {"title": "X", "country": "ES", "attributes": attributes}
            )


def test_text_that_is_not_unicode_is_refused_not_stored(app: Flask) -> None:
    contributor = _client(app, "contributor")
    token = _token(contributor)
    # The JSON escapes of lone surrogates, as a client may send them.
    for data in ('{"title": "bad \\ud800"}', '{"title": "ok", "attributes": {"note": "\\udfff"}}'):
        answer = contributor.post(
            "/api/v1/revisions",
            data='{"kind": "law", "data": ' + data + "}",
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert answer.status_code == 400, answer.text
    with app.app_context():
        assert db().scalars(select(Revision)).first() is None
    assert _client(app, "reviewer").get("/api/v1/revisions").status_code == 200


def test_numbers_beyond_the_store_are_not_found_or_invalid_never_a_server_error(app: Flask) -> None:
    reviewer = _client(app, "reviewer")
    huge = "9" * 25
    assert reviewer.get(f"/revisions/{huge}").status_code == 404
    assert reviewer.get(f"/api/v1/revisions/{huge}").status_code == 404
    assert reviewer.get(f"/admin/users/{huge}").status_code == 404
    assert reviewer.get(f"/history/record/{_provision(app).id}?version={huge}").status_code == 400


def test_the_api_does_not_tell_a_contributor_which_directory_entries_exist(app: Flask) -> None:
    contributor = _client(app, "contributor")
    token = _token(contributor)
    for entity_id in ("xx-example", "does-not-exist"):
        answer = contributor.post(
            "/api/v1/revisions",
            json={"entity_type": "authority", "entity_id": entity_id, "data": {}},
            headers={"X-CSRFToken": token},
        )
        assert answer.status_code == 403


def test_one_open_proposal_per_author_and_entry(app: Flask) -> None:
    provision = _provision(app)
    with app.app_context():
        session = db()
        author, _reviewer = _users(session)
        _propose_change(session, author, provision.id, submit=False, heading="一")
        with pytest.raises(workflow.Conflict, match="still open"):
            _propose_change(session, author, provision.id, submit=False, heading="二")


def test_a_demoted_author_no_longer_reads_its_directory_proposal(app: Flask) -> None:
    from sherloc.services import directory

    with app.app_context():
        session = db()
        outcomes = directory.import_entries(
            session,
            [
                {
                    "id": "xx-example",
                    "country": "FR",
                    "name": "Example Authority",
                    "mandates": ["untoc_mutual_legal_assistance"],
                }
            ],
        )
        assert [o.status for o in outcomes] == ["new"], outcomes
        user = session.scalars(select(User).where(User.email == "authority@example.org")).one()
        entry = workflow.handler_for("authority").current(session, "xx-example")
        assert entry is not None
        proposal = workflow.propose(
            session,
            user,
            "authority",
            "authority",
            {**entry, "email": "secret.person@example.org"},
            "xx-example",
        )
        session.commit()
        revision_id = proposal.id
    authority = _client(app, "authority")
    assert authority.get(f"/api/v1/revisions/{revision_id}").status_code == 200
    with app.app_context():
        session = db()
        user = session.scalars(select(User).where(User.email == "authority@example.org")).one()
        user.role, user.authority_id = "contributor", None
        session.commit()
    assert authority.get(f"/revisions/{revision_id}").status_code == 404
    assert authority.get(f"/api/v1/revisions/{revision_id}").status_code == 404
    listing = authority.get("/api/v1/revisions")
    assert listing.status_code == 200 and listing.get_json()["revisions"] == []
