"""The local outbox file: where alerts go when no email or Teams receiver is configured (the
demo on a fresh machine). One JSON line per notification, with its idempotency key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from alerts.notify.delivery import DeliveryResult, Outgoing, connection_failure
from alerts.notify.email import plain_text
from alerts.notify.message import AlertMessage

CHANNEL = "file"
CONTENT_TYPE = "application/json"


class OutboxFileSender:
    channel = CHANNEL

    def send(self, outgoing: Outgoing) -> DeliveryResult:
        line = orjson.dumps(
            {"idempotency_key": outgoing.idempotency_key, "message": orjson.loads(outgoing.payload)}
        )
        try:
            path = Path(outgoing.target)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("ab") as file:
                file.write(line + b"\n")
        except OSError as error:
            return connection_failure(error)
        return DeliveryResult.ok()


def file_payload(message: AlertMessage) -> dict[str, Any]:
    return {
        "receiver": message.receiver,
        "subject": message.subject,
        "text": plain_text(message),
        "alerts": [
            {
                "fingerprint": n.fingerprint,
                "kind": n.kind,
                "severity": n.severity,
                "summary": n.summary,
            }
            for n in message.ordered
        ],
    }
