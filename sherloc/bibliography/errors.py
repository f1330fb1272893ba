"""The one error every bibliography reader raises, listing each bad line it found."""

from __future__ import annotations

from collections.abc import Iterable


class BibliographyError(ValueError):
    """A file that cannot be read whole: `errors` holds (line number or None, message) for every problem."""

    def __init__(self, errors: Iterable[tuple[int | None, str]]) -> None:
        self.errors: list[tuple[int | None, str]] = list(errors)
        super().__init__(
            "\n".join(f"line {line}: {msg}" if line is not None else msg for line, msg in self.errors)
        )
