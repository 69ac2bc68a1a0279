"""What every command shares: the settings (read when first needed) and the debug flag."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from service.config import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from service.projection.precedence import Precedence

# These narrate every migration step and every job run at INFO; that is for DEBUG.
CHATTY_LOGGERS = ("alembic", "apscheduler.executors", "apscheduler.scheduler")


@dataclass
class CliState:
    debug: bool = False

    @cached_property
    def settings(self) -> Settings:
        settings = load_settings()
        level = logging.getLevelName(settings.log_level)
        logging.getLogger().setLevel(level)
        for name in CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(max(logging.WARNING, level))
        return settings

    def engine(self) -> Engine:
        from service.storage.engine import make_engine

        return make_engine(self.settings.database_url)

    def sessions(self) -> sessionmaker[Session]:
        """Sessions on the configured database, migrated to the newest schema first."""
        from service.storage import migrate
        from service.storage.engine import make_session_factory

        engine = self.engine()
        migrate.upgrade(engine)
        return make_session_factory(engine)

    def precedence(self) -> Precedence:
        """The reconciliation rules: the deployment's file if set, else the product's."""
        from service.projection.precedence import load_precedence

        return load_precedence(self.settings.precedence_file)
