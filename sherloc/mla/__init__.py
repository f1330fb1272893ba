"""The request writer for mutual legal assistance: requirement rules, completeness checks, the
assembled request and its DOCX and PDF."""
