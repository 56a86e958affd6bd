"""Errors raised for bad input: each carries a one-line message meant for the user.

`CopydeskError` lives on the lowest floor (retrieval/errors.py) so that retrieval, claims, evals and
app share one base; it is re-exported here. The tree, by floor (each module defines its own):

    CopydeskError
    ├── retrieval: LoadError, StoreError (StoreBusy), EmbedderUnavailable, ModelBuildError,
    │              EncodingUnavailable, SearchError, RerankError
    ├── claims:    DraftError, SettingsError, RosterError, LLMError (LLMConfigError, LLMUnavailable,
    │              LLMBadOutput, PromptNotFound, PromptVariableError), LocalModelError, CalibrationError,
    │              VerifierUnavailable, VerifyInputError, JudgeInputError
    ├── evals:     EvalSetError, ConverterError
    └── app:       UsageError (the CLI), BackendUnavailable (the UI), ReviewStoreError

The CLI and the UI catch `CopydeskError` (plus the OS's file errors) by type: one line, exit code 2.
"""
from __future__ import annotations

from retrieval.errors import CopydeskError

__all__ = ["CopydeskError", "DraftError", "SettingsError"]


class DraftError(CopydeskError):
    """The draft cannot be checked: empty, too large, binary or not UTF-8."""


class SettingsError(CopydeskError):
    """A setting has a bad value (environment variable, config file key or argument); the message names it."""
