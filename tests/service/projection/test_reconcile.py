"""Choosing a value per field by precedence, and reporting disagreements beyond tolerance."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.errors import ConfigurationError
from service.projection.precedence import load_precedence
from service.projection.reconcile import choose, disagreements

DEFAULT = load_precedence()


def test_birth_weight_prefers_the_neonatal_system_by_default() -> None:
    chosen = choose("birth_weight_g", {"maternity": 3000, "neonatal": 3400}, DEFAULT)
    assert chosen is not None
    assert (chosen.value, chosen.source) == (3400, "neonatal")


def test_a_system_without_a_value_gives_way_to_the_next() -> None:
    chosen = choose("birth_weight_g", {"maternity": 3000, "neonatal": None}, DEFAULT)
    assert chosen is not None
    assert chosen.source == "maternity"


def test_an_unknown_ethnicity_gives_way_to_a_stated_one() -> None:
    chosen = choose("ethnic_category", {"maternity": "Z", "neonatal": "H"}, DEFAULT)
    assert chosen is not None
    assert (chosen.value, chosen.source) == ("H", "neonatal")
    assert (
        disagreements("ethnic_category", {"maternity": "Z", "neonatal": "H"}, chosen, DEFAULT) == []
    )


def test_a_system_the_file_does_not_know_follows_the_listed_ones() -> None:
    chosen = choose("birth_weight_g", {"other": 3100, "maternity": 3000}, DEFAULT)
    assert chosen is not None
    assert chosen.source == "maternity"


@pytest.mark.parametrize(
    ("maternity", "neonatal", "reported"),
    [
        (3000, 3100, False),  # 100 g: not more than 100 g
        (3000, 3151, True),  # 151 g and 5.03%: beyond both
        (1500, 1610, True),  # 110 g and 7.3%
        (4000, 4150, False),  # 150 g but only 3.75%
        (800, 880, False),  # 10% but only 80 g
    ],
)
def test_birth_weights_disagree_beyond_100_g_and_5_percent(
    maternity: int, neonatal: int, reported: bool
) -> None:
    candidates = {"maternity": maternity, "neonatal": neonatal}
    found = disagreements(
        "birth_weight_g", candidates, choose("birth_weight_g", candidates, DEFAULT), DEFAULT
    )
    assert bool(found) is reported


@pytest.mark.parametrize(("gap", "reported"), [(6, False), (7, True), (-7, True)])
def test_gestations_disagree_beyond_6_days(gap: int, reported: bool) -> None:
    candidates = {"maternity": 266, "neonatal": 266 + gap}
    chosen = choose("gestation_days", candidates, DEFAULT)
    assert bool(disagreements("gestation_days", candidates, chosen, DEFAULT)) is reported


def test_a_disagreement_names_both_systems_and_values_and_the_choice() -> None:
    candidates = {"maternity": 3000, "neonatal": 3400}
    chosen = choose("birth_weight_g", candidates, DEFAULT)
    [found] = disagreements("birth_weight_g", candidates, chosen, DEFAULT)
    assert found.issue == "cross_source_birth_weight"
    assert found.message == (
        "birth weight differs between neonatal (3,400 g) and maternity (3,000 g); "
        "the analytic layer uses neonatal by precedence"
    )


def test_postcodes_are_compared_whole_but_shown_as_districts() -> None:
    candidates = {"maternity": "QX1 2AB", "neonatal": "qx12ab", "health_visiting": "QX7 1CD"}
    chosen = choose("postcode", candidates, DEFAULT)
    # Health visiting records later moves, so it is not compared; the same postcode typed
    # differently is not a disagreement.
    assert disagreements("postcode", candidates, chosen, DEFAULT) == []
    candidates["neonatal"] = "QX3 4EF"
    [found] = disagreements("postcode", candidates, chosen, DEFAULT)
    assert "QX1 " not in found.message
    assert "2AB" not in found.message
    assert "(QX1)" in found.message
    assert "(QX3)" in found.message


def test_a_precedence_file_can_reverse_the_choice(tmp_path: Path) -> None:
    mine = tmp_path / "precedence.yaml"
    mine.write_text(
        "fields:\n"
        "  birth_weight_g:\n"
        "    label: birth weight\n"
        "    precedence: [maternity, neonatal]\n"
    )
    chosen = choose("birth_weight_g", {"maternity": 3000, "neonatal": 3400}, load_precedence(mine))
    assert chosen is not None
    assert chosen.source == "maternity"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "fields:\n  weight:\n    label: w\n    precedence: [maternity]\n",
            "unknown field 'weight'",
        ),
        (
            "fields:\n  birth_weight_g:\n    label: w\n    precedence: [maternity, lab]\n",
            "fields.birth_weight_g.precedence.1",
        ),
        ("fields: [unclosed\n", "is not valid YAML"),
        ("- a list\n", "expected a mapping with `fields`"),
    ],
)
def test_a_bad_precedence_file_is_refused_in_one_line(
    tmp_path: Path, text: str, message: str
) -> None:
    mine = tmp_path / "precedence.yaml"
    mine.write_text(text)
    with pytest.raises(ConfigurationError) as raised:
        load_precedence(mine)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
