"""schemathesis over the OpenAPI document, against the portal served by real gunicorn on loopback.

The document is read from the running server (/api/v1/openapi.json) and every operation, reads and writes,
is called with arguments and bodies generated from it, valid and not: no answer is a 500, and each answer
(status, content type, headers, body) is one the document gives; arguments the document refuses are
refused. Anonymous calls cover every operation; the operations behind a login run again as an account
whose role lets it in (session cookie and CSRF token, as a browser has them).

The server serves a copy of the session's demo store (the fuzzer's writes stay in the copy) with accounts,
directory entries, a proposal and a request for mutual legal assistance added, and rate limits off.

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_api_fuzz_live.py
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sherloc.services import mla as mla_service
from sherloc.services import workflow
from sherloc.settings import Settings
from sherloc.web.openapi import API_PREFIX, build_document
from tests.conftest import PASSWORD, copy_sqlite, store_session
from tests.fuzzing import budget
from tests.servers import gunicorn
from tests.test_access import mla_service_rules, seed_accounts_and_directory

ROLES = ("contributor", "authority", "reviewer", "administrator")
# Who calls the operations behind a login, by the operation's tag: an account whose role lets it in (the
# refusals of the other roles are test_login_only_operations_refuse_anonymous_and_wrong_role_calls's).
ROLE_BY_TAG = {"editorial": "reviewer", "places": "reviewer", "admin": "administrator", "mla": "authority"}
REQUEST_LINE_LIMIT = 8190  # limit_request_line in sherloc/gunicorn_conf.py
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

# Known leniency, not a 500: the audit view shares the admin page's loader, which reads the first value of
# a repeated argument and ignores blank ones, so `limit=&limit=x` is answered as if no limit were given.
LENIENT = {("GET /api/v1/admin/audit", negative_data_rejection)}


def _seed(settings: Settings) -> None:
    """An account per role, the directory entries of tests/test_access.py, a submitted proposal and a
    request for mutual legal assistance, so that the operations behind a login have something to find."""
    with store_session(settings) as session:
        users, provision_id, current = seed_accounts_and_directory(session)
        workflow.propose(
            session,
            users["contributor"],
            "record",
            "provision",
            {**current, "heading": "编辑"},
            provision_id,
            submit_now=True,
        )
        mla_service.create_outgoing(session, users["authority"], mla_service_rules(settings))


@dataclass
class Caller:
    role: str | None
    session: requests.Session = field(default_factory=requests.Session)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class LiveServer:
    url: str
    log: Path
    callers: dict[str | None, Caller] = field(default_factory=dict)  # by role, logged in once

    def errors(self) -> str:
        """The server's log when it holds a traceback (an unhandled error), else empty."""
        text = self.log.read_text(errors="replace")
        return text if "Traceback" in text else ""


@pytest.fixture(scope="module")
def live_server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`sherloc serve`'s gunicorn (sherloc/gunicorn_conf.py) on a free loopback port, one worker."""
    folder = tmp_path_factory.mktemp("live")
    data_dir = folder / "data"
    # The index as files; the store through SQLite (see copy_sqlite: the demo store is live in this process).
    shutil.copytree(demo_settings.data_dir, data_dir, ignore=shutil.ignore_patterns("sherloc.db*"))
    copy_sqlite(demo_settings.data_dir / "sherloc.db", data_dir / "sherloc.db")
    _seed(Settings(data_dir=data_dir, secret_key="test"))
    log_path = folder / "gunicorn.log"
    with gunicorn(
        Settings(data_dir=data_dir, secret_key="test"),
        log_path,
        SHERLOC_RATE_LIMITS="off",  # the fuzzer is one client sending thousands of requests
        SHERLOC_SESSION_COOKIE_SECURE="false",  # plain http on loopback: requests keeps Secure cookies
        PROMETHEUS_MULTIPROC_DIR=str(folder / "metrics"),
    ) as port:
        yield LiveServer(f"http://127.0.0.1:{port}", log_path)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _token(session: requests.Session, url: str) -> str:
    found = _CSRF.search(session.get(url, timeout=10).text)
    assert found, url
    return found.group(1)


