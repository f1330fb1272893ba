"""Countries and world regions: codes, names in the six UN languages, region of each country.

The data is `corpus/vocab/countries.json`, derived from the world-countries package (ODbL-1.0, see
corpus/README.md) by `python -m sherloc.vocab.places SOURCE > corpus/vocab/countries.json`; region
names are in `corpus/vocab/facets.yaml`.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COUNTRIES_FILE = "countries.json"
# world-countries' translation keys for the UN languages (English is name.common).
_SOURCE_KEYS = {"ar": "ara", "es": "spa", "fr": "fra", "ru": "rus", "zh": "zho"}


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    alpha3: str
    numeric: str | None  # ISO 3166-1 numeric, the id of the map's shapes
    region: str | None  # africa | americas | asia | europe | oceania | antarctic
    subregion: str | None
    names: dict[str, str]
    latlng: tuple[float, float] | None

    def name(self, language: str | None = "en") -> str:
        return self.names.get(language or "en") or self.names.get("en") or self.code


class Countries:
    def __init__(self, countries: list[Country]) -> None:
        self._by_code = {c.code: c for c in countries}
        self._names: dict[str, dict[str, str]] = {}  # language -> folded name -> code, built on first use

    def __iter__(self) -> Iterator[Country]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str | None) -> Country | None:
        return self._by_code.get(code.upper()) if code else None

    def region_of(self, code: str | None) -> str | None:
        country = self.get(code)
        return country.region if country else None

    def names(self, language: str) -> dict[str, str]:
        """Country name in `language`, folded (accents, case and spacing ignored), -> alpha-2 code."""
        found = self._names.get(language)
        if found is None:
            found = self._names[language] = {
                fold_name(c.names[language]): c.code for c in self if c.names.get(language)
            }
        return found

    def code_of(self, name: str, languages: Iterable[str]) -> str | None:
        """The code of the country `name` names in one of `languages` ("España", "缅甸"), or None."""
        folded = fold_name(name)
        return next((code for lang in languages if (code := self.names(lang).get(folded))), None)


def fold_name(name: str) -> str:
    """A name as compared: no accents, lower case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split()).lower()


def load_countries(vocab_dir: Path) -> Countries:
    data = json.loads((Path(vocab_dir) / COUNTRIES_FILE).read_text(encoding="utf-8"))
    out = []
    for item in data["countries"]:
        latlng = item.get("latlng")
        out.append(
            Country(
                code=item["code"],
                alpha3=item["alpha3"],
                numeric=item.get("numeric"),
                region=item.get("region"),
                subregion=item.get("subregion"),
                names=dict(item["names"]),
                latlng=(float(latlng[0]), float(latlng[1])) if latlng else None,
            )
        )
    return Countries(out)


def convert_world_countries(source: list[dict[str, Any]]) -> dict[str, Any]:
    """The portal's countries file from world-countries' countries.json (only what the portal uses)."""
    countries = []
    for item in sorted(source, key=lambda c: c["cca2"]):
        names = {"en": item["name"]["common"]}
        for lang, key in _SOURCE_KEYS.items():
            translation = item.get("translations", {}).get(key)
            if translation and translation.get("common"):
                names[lang] = translation["common"]
        countries.append(
            {
                "code": item["cca2"],
                "alpha3": item["cca3"],
                "numeric": item.get("ccn3") or None,
                "region": (item.get("region") or "").lower() or None,
                "subregion": item.get("subregion") or None,
                "names": names,
                "latlng": item.get("latlng") or None,
            }
        )
    return {
        "source": "world-countries 5.1.0 (mledoze/countries), ODbL-1.0; derived by sherloc.vocab.places",
        "countries": countries,
    }


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        converted = convert_world_countries(json.load(fh))
    # One country per line: small, and diffs show which country changed.
    rows = ",\n  ".join(json.dumps(c, ensure_ascii=False) for c in converted["countries"])
    sys.stdout.write(f'{{"source": {json.dumps(converted["source"])},\n "countries": [\n  {rows}\n]}}\n')
