"""One module per source format; each exposes a parser registered in sherloc.ingest.registry."""
