"""Country profiles and the implementation matrix (views on the pages blueprint)."""

from __future__ import annotations

from sherloc.web.pages import bp  # noqa: F401  (its views are added to the pages blueprint)
