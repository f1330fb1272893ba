"""Countries as the API lists them: codes, names in the six UN languages, region, records in the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sherloc.models import Record
from sherloc.vocab.labels import Labels
from sherloc.vocab.loader import UN_LANGUAGES
from sherloc.vocab.places import Countries, Country


def record_counts(session: Session, country: str | None = None) -> dict[str, dict[str, int]]:
    """Records in the store by country code and kind: {"FR": {"law": 3, "provision": 1323}}."""
    query = select(Record.country, Record.kind, func.count()).where(Record.country.is_not(None))
    if country is not None:
        query = query.where(Record.country == country)
    counts: dict[str, dict[str, int]] = {}
    for code, kind, n in session.execute(query.group_by(Record.country, Record.kind)):
        counts.setdefault(str(code).upper(), {})[kind] = int(n)
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
