"""Search: the backend protocol, language analysis, query parsing, indexing and the engines."""
