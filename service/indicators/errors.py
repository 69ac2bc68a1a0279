"""What an indicator request can get wrong, as the CLI (exit codes) and the API (status codes)
report it."""

from __future__ import annotations

from service.errors import InputError, PerinatalError


class NotFoundError(InputError):
    """What was asked for does not exist (an unknown indicator, stratum or intervention)."""


class InvalidRequestError(PerinatalError):
    """A request naming its field and what is wrong with it."""

    exit_code = 2
