"""What every command shares: the settings (read when first needed) and the debug flag."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from service.config import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass
class CliState:
    debug: bool = False
    overrides: dict[str, object] = field(default_factory=dict)

    @cached_property
    def settings(self) -> Settings:
        settings = load_settings(**self.overrides)
        logging.getLogger().setLevel(settings.log_level)
        # Alembic narrates every migration step at INFO; keep it for DEBUG.
        logging.getLogger("alembic").setLevel(
            max(logging.WARNING, logging.getLevelName(settings.log_level))
        )
        return settings

    def engine(self) -> Engine:
        from service.storage.engine import make_engine

        return make_engine(self.settings.database_url)
