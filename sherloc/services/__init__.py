"""Use cases shared by the HTML pages and the JSON API."""
