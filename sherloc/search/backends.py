"""Choose the search backend the settings name."""

from __future__ import annotations

from sherloc.search.base import SearchBackend
from sherloc.settings import Settings


def make_backend(settings: Settings) -> SearchBackend:
    if settings.search_backend == "embedded":
        from sherloc.search.embedded import EmbeddedBackend

        return EmbeddedBackend(settings.index_dir)
    raise NotImplementedError(
        "SHERLOC_SEARCH_BACKEND=elasticsearch is not available yet: the Elasticsearch backend is built in "
        "its own issue. Use the embedded backend (the default)."
    )
