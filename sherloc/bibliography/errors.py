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


def nul_lines(text: str) -> list[tuple[int | None, str]]:
    """(line, message) for every line holding a NUL character: binary data, which no store keeps."""
    if "\x00" not in text:
        return []
    return [
        (number, "a NUL character (binary data, not text)")
        for number, line in enumerate(text.split("\n"), start=1)
        if "\x00" in line
    ]
