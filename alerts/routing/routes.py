"""Routes and receivers, read from a YAML file and validated once, with errors that name the
route or receiver and the field. Matching is pure: an alert's labels in, receiver names out.

Routes are tried in order; the first that matches decides, unless it says `continue: true`, in
which case later routes may add receivers (Alertmanager's model). An alert no route matches
goes to the default receiver.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MATCH_FIELDS = ("indicator", "tags", "stratum_kind", "severity", "rule")
SEVERITIES = ("high", "medium", "low")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class RoutingError(ValueError):
    """A routing file the product cannot use; the message says where and why."""


@dataclass(frozen=True)
class Receiver:
    """Where a group of alerts is sent: any of email, a Teams Workflows webhook, the FHIR
    subscribers (rest-hook Subscriptions registered through the FHIR API), a local file."""

    name: str
    email: tuple[str, ...] = ()
    teams_webhook_url: str | None = None
    fhir_subscribers: bool = False
    outbox_file: str | None = None

    @property
    def channels(self) -> tuple[str, ...]:
        named = (
            ("email", bool(self.email)),
            ("teams", self.teams_webhook_url is not None),
            ("rest-hook", self.fhir_subscribers),
            ("file", self.outbox_file is not None),
        )
        return tuple(channel for channel, used in named if used)


@dataclass(frozen=True)
class AlertLabels:
    """What a route can match an alert on."""

    rule: str
    indicator: str
    tags: frozenset[str]
    stratum_kind: str  # the stratification: overall, ethnic_group, imd_quintile, …
    severity: str


@dataclass(frozen=True)
class Route:
    receivers: tuple[str, ...]
    match: Mapping[str, frozenset[str]] = field(default_factory=dict)
    carry_on: bool = False  # `continue: true` in the file

    def matches(self, labels: AlertLabels) -> bool:
        for name, wanted in self.match.items():
            if name == "tags":
                if not wanted & labels.tags:
                    return False
            elif getattr(labels, name) not in wanted:
                return False
        return True


@dataclass(frozen=True)
class Routing:
    receivers: Mapping[str, Receiver]
    routes: tuple[Route, ...]
    default_receiver: str
    repeat_interval_hours: float = 168.0

    def receivers_for(self, labels: AlertLabels) -> tuple[str, ...]:
        chosen: list[str] = []
        for route in self.routes:
            if route.matches(labels):
                chosen.extend(r for r in route.receivers if r not in chosen)
                if not route.carry_on:
                    break
        return tuple(chosen) or (self.default_receiver,)


def parse_routing(document: Mapping[str, Any]) -> Routing:
    receivers: dict[str, Receiver] = {}
    for position, spec in enumerate(document.get("receivers") or []):
        receiver = _receiver(spec, f"receiver {_name_of(spec, position)}")
        if receiver.name in receivers:
            raise RoutingError(f"receiver {receiver.name}: declared twice")
        receivers[receiver.name] = receiver
    if not receivers:
        raise RoutingError("receivers: declare at least one receiver")
    routes = tuple(
        _route(spec, f"route #{position + 1}", receivers)
        for position, spec in enumerate(document.get("routes") or [])
    )
    default = document.get("default_receiver")
    if default not in receivers:
        raise RoutingError(f"default_receiver: {default!r} is not a declared receiver")
    repeat = document.get("repeat_interval_hours", 168)
    if not isinstance(repeat, int | float) or repeat <= 0:
        raise RoutingError("repeat_interval_hours: a positive number of hours")
    return Routing(receivers, routes, default, float(repeat))


def _name_of(spec: Any, position: int) -> str:
    return (
        str(spec.get("name")) if isinstance(spec, dict) and "name" in spec else f"#{position + 1}"
    )


def _receiver(spec: Any, where: str) -> Receiver:
    if not isinstance(spec, dict):
        raise RoutingError(f"{where}: expected a mapping")
    unknown = set(spec) - {"name", "email", "teams_webhook_url", "fhir_subscribers", "outbox_file"}
    if unknown:
        raise RoutingError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    name = str(spec.get("name", ""))
    if not NAME.match(name):
        raise RoutingError(f"{where}: name must be lower-case letters, digits, - or _")
    email = spec.get("email") or []
    email = [email] if isinstance(email, str) else email
    for address in email:
        if not isinstance(address, str) or not EMAIL.match(address):
            raise RoutingError(f"{where}: email {address!r} is not an email address")
    webhook = spec.get("teams_webhook_url")
    if webhook is not None and not str(webhook).startswith(("https://", "http://")):
        raise RoutingError(f"{where}: teams_webhook_url must be an http(s) URL")
    receiver = Receiver(
        name=name,
        email=tuple(email),
        teams_webhook_url=None if webhook is None else str(webhook),
        fhir_subscribers=bool(spec.get("fhir_subscribers", False)),
        outbox_file=spec.get("outbox_file"),
    )
    if not receiver.channels:
        raise RoutingError(
            f"{where}: give at least one of email, teams_webhook_url, fhir_subscribers, outbox_file"
        )
    return receiver


def _route(spec: Any, where: str, receivers: Mapping[str, Receiver]) -> Route:
    if not isinstance(spec, dict):
        raise RoutingError(f"{where}: expected a mapping")
    unknown = set(spec) - {"match", "receivers", "continue"}
    if unknown:
        raise RoutingError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    names = spec.get("receivers") or []
    names = [names] if isinstance(names, str) else names
    if not names:
        raise RoutingError(f"{where}: receivers: name at least one receiver")
    for name in names:
        if name not in receivers:
            raise RoutingError(f"{where}: receivers: {name!r} is not a declared receiver")
    match: dict[str, frozenset[str]] = {}
    for key, wanted in (spec.get("match") or {}).items():
        if key not in MATCH_FIELDS:
            raise RoutingError(f"{where}: match: {key!r} is not one of {', '.join(MATCH_FIELDS)}")
        values = [wanted] if isinstance(wanted, str) else list(wanted or [])
        if not values:
            raise RoutingError(f"{where}: match: {key}: give at least one value")
        if key == "severity" and set(values) - set(SEVERITIES):
            raise RoutingError(f"{where}: match: severity is one of {', '.join(SEVERITIES)}")
        match[key] = frozenset(str(v) for v in values)
    return Route(tuple(names), match, bool(spec.get("continue", False)))


def load_routing(path: Path) -> Routing:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RoutingError(f"{path}: {error}") from None
    if not isinstance(document, dict):
        raise RoutingError(f"{path}: expected a mapping with receivers and routes")
    try:
        return parse_routing(document)
    except RoutingError as error:
        raise RoutingError(f"{path}: {error}") from None