def log_in(server: LiveServer, role: str) -> Caller:
    """A session logged in as the `role` account, with the CSRF token its writes send."""
    caller = Caller(role)
    form = {"email": f"{role}@example.org", "password": PASSWORD}
    form["csrf_token"] = _token(caller.session, f"{server.url}/login")
    answer = caller.session.post(f"{server.url}/login", data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    # The login starts a new session: its token is read from a page of it.
    caller.headers["X-CSRFToken"] = _token(caller.session, f"{server.url}/")
    return caller


def _needs_login(ctx: Any) -> bool:
    return "401" in ctx.operation.definition.raw["responses"]


# The tests are made from the document build_document gives (pure: no server is needed to collect them);
# `live_document` checks that the server serves that very document before any call is made.
api_schema = schemathesis.openapi.from_dict(build_document())
login_schema = api_schema.include(_needs_login)


@pytest.fixture(scope="module")
def live_document(live_server: LiveServer) -> None:
    served = schemathesis.openapi.from_url(f"{live_server.url}{API_PREFIX}/openapi.json")
    assert served.raw_schema == api_schema.raw_schema


def _caller(server: LiveServer, role: str | None) -> Caller:
    if role not in server.callers:
        server.callers[role] = Caller(None) if role is None else log_in(server, role)
    return server.callers[role]


def _call(case: Any, server: LiveServer, caller: Caller) -> None:
    response = case.call(base_url=server.url, session=caller.session, headers=caller.headers, timeout=60)
    try:
        if len(f"{case.method.upper()} {response.request.path_url} HTTP/1.1") > REQUEST_LINE_LIMIT:
            # Refused by gunicorn before the app sees it, with gunicorn's own page (see the document's
            # description): the same 400 whatever the operation.
            assert response.status_code == 400, response.status_code
            return
        checks = [c for c in CHECKS if (case.operation.label, c) not in LENIENT]
        case.validate_response(response, checks=checks, headers=caller.headers)
    except Exception as exc:
        errors = server.errors()
        if errors:
            exc.add_note(f"server log:\n{errors[-6000:]}")
        raise


LIVE_SETTINGS = settings(budget(25), suppress_health_check=list(HealthCheck))


@api_schema.parametrize()
@LIVE_SETTINGS
def test_the_api_answers_anyone_as_documented(
    case: Any, live_server: LiveServer, live_document: None
) -> None:
    _call(case, live_server, _caller(live_server, None))


@login_schema.parametrize()
@LIVE_SETTINGS
def test_the_api_answers_logged_in_users_as_documented(
    case: Any, live_server: LiveServer, live_document: None
) -> None:
    _call(case, live_server, _caller(live_server, ROLE_BY_TAG[case.operation.tags[0]]))


def test_login_only_operations_refuse_anonymous_and_wrong_role_calls(live_server: LiveServer) -> None:
    """Every operation behind a login answers 401 without one, and 403 to an account without the role,
    in the error envelope; never a 500."""
    document = requests.get(f"{live_server.url}{API_PREFIX}/openapi.json", timeout=10).json()
    contributor = log_in(live_server, "contributor")
    seen = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "401" not in operation["responses"]:
                continue
            url = live_server.url + re.sub(r"{entity_type}", "record", re.sub(r"{\w+_id}", "1", path))
            anonymous = requests.request(method, url, json={}, timeout=10)
            assert anonymous.status_code == 401, (method, path)
            assert anonymous.json()["error"]["status"] == 401
            as_contributor = contributor.session.request(
                method, url, json={}, headers=contributor.headers, timeout=10
            )
            assert str(as_contributor.status_code) in operation["responses"], (method, path)
            seen += 1
    assert seen >= 10
    assert not live_server.errors()
