"""NHS England's CQIM data-quality measures gate each rate as its code does: counts rounded as
published before the ratio is checked, each measure over its own window set back from the
reporting month, HES deliveries scaled to the window's days, and the rate withheld, with the
failing measure named, unless every measure it lists passes. Worked by hand below."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from service.national.cqim import fields_read, load_cqims, national_figures
from service.national.monthly import monthly_figures
from service.national.quality_gates import (
    PassBounds,
    load_quality_measures,
    passes,
    quality_results,
)

GATES = load_quality_measures()
AT_LEAST_70 = PassBounds(min=0.7)


@pytest.mark.parametrize(
    ("numerator", "denominator", "bounds", "expected"),
    [
        (70, 100, AT_LEAST_70, True),  # 0.700 meets an inclusive minimum
        (65, 100, AT_LEAST_70, False),
        # 7 of 8 is 87.5%, but published as 5 of 10: 0.5, under 0.7, as NHS England checks.
        (7, 8, AT_LEAST_70, False),
        # 12 of 19 is 63%, published as 10 of 20: 0.5.  13 of 19 is 68%, published 15 of 20.
        (12, 19, AT_LEAST_70, False),
        (13, 19, AT_LEAST_70, True),
        # CQIMDQ18 and 34 are strict: exactly 0.4 fails.
        (40, 100, PassBounds(min=0.4, inclusive=False), False),
        (45, 100, PassBounds(min=0.4, inclusive=False), True),
        # A maximum: 31 of 50 is published 30 of 50, 0.6; 33 of 50 is 35 of 50, 0.7.
        (31, 50, PassBounds(max=0.6), True),
        (33, 50, PassBounds(max=0.6), False),
        (0, 50, PassBounds(max=0.6), True),
        # No denominator (a provider missing from HES): a minimum passes if anything counted.
        (30, 0, AT_LEAST_70, True),
        (0, 0, AT_LEAST_70, False),
        (0, 0, PassBounds(max=0.6), False),
        # A range: 1 smoker in 100 bookings is published 5 in 100.
        (1, 100, PassBounds(min=0.005, max=0.5), True),
        (60, 100, PassBounds(min=0.005, max=0.5), False),
        # "At least one": 1 of 1, published 5 of 5.
        (1, 1, PassBounds(min=1, max=1), True),
        (0, 1, PassBounds(min=1, max=1), False),
    ],
)
def test_a_measure_passes_as_nhs_englands_rounded_result(
    numerator: int, denominator: int, bounds: PassBounds, expected: bool
) -> None:
    assert passes(numerator, denominator, bounds) is expected


def _births(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Births at provider ZZ1 with every field the CQIMs read, unrecorded unless given."""
    fields = sorted(fields_read(load_cqims()))
    frame = pd.DataFrame([{f: None for f in fields} | {"site_code": "ZZ101"} | r for r in rows])
    for column in ("birth_date", "booking_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _babies(month: str, count: int, start: int = 0, **fields: Any) -> list[dict[str, Any]]:
    return [
        {"baby_id": f"b{month}{start + i}", "mother_id": f"m{month}{start + i}",
         "birth_date": f"{month}-15", "birth_outcome": "live_birth", **fields}
        for i in range(count)
    ]  # fmt: skip


def test_each_measure_counts_over_its_own_window_before_the_reporting_month() -> None:
    births = _births(_babies("2026-01", 10) + _babies("2026-02", 20) + _babies("2026-03", 30))
    providers = births["site_code"].str[:3]
    months = [pd.Period(m, "M") for m in ("2026-03", "2026-04", "2026-05")]
    hes = {"ZZ1": 730}  # 2 deliveries a day
    results = quality_results(
        births, [GATES["CQIMDQ14"], GATES["CQIMDQ10"], GATES["CQIMDQ09"]], providers, months, hes
    )

    def counts(measure: str, month: str) -> tuple[int, int]:
        result = results[(measure, "ZZ1", pd.Period(month, "M"))]
        return result.numerator, result.denominator

    # DQ14: the reporting month and the two before. March: January to March, 90 days of HES.
    assert counts("CQIMDQ14", "2026-03") == (60, 730 * 90 // 365)
    assert counts("CQIMDQ14", "2026-04") == (50, 730 * 89 // 365)  # February to April
    assert counts("CQIMDQ14", "2026-05") == (30, 730 * 92 // 365)  # March to May
    # DQ10: the three months before the reporting month. April: January to March.
    assert counts("CQIMDQ10", "2026-04") == (60, 180)
    assert counts("CQIMDQ10", "2026-03") == (30, 180)  # December to February: 90 days
    # DQ09: the reporting month alone, against 31 days of HES (62): 30 of 62 fails 0.7.
    assert counts("CQIMDQ09", "2026-03") == (30, 62)
    assert not results[("CQIMDQ09", "ZZ1", pd.Period("2026-03", "M"))].passed


def test_twins_count_their_mother_once_and_each_baby() -> None:
    twins = [
        {"baby_id": f"b{i}", "mother_id": "m1", "birth_date": "2026-06-10",
         "birth_outcome": "live_birth", "plurality": 2, "first_feed": "formula"}
        for i in (1, 2)
    ]  # fmt: skip
    births = _births(twins)
    results = quality_results(
        births, [GATES["CQIMDQ09"], GATES["CQIMDQ08"]], births["site_code"].str[:3],
        [pd.Period("2026-06", "M")], {},
    )  # fmt: skip
    mothers = results[("CQIMDQ09", "ZZ1", pd.Period("2026-06", "M"))]
    babies = results[("CQIMDQ08", "ZZ1", pd.Period("2026-06", "M"))]
    assert (mothers.numerator, babies.numerator, babies.denominator) == (1, 2, 2)
    # No HES deliveries loaded: DQ09 passes, as NHS England's check passes a provider it
    # counted births for but holds no HES figure for, and says so.
    assert mothers.passed
    assert mothers.note == "no HES deliveries loaded for the provider"


def _breastfeeding_june(fed: int) -> list[dict[str, Any]]:
    """20 babies born in June 2026, `fed` of them with a first feed recorded."""
    return _babies("2026-06", fed, first_feed="breast_milk") + _babies(
        "2026-06", 20 - fed, start=fed
    )


def test_a_rate_is_withheld_naming_the_measure_that_failed() -> None:
    # CQIMBreastfeeding lists DQ08 (first feed recorded, at least 70%) and DQ09 (women giving
    # birth against HES). HES: 240 a year is 19 in June's 30 days, published as 20.
    cqims = [c for c in load_cqims() if c.id == "CQIMBreastfeeding"]
    hes = {"ZZ1": 240}

    def june(fed: int) -> Any:
        births = _births(_breastfeeding_june(fed))
        (figure,) = national_figures(
            births, cqims, date(2026, 6, 1), date(2026, 6, 30), hes_deliveries=hes
        )
        return figure

    # 15 of 20 fed (75%): both pass, the rate is published: 15 of 15 with a feed, breast milk.
    published = june(15)
    assert (published.published, published.numerator, published.denominator) == (True, 15, 15)
    assert published.reason == ""
    # 12 of 20 (published 10 of 20, 50%): DQ08 fails and withholds the rate.
    withheld = june(12)
    assert not withheld.published
    assert withheld.reason == (
        "data quality: CQIMDQ08 failed (babies born in the month whose first feed is "
        "recorded: 50.0%, needs at least 70.0%)"
    )
    assert (withheld.numerator, withheld.denominator) == (12, 12)  # the counts still shown


def test_the_gate_is_the_reporting_month_of_the_windows_end() -> None:
    # A quarter April–June: the data-quality measures are June's, as NHS England's for June.
    births = _births(_babies("2026-04", 20) + _breastfeeding_june(15))
    cqims = [c for c in load_cqims() if c.id == "CQIMBreastfeeding"]
    (quarter,) = national_figures(
        births, cqims, date(2026, 4, 1), date(2026, 6, 30), hes_deliveries={"ZZ1": 240}
    )
    assert quarter.published  # April's unrecorded feeds are not June's DQ08
    (april,) = national_figures(
        births, cqims, date(2026, 4, 1), date(2026, 4, 30), hes_deliveries={"ZZ1": 240}
    )
    assert not april.published
    assert "CQIMDQ08" in april.reason


def test_each_month_on_the_chart_is_gated_as_its_own_reporting_month() -> None:
    births = _births(_babies("2026-04", 20) + _breastfeeding_june(15))
    cqims = [c for c in load_cqims() if c.id == "CQIMBreastfeeding"]
    figures = monthly_figures(births, cqims, {"ZZ1": 240})
    by_month = {f"{f.period_start:%Y-%m}": f for f in figures}
    assert by_month["2026-06"].published
    assert not by_month["2026-04"].published
    assert by_month["2026-04"].reason.startswith("data quality: CQIMDQ08 failed")


def test_every_cqim_lists_published_measures_and_each_measure_is_well_formed() -> None:
    lists = {c.id: c.quality for c in load_cqims()}
    assert lists["CQIMTears"] == (
        "CQIMDQ14", "CQIMDQ15", "CQIMDQ16", "CQIMDQ18", "CQIMDQ20", "CQIMDQ21",
    )  # fmt: skip
    assert lists["CQIMPPH"] == ("CQIMDQ10", "CQIMDQ11", "CQIMDQ12", "CQIMDQ13")
    assert all(lists.values())
    # Removed from NHS England's pipeline on 2023-09-06.
    assert not {"CQIMDQ19", "CQIMDQ35", "CQIMDQ40", "CQIMDQ41", "CQIMDQ42"} & set(GATES)
    windows = {m.id: (m.adj_start, m.length) for m in GATES.values()}
    assert windows["CQIMDQ13"] == windows["CQIMDQ21"] == (6, 6)
    assert windows["CQIMDQ10"] == (3, 3)
    assert windows["CQIMDQ02"] == (1, 1)


def test_a_critical_incident_counts_in_the_haemorrhage_check_with_or_without_a_bleed() -> None:
    # DQ11 (at most 60%) over January to March for reporting month April: of 10 women, 4 bled
    # 500 ml or more and 3 others had a critical incident only: 7 of 10, published 5 of 10.
    women = (
        _babies("2026-02", 4, blood_loss_ml=600)
        + _babies("2026-02", 3, start=4, blood_loss_ml=300, maternal_critical_incidents=1)
        + _babies("2026-02", 3, start=7, blood_loss_ml=300, maternal_critical_incidents=0)
    )
    births = _births(women)
    april = pd.Period("2026-04", "M")
    results = quality_results(
        births, [GATES["CQIMDQ11"], GATES["CQIMDQ12"]], births["site_code"].str[:3], [april], {}
    )
    assert results[("CQIMDQ11", "ZZ1", april)].numerator == 7
    assert results[("CQIMDQ11", "ZZ1", april)].passed  # 5 of 10 as checked: 0.5
    assert results[("CQIMDQ12", "ZZ1", april)].numerator == 3  # the incidents alone


def test_a_failure_against_hes_reads_in_words_with_the_ratio_checked() -> None:
    births = _births(_babies("2026-03", 30))
    cqims = [c for c in load_cqims() if c.id == "CQIMPreterm"]  # DQ09, 22, 23
    (march,) = national_figures(
        births, cqims, date(2026, 3, 1), date(2026, 3, 31), hes_deliveries={"ZZ1": 730}
    )
    # 30 women against 62 (730 a year over March's 31 days), checked as 30 of 60.
    assert march.reason.startswith(
        "data quality: CQIMDQ09 failed (women giving birth in the month, against HES average "
        "monthly deliveries: 50.0%, needs at least 70.0%)"
    )


def test_a_robson_group_is_not_computed_where_the_input_carries_no_caesarean_history() -> None:
    # The reference extract records parity but never previous caesareans or stillbirths: read
    # as NHS England reads "not recorded", every first-time mother would be "no previous births".
    first_births = _babies(
        "2026-06", 20, parity=0, presentation="cephalic", gestation_days=280,
        onset_of_labour="induced", mode_of_birth="emergency_caesarean",
    )  # fmt: skip
    cqims = [c for c in load_cqims() if c.id == "CQIMRobson02"]
    (june,) = national_figures(_births(first_births), cqims, date(2026, 6, 1), date(2026, 6, 30))
    assert not june.published
    assert june.reason == (
        "not computed: no record at the provider gives previous caesareans or previous "
        "stillbirths (its input does not carry them)"
    )
    # One record holding them is enough: the rest are then "not recorded", as published.
    first_births[0] |= {"previous_caesareans": 0, "previous_stillbirths": 0}
    (june,) = national_figures(_births(first_births), cqims, date(2026, 6, 1), date(2026, 6, 30))
    assert (june.numerator, june.denominator) == (20, 20)
    assert "not computed" not in june.reason
