"""NHS England's breakdown groupings: each value lands in the group NHS England's code puts it
in (its CASE expressions, README "National measures"), and a measure broken down by a grouping
adds up to the measure."""

from __future__ import annotations

import pandas as pd
import pytest

from fhir_mappings.synthetic.files import write_extracts
from fhir_mappings.synthetic.generator import generate
from fhir_mappings.synthetic.national.msds import first_months, msds_tables
from fhir_mappings.synthetic.national.writing import write_tables
from fhir_mappings.synthetic.spec import SynthesisSpec
from service.indicators.projection_frames import read_frames
from service.national.breakdowns import load_breakdowns
from service.national.cqim import load_cqims, national_figures
from service.storage.engine import make_session_factory
from tests.service.national.test_cqim_parity import loaded_product

MISSING = "Missing Value / Value outside reporting parameters"


def test_ethnic_categories_group_as_published() -> None:
    ethnic = load_breakdowns()["EthnicCategoryMotherGroup"]
    births = pd.DataFrame({"ethnic_category": ["A", "c", "G", "H", "L", "P", "S", "Z", "99",
                                               None, "X"]})  # fmt: skip
    assert list(ethnic.groups_of(births)) == [
        "White", "White", "Mixed", "Asian or Asian British", "Asian or Asian British",
        "Black or Black British", "Any other ethnic group", "Not Stated", "Not known",
        MISSING, MISSING,
    ]  # fmt: skip


def test_deprivation_deciles_name_a_pseudo_postcode() -> None:
    deprivation = load_breakdowns()["DeprivationDecileAtBooking"]
    births = pd.DataFrame(
        {
            "imd_decile": pd.array([1, 2, 10, None, None], dtype="Int64"),
            "deprivation_status": ["matched", "matched", "matched", "pseudo_postcode",
                                   "postcode_not_found"],
        }
    )  # fmt: skip
    assert list(deprivation.groups_of(births)) == [
        "01 - Most deprived", "02", "10 - Least deprived",
        "Pseudo postcode recorded (includes no fixed abode or resident overseas)", MISSING,
    ]  # fmt: skip


def test_ages_at_booking_band_at_the_published_bounds() -> None:
    age = load_breakdowns()["AgeAtBookingMotherGroup"]
    births = pd.DataFrame(
        {"mother_age_at_booking": pd.array([10, 11, 19, 20, 44, 45, 60, 61, None], dtype="Int64")}
    )
    assert list(age.groups_of(births)) == [
        "Value outside reporting parameters", "Under 20", "Under 20", "20 to 24", "40 to 44",
        "45 or Over", "45 or Over", "Value outside reporting parameters", "Missing Value",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def region_births(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """A small synthetic region (every ethnic group, decile and age) loaded from MSDS."""
    where = tmp_path_factory.mktemp("breakdown_region")
    region = generate(SynthesisSpec(births_per_year=600, years=1, defect_rate=0, seed=5))
    frame = region.extracts["maternity"].frame
    tables = msds_tables(frame, resubmitted=first_months(frame), history=region.obstetric_history)
    write_tables(tables, where / "msds")
    write_extracts(region, where)  # for its postcode and IMD tables
    engine = loaded_product(where / "msds", where, reference=where / "reference")
    with make_session_factory(engine)() as session:
        births = read_frames(session)["births"]
    engine.dispose()
    return births


@pytest.mark.parametrize("breakdown_id", list(load_breakdowns()))
def test_a_measure_broken_down_adds_up_to_the_measure(
    region_births: pd.DataFrame, breakdown_id: str
) -> None:
    births = region_births
    breakdown = load_breakdowns()[breakdown_id]
    first = pd.to_datetime(births["birth_date"]).min()
    start = first.date()
    end = (first + pd.DateOffset(months=3)).date()
    whole = {(f.measure, f.org_code): f for f in national_figures(births, load_cqims(), start, end)}
    parts = national_figures(births, load_cqims(), start, end, breakdown)
    assert len({f.group for f in parts}) >= 2  # the folder spans several groups
    for (measure, org_code), figure in whole.items():
        mine = [f for f in parts if (f.measure, f.org_code) == (measure, org_code)]
        assert [f.group for f in mine] == [
            g for g in breakdown.order if g in {f.group for f in mine}
        ]
        # Each mother and baby is in one group, so the distinct counts add up.
        assert sum(f.denominator or 0 for f in mine) == (figure.denominator or 0), measure
        assert sum(f.numerator or 0 for f in mine) == (figure.numerator or 0), measure


def test_the_age_at_booking_is_the_mothers_age_on_the_booking_date(
    region_births: pd.DataFrame,
) -> None:
    booked = region_births.dropna(subset=["mother_age_at_booking", "mother_age_years"])
    assert len(booked) > 0.9 * len(region_births)
    # Booked months before the birth: the same age, or a year younger.
    gap = booked["mother_age_years"] - booked["mother_age_at_booking"]
    assert set(gap.astype(int)) <= {0, 1}
    assert (gap == 1).any()
