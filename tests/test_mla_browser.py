"""The request writer in Debian's Chromium, as a new authority user meets it: log in, draft a request for
taking evidence and for freezing proceeds, be prompted for each missing piece, finalise, download the DOCX
and the PDF and find every answer in them.

The portal is served over HTTP on a store of its own (a law to link offences to, fictitious directory
entries and one authority user); every page is checked as in test_browser (no request leaving 127.0.0.1,
no script error, page weight, no sideways overflow, a screenshot).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import docx
import pypdf
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD
from tests.test_browser import VIEWPORTS, Browse, browser, served  # noqa: F401 (the browser fixture)
from tests.test_mla_web import OWN, mla_settings

pytestmark = pytest.mark.browser

# What the drafter types, by the label of the field; each must be in the DOCX and the PDF.
CASE = {
    "Authority conducting the proceedings": "Example Municipal Procuratorate",
    "Subject matter of the proceedings": "Laundering of the proceeds of an investment fraud",
    "Summary of the relevant facts": "In 2025 the accused moved 2,400,000 EUR through accounts in Frankfurt.",
    "Purpose of the request": "To prove the movement of the funds at trial",
}
OFFENCE = {
    "Offence": "Money laundering",
    "Provision of the requesting State's law": "Criminal Law, article 191",
}
PERSON = {"Name": "Erika Example", "Address or whereabouts": "Examplestraße 5, 60311 Frankfurt am Main"}
EVIDENCE = {"Questions to be asked or subject matter of the hearing": "1. Who gave the transfer orders?"}
FREEZING = {
    "Property to be frozen or seized": "Account DE00 1111 2222 3333 4444 55 at Example Bank AG",
    "Owner or holder of the property": "Zhang Example",
    "Where the property is": "Example Bank AG, Frankfurt branch",
    "Facts relied upon": "The balance derives from the transfers described above.",
    "Actions requested": "Freeze the account and its balance.",
}
CONTACTS = {
    "Contact person": "Li Example",
    "Contact email": "li.example@example.org",
    "Name and title of the signatory": "Wang Example, Director",
}


@pytest.fixture(scope="module")
def mla_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    users: dict[str, str | None] = {f"{viewport}@example.org": OWN for viewport in VIEWPORTS}
    with served(mla_settings(tmp_path_factory.mktemp("mla-browser"), users)) as url:
        yield url


@pytest.fixture(params=list(VIEWPORTS))
def browse(request: pytest.FixtureRequest, browser: Browser, mla_portal: str) -> Iterator[Browse]:  # noqa: F811
    context = browser.new_context(locale="en-US", accept_downloads=True, **VIEWPORTS[request.param])
    context.set_default_timeout(15_000)
    browsing = Browse(context.new_page(), request.param, mla_portal)
    try:
        yield browsing
    finally:
        context.close()
    browsing.assert_clean()


def click(browse: Browse, name: str, page_name: str) -> None:
    browse.responses.clear()
    with browse.page.expect_navigation():
        browse.page.get_by_role("button", name=name, exact=True).click()
    browse.loaded(page_name)


def prompts(page: Page) -> str:
    """The list of what is missing, shown at the top of a step."""
    alert = page.locator("#findings[role=alert]")
    expect(alert).to_be_visible()
    return alert.inner_text()


def fill(scope: Page, values: dict[str, str]) -> None:
    for label, value in values.items():
        scope.get_by_label(label, exact=True).fill(value)


def test_drafting_a_request_for_evidence_and_freezing(browse: Browse) -> None:
    page = browse.page
    browse.goto("/login", "login")
    page.get_by_label("Email").fill(f"{browse.viewport}@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    click(browse, "Log in", "home")

    browse.follow(page.get_by_role("link", name="Requests"), "mla-register")
    click(browse, "Draft a new request", "mla-states")

    # 1. States: the requested State first; its authorities from the directory come with it.
    expect(page.get_by_label("Requesting State", exact=True)).to_have_value("CN")  # the user's own
    page.get_by_label("Requested State", exact=True).select_option(label="Germany")
    click(browse, "Save and continue", "mla-states")
    missing = prompts(page)
    for label in ("Requested authority", "Language of the request", "Channel of transmission"):
        assert label in missing
    page.get_by_label("Requested authority", exact=True).select_option(label="Example Federal Office")
    page.get_by_label("Language of the request", exact=True).select_option("fr")
    page.get_by_label("Channel of transmission", exact=True).select_option(
        label="Directly between central authorities"
    )
    click(browse, "Save and continue", "mla-states")
    assert "accepts requests in German, English" in prompts(page)
    page.get_by_label("Language of the request", exact=True).select_option("en")
    click(browse, "Save and continue", "mla-legal-basis")

    # 2. Legal basis.
    assert "/steps/legal_basis" in page.url
    page.get_by_label("Legal basis", exact=True).select_option("untoc")
    click(browse, "Save and continue", "mla-case")

    # 3. The case: continuing with nothing filled in lists what is required.
    assert "/steps/case" in page.url
    click(browse, "Save and continue", "mla-case")
    missing = prompts(page)
    for label in (
        "Authority conducting the proceedings",
        "Summary of the relevant facts",
        "Offences",
        "Purpose",
    ):
        assert label in missing
    fill(page, CASE)
    page.get_by_label("Nature of the proceedings", exact=True).select_option("prosecution")
    offence = page.get_by_role("group", name="Offence 1")
    fill(offence, OFFENCE)  # type: ignore[arg-type]
    click(browse, "Save and continue", "mla-case")
    # The provision cited is in the portal's library: link it.
    page.get_by_role("radio", name=re.compile("第一百九十一条")).check()
    click(browse, "Save and continue", "mla-assistance")

    # 4. Assistance: the chosen types bring their own questions, each prompted.
    assert "/steps/assistance" in page.url
    page.get_by_label("Taking evidence or statements from persons").check()
    page.get_by_label("Freezing or seizing proceeds of crime for eventual confiscation").check()
    click(browse, "Save and continue", "mla-assistance")
    missing = prompts(page)
    for label in ("Persons to be heard", *EVIDENCE, *FREEZING):
        assert label in missing, label
    person = page.get_by_role("group", name="Person to be heard 1")
    person.get_by_label("Name", exact=True).fill(PERSON["Name"])
    person.get_by_label("Capacity", exact=True).select_option("witness")
    fill(page, {**EVIDENCE, **FREEZING})
    click(browse, "Save and continue", "mla-assistance")
    # The person's whereabouts were left out: prompted by name.
    assert "Person to be heard 1 · Address or whereabouts" in prompts(page)
    person = page.get_by_role("group", name="Person to be heard 1")
    person.get_by_label("Address or whereabouts", exact=True).fill(PERSON["Address or whereabouts"])
    click(browse, "Save and continue", "mla-handling")

    # 5. Handling: nothing required.  6. Enclosures: the documents the directory entry requires.
    click(browse, "Save and continue", "mla-documents")
    click(browse, "Save and continue", "mla-documents")
    assert "requires: Certified copy of the domestic order" in prompts(page)
    page.get_by_label("Certified copy of the domestic order").check()
    page.get_by_label("Translation into German").check()
    click(browse, "Save and continue", "mla-contacts")

    # 7. Contacts, then the review: finalising is offered once nothing is missing.
    fill(page, CONTACTS)
    click(browse, "Save and continue", "mla-review")
    expect(page.get_by_text("The request is complete")).to_be_visible()
    click(browse, "Finalise the request", "mla-final")

    entered = [*CASE.values(), *OFFENCE.values(), *PERSON.values(), *EVIDENCE.values(), *FREEZING.values()]
    entered += [*CONTACTS.values(), "Prosecution", "Witness", "Germany", "Example Federal Office"]
    entered += ["Certified copy of the domestic order", "Translation into German"]
    for link, reader in (("Download DOCX", read_docx), ("Download PDF", read_pdf)):
        with page.expect_download() as download:
            page.get_by_role("link", name=link).click()
        path = download.value.path()
        assert path is not None
        text = re.sub(r"\s+", " ", reader(Path(path)))
        for value in entered:
            assert re.sub(r"\s+", " ", value) in text, (link, value)


def read_docx(path: Path) -> str:
    document = docx.Document(io.BytesIO(path.read_bytes()))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def read_pdf(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
