"""sherloc: a knowledge portal on legislation and case law against organized crime."""

__version__ = "0.1.0"
