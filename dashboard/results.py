"""Cached loaders of stored results. Every page reads through here: the indicator views of the
service layer (already disclosure-controlled), kept per computation run, so a page view costs a
dictionary look-up and a new computation shows at once. Interventions and notes, which users add
between runs, are read fresh each time (small tables)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service.alerting.views import delivery_log, list_alerts, open_alerts
from service.indicators import store
from service.indicators.care_days import care_days
from service.indicators.catalogue import Catalogue
from service.indicators.notes import notes_for
from service.indicators.published import (
    funnel_view,
    intervention_report,
    intervention_view,
    overview,
    series_view,
)
from service.national.cqim import NationalFigure, fields_read, load_cqims, national_figures
from service.national.monthly import monthly_figures
from service.national.records import read_national_records
from service.projection.reference_tables import hes_deliveries
from service.quality import views as quality
from service.storage.models import IndicatorRun, IndicatorStratification

T = TypeVar("T")


class StoredResults:
    def __init__(self, sessions: Callable[[], sessionmaker[Session]], catalogue: Catalogue):
        # A callable: the app's session factory exists only once its lifespan has started.
        self._sessions = sessions
        self.catalogue = catalogue
        self._lock = threading.Lock()
        self._run_id: int | None = None
        self._cache: dict[tuple[Any, ...], Any] = {}

    def session(self) -> Session:
        return self._sessions()()

    def _cached(self, key: tuple[Any, ...], load: Callable[[Session], T]) -> T:
        with self.session() as session:
            run_id = session.scalar(
                select(func.max(IndicatorRun.id)).where(IndicatorRun.status == "done")
            )
            with self._lock:
                if run_id != self._run_id:
                    self._cache.clear()
                    self._run_id = run_id
                if key in self._cache:
                    return self._cache[key]  # type: ignore[no-any-return]
            value = load(session)
            with self._lock:
                self._cache[key] = value
            return value

    def forget(self) -> None:
        """After a write from the dashboard itself (a rebase recomputes the charts)."""
        with self._lock:
            self._cache.clear()
            self._run_id = None

    # Indicator results: cached per run.
    def overview(self) -> list[dict[str, Any]]:
        return self._cached(("overview",), lambda s: overview(s, self.catalogue))

    def series(self, indicator_id: str, stratification: str) -> dict[str, Any]:
        """The strata of one indicator and stratification; `interventions` and `notes` fresh."""
        view = self._cached(
            ("series", indicator_id, stratification),
            lambda s: series_view(s, self.catalogue, indicator_id, stratification),
        )
        return {
            **view,
            "interventions": self.interventions(indicator_id),
            "notes": self.notes(indicator_id),
        }

    def funnel(
        self, indicator_id: str, stratification: str, first: date, last: date
    ) -> dict[str, Any]:
        return self._cached(
            ("funnel", indicator_id, stratification, first, last),
            lambda s: funnel_view(s, self.catalogue, indicator_id, stratification, first, last),
        )

    def gradients(self) -> dict[tuple[str, str], dict[str, Any]]:
        """SII and RII per indicator and deprivation stratification, over the latest window."""

        def load(session: Session) -> dict[tuple[str, str], dict[str, Any]]:
            rows = session.scalars(
                select(IndicatorStratification).where(IndicatorStratification.gradient.is_not(None))
            )
            return {(r.indicator_id, r.stratification): dict(r.gradient or {}) for r in rows}

        return self._cached(("gradients",), load)

    def care_days(self, stratification: str) -> pd.DataFrame:
        return self._cached(("care_days", stratification), lambda s: care_days(s, stratification))

    def completeness(self) -> pd.DataFrame:
        return self._cached(("completeness",), quality.completeness_by_month)

    def quality(self) -> dict[str, list[dict[str, Any]]]:
        return self._cached(
            ("quality",),
            lambda s: {
                "quarantine": quality.quarantine_by_rule(s),
                "disagreements": quality.disagreements_by_rule(s),
                "reference_gaps": quality.reference_gaps(s),
            },
        )

    def national_months(self) -> list[NationalFigure]:
        """NHS England's CQIMs per measure, provider and month (disclosure at display)."""

        def load(session: Session) -> list[NationalFigure]:
            cqims = load_cqims()
            births = read_national_records(session, fields_read(cqims))
            return monthly_figures(births, cqims, hes_deliveries(session))

        return self._cached(("national_months",), load)

    def national_window(self, months: int = 3) -> list[NationalFigure]:
        """The CQIMs over the latest `months` months with births, as NHS England publishes a
        rolling quarter (distinct babies and mothers over the whole window)."""
        dated = [f.period_start for f in self.national_months() if f.denominator]
        if not dated:
            return []
        last = max(dated)
        first = (pd.Period(last, "M") - (months - 1)).start_time.date()
        end = pd.Period(last, "M").end_time.date()

        def load(session: Session) -> list[NationalFigure]:
            cqims = load_cqims()
            births = read_national_records(session, fields_read(cqims))
            return national_figures(
                births, cqims, first, end, hes_deliveries=hes_deliveries(session)
            )

        return self._cached(("national_window", first, end), load)

    # What users add between runs: read fresh.
    def interventions(self, indicator_id: str | None = None) -> list[dict[str, Any]]:
        with self.session() as session:
            return [intervention_view(i) for i in store.interventions(session, indicator_id)]

    def intervention_report(self, intervention_id: int) -> dict[str, Any]:
        with self.session() as session:
            return intervention_report(session, self.catalogue, intervention_id)

    def notes(self, indicator_id: str) -> list[dict[str, Any]]:
        with self.session() as session:
            return notes_for(session, indicator_id)

    def alerts(self, **filters: Any) -> list[dict[str, Any]]:
        with self.session() as session:
            return list_alerts(session, **filters)

    def open_alerts(self) -> list[dict[str, Any]]:
        """Unresolved alerts in priority order, each with its one line in words."""
        from alerts.rules.definitions import load_rules

        with self.session() as session:
            return open_alerts(session, self.catalogue, load_rules())

    def deliveries(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.session() as session:
            return delivery_log(session, limit=limit)
