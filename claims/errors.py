"""Errors raised for bad input: each carries a one-line message meant for the user."""
from __future__ import annotations


class CopydeskError(Exception):
    """Base class of the errors the CLI and the UI report as a plain message (exit code 2)."""


class DraftError(CopydeskError):
    """The draft cannot be checked: empty, too large, binary or not UTF-8."""
