"""Counting over the analytic projection, by hand on a few rows: who is in the population, who
has the gated fields recorded, the denominator and numerator, one row per delivery for the
mothers' indicators, and every stratum including "Not recorded"."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from service.indicators.catalogue import load_catalogue
from service.indicators.counting import NOT_RECORDED, count
from service.indicators.projection_frames import derive_columns
from service.storage.models import AnalyticBirth, AnalyticContact

JAN, FEB = "2025-01-01", "2025-02-01"


def frame(model: Any, rows: list[dict[str, Any]], defaults: dict[str, Any]) -> pd.DataFrame:
    columns = [c.name for c in model.__table__.columns if c.name != "field_sources"]
    full = [{**dict.fromkeys(columns), **defaults, **row} for row in rows]
    return derive_columns(pd.DataFrame(full, columns=columns))


BABY = {
    "birth_month": JAN,
    "birth_outcome": "live_birth",
    "plurality": 1,
    "birth_order": 1,
    "gestation_days": 280,
    "ethnic_group": "White",
    "language": "en",
    "imd_quintile": 5,
    "imd_decile": 10,
    "site_code": "ZZ101",
    "nnu_admitted": False,
    "neonatal_death": False,
    "pmh_referral": False,
}


def births(*rows: dict[str, Any]) -> dict[str, pd.DataFrame]:
    contacts = frame(AnalyticContact, [], {})
    return {"births": frame(AnalyticBirth, list(rows), BABY), "contacts": contacts}


def counts_of(frames: dict[str, pd.DataFrame], indicator: str, stratification: str = "overall"):
    counted = count(frames, load_catalogue())
    chosen = counted[
        (counted["indicator_id"] == indicator) & (counted["stratification"] == stratification)
    ]
    return {
        (str(row.period)[:7], row.stratum): (
            row.population,
            row.complete,
            row.denominator,
            row.numerator,
        )
        for row in chosen.itertuples()
    }


def test_preterm_counts_gestation_in_days_and_gates_on_it() -> None:
    data = births(
        {"gestation_days": 258},  # preterm (36+6)
        {"gestation_days": 259},  # term (37+0)
        {"gestation_days": 150},  # before 22 weeks: out of the denominator
        {"gestation_days": None},  # not recorded: in the population, not complete
        {"plurality": 2, "gestation_days": 240},  # twins are not singletons
        {"birth_outcome": "stillbirth_intrapartum", "gestation_days": 200},
    )
    # population 4 (live singletons), complete 3, denominator 2, numerator 1
    assert counts_of(data, "preterm_birth") == {("2025-01", "all"): (4, 3, 2, 1)}


def test_mothers_are_counted_once_per_delivery() -> None:
    twins = {"delivery_id": "d1", "plurality": 2, "smoking_at_delivery": "current"}
    data = births(
        {**twins, "birth_order": 1},
        {**twins, "birth_order": 2},
        {"delivery_id": "d2", "smoking_at_delivery": "never"},
        {"delivery_id": "d3", "smoking_at_delivery": None},
        {"delivery_id": None, "smoking_at_delivery": "current"},  # no maternity record
    )
    assert counts_of(data, "smoking_at_delivery") == {("2025-01", "all"): (3, 2, 2, 1)}


def test_every_stratum_is_kept_including_not_recorded() -> None:
    data = births(
        {"ethnic_group": "Asian", "delivery_id": "a", "mode_of_birth": "emergency_caesarean"},
        {"ethnic_group": "White", "delivery_id": "b", "mode_of_birth": "forceps"},
        {"ethnic_group": "White", "delivery_id": "c", "mode_of_birth": "forceps",
         "birth_month": FEB, "imd_quintile": None, "language": "ur"},
    )  # fmt: skip
    by_group = counts_of(data, "caesarean_emergency", "ethnic_group")
    assert by_group == {
        ("2025-01", "Asian"): (1, 1, 1, 1),
        ("2025-01", "White"): (1, 1, 1, 0),
        ("2025-02", "White"): (1, 1, 1, 0),
    }
    assert counts_of(data, "caesarean_emergency", "imd_quintile")[("2025-02", NOT_RECORDED)] == (
        1, 1, 1, 0,
    )  # fmt: skip
    assert ("2025-02", "Not English") in counts_of(data, "caesarean_emergency", "english")


def test_referral_source_splits_the_numerator_over_everyone() -> None:
    data = births(
        {"delivery_id": "a", "pmh_referral": True, "pmh_referral_source": "gp"},
        {"delivery_id": "b", "pmh_referral": True, "pmh_referral_source": "midwife"},
        {"delivery_id": "c"},
        {"delivery_id": "d"},
    )
    by_source = counts_of(data, "pmh_referral", "referral_source")
    assert by_source == {("2025-01", "gp"): (4, 4, 4, 1), ("2025-01", "midwife"): (4, 4, 4, 1)}
    assert "referral_source" not in set(
        count(data, load_catalogue()).query("indicator_id == 'oasi'")["stratification"]
    )


def test_indicators_recorded_later_wait_for_their_data() -> None:
    rows = [
        {"birth_month": month, "feeding_6_8_weeks": "totally_breastfed"}
        for month in ("2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01", "2025-05-01")
    ]
    periods = {p for p, _ in counts_of(births(*rows), "breastfeeding_6_8_weeks")}
    assert periods == {"2025-01", "2025-02"}  # the last three months are not mature yet


@pytest.mark.parametrize("weight", [2499, 2500])
def test_low_birth_weight_boundary(weight: int) -> None:
    data = births({"birth_weight_g": weight, "gestation_days": 259})
    assert counts_of(data, "low_birth_weight_term")[("2025-01", "all")][3] == (weight < 2500)
