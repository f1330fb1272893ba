"""Marshmallow schemas for API input and output."""
