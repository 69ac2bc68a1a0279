"""The indicator catalogue is data: every indicator of the domain catalogue
(../shared/domain/indicators.md) is declared once, and a mistake in the file is one clear error
naming the indicator and the field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.indicators.catalogue import CATALOGUE_FILE, CatalogueError, load_catalogue, parse
from service.indicators.projection_frames import FIELDS_BY_TABLE

# The ids of the table in indicators.md.
DOMAIN_INDICATORS = {
    "preterm_birth", "low_birth_weight_term", "stillbirth", "neonatal_death", "oasi",
    "pph_1500", "apgar_lt7_term", "breast_milk_first_feed", "breast_milk_nnu_discharge",
    "breastfeeding_6_8_weeks", "smoking_at_booking", "smoking_at_delivery", "obesity_at_booking",
    "early_booking", "caesarean_emergency", "term_nnu_admission", "hie_moderate_severe",
    "brain_injury", "pmh_referral", "mood_screen_positive_referred",
}  # fmt: skip


def document() -> dict[str, Any]:
    return yaml.safe_load(CATALOGUE_FILE.read_text())


def test_every_domain_indicator_is_declared_with_its_direction_and_unit() -> None:
    catalogue = load_catalogue()
    assert set(catalogue.indicators) == DOMAIN_INDICATORS
    assert catalogue.indicators["breast_milk_first_feed"].better == "higher"
    assert catalogue.indicators["caesarean_emergency"].improvement == "neutral"
    assert catalogue.indicators["stillbirth"].per == 1000
    assert catalogue.indicators["smoking_at_delivery"].unit.one_row_per == "delivery_id"
    assert catalogue.stratifications["imd_quintile"].reference == "5"
    assert catalogue.stratifications["ethnic_group"].reference == "White"


def test_adding_an_indicator_is_a_data_change() -> None:
    changed = document()
    changed["indicators"].append(
        {
            "id": "induction_of_labour",
            "title": "Induction of labour",
            "description": "Births after induced labour.",
            "unit": "mother",
            "population": {"delivery_id": {"recorded": True}},
            "gate_fields": ["onset_of_labour"],
            "numerator": {"onset_of_labour": "induced"},
            "per": 100,
            "better": "neutral",
            "topic": "birth_outcomes",
        }
    )
    catalogue = parse(changed, FIELDS_BY_TABLE)
    assert catalogue.indicators["induction_of_labour"].gate_fields == ("onset_of_labour",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["indicators"][0]["numerator"].update(gestation_dayz=1),
         "indicator preterm_birth: numerator: unknown field 'gestation_dayz'"),
        (lambda d: d["indicators"][0]["numerator"].update(gestation_days={"over": 3}),
         "indicator preterm_birth: numerator: gestation_days: a test is one of"),
        (lambda d: d["indicators"][0].update(per=10), "indicator preterm_birth: per must be"),
        (lambda d: d["indicators"][0].update(better="up"), "better must be lower, higher"),
        (lambda d: d["indicators"][0].update(unit="family"), "indicator preterm_birth: missing"),
        (lambda d: d["indicators"][0].update(extra_stratifications=["religion"]),
         "unknown stratification 'religion'"),
        (lambda d: d["indicators"].append(copy.deepcopy(d["indicators"][0])), "declared twice"),
        (lambda d: d["indicators"][0]["denominator"].update(gestation_days={"between": [1]}),
         "between takes [low, high]"),
        (lambda d: d["indicators"][0].update(target={"value": "six", "source": "NHS"}),
         "indicator preterm_birth: target: value must be a number"),
        (lambda d: d["indicators"][0].update(target={"value": 60}),
         "indicator preterm_birth: target: source must say whose ambition it is"),
        (lambda d: d["indicators"][0].update(better="neutral"),
         "indicator preterm_birth: a target needs a direction"),
    ],
)  # fmt: skip
def test_a_mistake_names_the_indicator_and_the_field(change: Any, message: str) -> None:
    broken = document()
    change(broken)
    with pytest.raises(CatalogueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse(broken, FIELDS_BY_TABLE)


def test_an_unreadable_file_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text("indicators: [unclosed")
    with pytest.raises(CatalogueError, match=r"catalogue\.yaml"):
        load_catalogue.__wrapped__(path)
