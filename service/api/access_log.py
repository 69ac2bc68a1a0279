"""Access logs without the query string: searches carry identifiers (`identifier=…|<NHS number>`,
`patient=…`), and logs must carry none. The path stays, so a log still shows what was asked
for; the query is replaced by `?…`."""

from __future__ import annotations

import copy
import logging
from typing import Any


class WithoutQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access records: (client address, method, path with query, HTTP version, status)
        if isinstance(record.args, tuple) and len(record.args) == 5:
            address, method, path, version, status = record.args
            if isinstance(path, str) and "?" in path:
                record.args = (address, method, path.split("?", 1)[0] + "?…", version, status)
        return True


def logging_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the filter on its access log, so that every worker
    process (each configures logging afresh) redacts."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["without_query_strings"] = {"()": WithoutQueryStrings}
    config["handlers"]["access"]["filters"] = ["without_query_strings"]
    return config
