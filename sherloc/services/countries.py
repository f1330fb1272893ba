"""Countries as the API lists them: codes, names in the six UN languages, region, records in the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sherloc.models import Record
from sherloc.vocab.labels import Labels
from sherloc.vocab.loader import UN_LANGUAGES
from sherloc.vocab.places import Countries, Country

MULTI_COUNTRY_KINDS = ("treaty", "bibliography")


def record_counts(session: Session, country: str | None = None) -> dict[str, dict[str, int]]:
    """Records in the store by country code and kind: {"FR": {"law": 3, "provision": 1323}}."""
    query = select(Record.country, Record.kind, func.count()).where(Record.country.is_not(None))
    if country is not None:
        query = query.where(Record.country == country)
    counts: dict[str, dict[str, int]] = {}
    for code, kind, n in session.execute(query.group_by(Record.country, Record.kind)):
        counts.setdefault(str(code).upper(), {})[kind] = int(n)
    # A treaty counts under each of its parties, a bibliography entry under each country it covers, as the
    # search's country facet counts them (attributes["countries"]; these kinds are few).
    others = select(Record.country, Record.kind, Record.attributes)
    others = others.where(Record.kind.in_(MULTI_COUNTRY_KINDS))
    for own, kind, attributes in session.execute(others):
        listed = (attributes or {}).get("countries") or []
        for code in dict.fromkeys(c.upper() for c in listed if isinstance(c, str) and len(c) == 2):
            if code != (own or "").upper() and (country is None or code == country):
                kinds = counts.setdefault(code, {})
                kinds[kind] = kinds.get(kind, 0) + 1
    return counts


def country_entry(country: Country, labels: Labels, records: dict[str, int]) -> dict[str, Any]:
    return {
        "code": country.code,
        "alpha3": country.alpha3,
        "numeric": country.numeric,
        "names": {language: country.name(language) for language in UN_LANGUAGES},
        "region": country.region,
        "region_names": (
            {language: labels.label("region", country.region, language) for language in UN_LANGUAGES}
            if country.region
            else {}
        ),
        "subregion": country.subregion,
        "records": dict(sorted(records.items())),
        "record_count": sum(records.values()),
    }


def list_countries(
    session: Session, countries: Countries, labels: Labels, *, region: str | None, with_records: bool
) -> list[dict[str, Any]]:
    """Every country in code order (of `region`; only those with records in the store if asked)."""
    counts = record_counts(session)
    return [
        country_entry(country, labels, counts.get(country.code, {}))
        for country in sorted(countries, key=lambda c: c.code)
        if (region is None or country.region == region.lower())
        and (not with_records or counts.get(country.code))
    ]


def get_country(session: Session, countries: Countries, labels: Labels, code: str) -> dict[str, Any] | None:
    country = countries.get(code)
    if country is None:
        return None
    return country_entry(country, labels, record_counts(session, country.code).get(country.code, {}))
