"""Alert routing as data: which receivers each alert goes to (routes.yaml → `Routing`)."""

from alerts.routing.routes import (
    AlertLabels,
    Receiver,
    Route,
    Routing,
    RoutingError,
    load_routing,
    parse_routing,
)

__all__ = [
    "AlertLabels",
    "Receiver",
    "Route",
    "Routing",
    "RoutingError",
    "load_routing",
    "parse_routing",
]
