"""FHIR R4 `rest-hook` Subscriptions: a POST to the subscriber's endpoint with the resource
(when the Subscription asked for a payload) or an empty body (a ping), with the headers it
registered. The target is the endpoint and headers as JSON, read off the Subscription."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import orjson

from alerts.notify.delivery import (
    USER_AGENT,
    DeliveryResult,
    Outgoing,
    connection_failure,
    http_result,
)

CHANNEL = "rest-hook"
FHIR_JSON = "application/fhir+json"


def rest_hook_target(subscription: dict[str, Any]) -> str:
    channel = subscription.get("channel") or {}
    return orjson.dumps(
        {
            "subscription": subscription.get("id"),
            "endpoint": channel.get("endpoint"),
            "headers": list(channel.get("header") or []),
            "payload": channel.get("payload"),
        }
    ).decode()


class RestHookSender:
    channel = CHANNEL

    def __init__(self, client: httpx.Client, *, now: Callable[[], datetime]) -> None:
        self.client = client
        self.now = now

    def send(self, outgoing: Outgoing) -> DeliveryResult:
        target = orjson.loads(outgoing.target)
        headers = {"User-Agent": USER_AGENT, "Idempotency-Key": outgoing.idempotency_key}
        for line in target["headers"]:
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
        body = b""
        if target.get("payload"):
            headers["Content-Type"] = target["payload"]
            body = outgoing.payload.encode()
        try:
            response = self.client.post(target["endpoint"], content=body, headers=headers)
        except httpx.HTTPError as error:
            return connection_failure(error)
        return http_result(response, self.now())
