"""Choose the search backend the settings name."""

from __future__ import annotations

from sherloc.search.base import SearchBackend
from sherloc.settings import Settings


def make_backend(settings: Settings) -> SearchBackend:
    """The engine `settings.search_backend` names. Constructing one does no I/O."""
    if settings.search_backend == "elasticsearch":
        from sherloc.search.elastic import ElasticBackend

        return ElasticBackend(
            settings.es_url,
            settings.es_index_prefix,
            shards=settings.es_shards,
            replicas=settings.es_replicas,
            ca_certs=settings.es_ca_certs,
        )
    from sherloc.search.embedded import EmbeddedBackend

    return EmbeddedBackend(settings.index_dir)
