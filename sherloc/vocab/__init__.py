"""Versioned vocabulary data (crime types, instruments, cross-cutting issues) and its typed loader."""

from sherloc.vocab.loader import (
    TERM_LANGUAGES,
    UN_LANGUAGES,
    Article,
    CrimeType,
    CrossCuttingIssue,
    Instrument,
    Vocabulary,
    VocabularyError,
    default_vocab_dir,
    load_vocabulary,
)

__all__ = [
    "TERM_LANGUAGES",
    "UN_LANGUAGES",
    "Article",
    "CrimeType",
    "CrossCuttingIssue",
    "Instrument",
    "Vocabulary",
    "VocabularyError",
    "default_vocab_dir",
    "load_vocabulary",
]
