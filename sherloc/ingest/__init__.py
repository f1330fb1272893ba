"""Ingest: source files -> parsed records -> normalised -> stored -> indexed."""
