"""Data-quality figures as they may leave the service: aggregate counts only, disclosure-
controlled (a count of 1–7 shows as 5, the rest to the nearest 5), never a row or a value."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.inequality import disclose
from alerts.inequality.disclosure import MINIMUM_DENOMINATOR
from service.storage.bulk import fetch_frame
from service.storage.models import (
    AnalyticBirth,
    DataQualityIssue,
    QuarantinedRow,
    QuarantineReason,
)

# The fields every comparison leans on: the stratifiers and the commonest outcome fields.
KEY_FIELDS = {
    "ethnic_category": "Ethnic category",
    "language": "Preferred language",
    "imd_decile": "Deprivation (postcode placed)",
    "gestation_days": "Gestation",
    "birth_weight_g": "Birth weight",
    "smoking_at_delivery": "Smoking at delivery",
    "bmi_at_booking": "BMI at booking",
}


def quarantine_by_rule(session: Session) -> list[dict[str, Any]]:
    """Open quarantined rows by source system and failed rule (a row failing two rules counts
    under each)."""
    rows = session.execute(
        select(
            QuarantinedRow.source_system,
            QuarantineReason.rule,
            func.count(func.distinct(QuarantinedRow.id)),
        )
        .join(QuarantineReason, QuarantineReason.quarantined_row_id == QuarantinedRow.id)
        .where(QuarantinedRow.status == "open")
        .group_by(QuarantinedRow.source_system, QuarantineReason.rule)
        .order_by(QuarantinedRow.source_system, func.count(func.distinct(QuarantinedRow.id)).desc())
    ).all()
    return [{"source": s, "rule": r, "rows": disclose(int(n))} for s, r, n in rows]


def disagreements_by_rule(session: Session) -> list[dict[str, Any]]:
    """Cross-source disagreements about the same baby or mother, by rule and the two systems."""
    rows = session.execute(
        select(
            DataQualityIssue.rule,
            DataQualityIssue.field,
            DataQualityIssue.source_a,
            DataQualityIssue.source_b,
            func.count(),
        )
        .group_by(
            DataQualityIssue.rule,
            DataQualityIssue.field,
            DataQualityIssue.source_a,
            DataQualityIssue.source_b,
        )
        .order_by(func.count().desc())
    ).all()
    return [
        {
            "rule": rule,
            "field": field,
            "systems": " / ".join(s for s in (a, b) if s),
            "babies": disclose(int(n)),
        }
        for rule, field, a, b, n in rows
    ]


def reference_gaps(session: Session) -> list[dict[str, Any]]:
    """Babies by whether their mother's postcode could be placed in an IMD decile."""
    rows = session.execute(
        select(AnalyticBirth.deprivation_status, func.count())
        .group_by(AnalyticBirth.deprivation_status)
        .order_by(func.count().desc())
    ).all()
    return [{"status": status, "babies": disclose(int(n))} for status, n in rows]


def completeness_by_month(session: Session, months: int = 12) -> pd.DataFrame:
    """Share of babies with each key field recorded, by birth month (the latest `months`) and
    the systems that know the baby. A cell over fewer than 10 babies is left empty."""
    columns = [AnalyticBirth.birth_month, AnalyticBirth.sources] + [
        AnalyticBirth.__table__.c[name] for name in KEY_FIELDS
    ]
    latest = session.scalar(select(func.max(AnalyticBirth.birth_month)))
    if latest is None:
        return pd.DataFrame(columns=["month", "sources", "babies", *KEY_FIELDS.values()])
    first = (pd.Timestamp(latest) - pd.DateOffset(months=months - 1)).date()
    frame = fetch_frame(session, select(*columns).where(AnalyticBirth.birth_month >= first))
    frame["month"] = pd.to_datetime(frame["birth_month"]).dt.strftime("%Y-%m")
    recorded = frame[list(KEY_FIELDS)].notna()
    recorded[["month", "sources"]] = frame[["month", "sources"]]
    grouped = recorded.groupby(["month", "sources"])
    shares = grouped[list(KEY_FIELDS)].mean().mul(100).round(0)
    babies = grouped.size()
    shares = shares.where(babies >= MINIMUM_DENOMINATOR)
    shares.insert(0, "babies", babies.map(disclose))
    return shares.rename(columns=KEY_FIELDS).reset_index()
