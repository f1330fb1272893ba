"""The web front end and the JSON API."""
