"""Access logs without the query string: searches carry identifiers (`identifier=…|<NHS number>`,
`patient=…`), and logs must carry none. The path stays, so a log still shows what was asked
for; the query is replaced by `?…`."""

from __future__ import annotations

import logging


class WithoutQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access records: (client address, method, path with query, HTTP version, status)
        if isinstance(record.args, tuple) and len(record.args) == 5:
            address, method, path, version, status = record.args
            if isinstance(path, str) and "?" in path:
                record.args = (address, method, path.split("?", 1)[0] + "?…", version, status)
        return True


def redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, WithoutQueryStrings) for f in access.filters):
        access.addFilter(WithoutQueryStrings())
