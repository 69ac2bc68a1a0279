"""The product's error hierarchy: what a user can fix is a `PerinatalError` with a clear message.

The CLI prints such an error as one line and exits non-zero; the API (a later issue) renders it as a
FHIR `OperationOutcome`.
"""


class PerinatalError(Exception):
    """An error the user can act on; its message is shown as is."""

    exit_code = 1


class ConfigurationError(PerinatalError):
    """A setting is missing or has a bad value."""

    exit_code = 2


class StorageError(PerinatalError):
    """The database cannot be reached or is not at the expected schema."""

    exit_code = 3


class InputError(PerinatalError):
    """A file or option the user gave cannot be used."""

    exit_code = 4
