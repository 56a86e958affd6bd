"""The root of copydesk's error hierarchy, on the lowest floor so retrieval, claims, evals and app share it.

Every error that means bad input or an unavailable resource (a store, a file, a model, a server)
subclasses `CopydeskError` and carries a one-line message for the user: the CLI prints it and exits
with code 2, the Streamlit app shows it. Errors that kept a builtin base before this hierarchy existed
(`StoreError` was a RuntimeError, `LoadError` a ValueError) keep it as a second base, so existing
`except ValueError` code still works. `claims.errors` re-exports this class and the whole tree.
"""
from __future__ import annotations


class CopydeskError(Exception):
    """Base class of the errors the CLI and the UI report as a plain one-line message (exit code 2)."""
