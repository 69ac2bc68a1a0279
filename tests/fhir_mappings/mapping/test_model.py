"""Mapping files load, and a wrong one fails with one message naming what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fhir_mappings.mapping.model import (
    DEFAULT_MAPPINGS,
    MappingError,
    default_mapping,
    load_mapping,
)

DEFAULTS = Path(__file__).resolve().parents[3] / "fhir_mappings" / "mapping" / "defaults"


@pytest.mark.parametrize("source", list(DEFAULT_MAPPINGS))
def test_the_default_mappings_load(source: str) -> None:
    mapping = default_mapping(source)
    assert mapping.source_system == source
    assert len(mapping.sha256) == 64


def edited(tmp_path: Path, change: dict[str, object], drop: str | None = None) -> Path:
    document = yaml.safe_load((DEFAULTS / "maternity_births_v1.yaml").read_text())
    for dotted, value in change.items():
        node = document
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    if drop:
        del document["columns"][drop]
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.mark.parametrize(
    ("change", "drop", "message"),
    [
        (
            {"columns.birth_weight_g.target": "baby.weight"},
            None,
            "column 'birth_weight_g': unknown target 'baby.weight' for maternity",
        ),
        (
            {"columns.birth_weight_g.parser": "grams"},
            None,
            "column 'birth_weight_g': unknown parser 'grams'",
        ),
        (
            {"columns.birth_weight_g.colour": "blue"},
            None,
            "column 'birth_weight_g': unknown setting 'colour'",
        ),
        (
            {"columns.birth_weight_g.parser": "date"},
            None,
            "column 'birth_weight_g': parser 'date' cannot fill target 'baby.birth_weight_g'",
        ),
        (
            {"columns.birth_weight_g.unit": "stone"},
            None,
            "column 'birth_weight_g': unit 'stone' cannot be converted to g",
        ),
        (
            {"columns.mode_of_birth.codes": {"SVD": "normal"}},
            None,
            "column 'mode_of_birth': code map sends to 'normal', not in the mode_of_birth "
            "value set",
        ),
        (
            {"columns.mode_of_birth.codes": "modes"},
            None,
            "column 'mode_of_birth': unknown code map 'modes'",
        ),
        (
            {"columns.apgar_5min.target": "baby.birth_weight_g"},
            None,
            "column 'birth_weight_g': target 'baby.birth_weight_g' is already filled by column "
            "'apgar_5min'",
        ),
        ({"checks": ["stillbirth_with_apgar", "moon_phase"]}, None, "unknown check 'moon_phase'"),
        (
            {},
            "apgar_5min",
            "check 'stillbirth_with_apgar' needs the target 'baby.apgar_5min', which no column",
        ),
        ({"key": "baby.nhs"}, None, "key 'baby.nhs' is not the target of any column"),
        ({"source_system": "radiology"}, None, "source_system: Input should be"),
        ({"fruit": "apple"}, None, "unknown setting 'fruit'"),
    ],
)
def test_a_wrong_mapping_names_what_is_wrong(
    tmp_path: Path, change: dict[str, object], drop: str | None, message: str
) -> None:
    with pytest.raises(MappingError) as raised:
        load_mapping(edited(tmp_path, change, drop))
    assert str(raised.value).startswith(f"mapping mine.yaml: {message}")
    assert "\n" not in str(raised.value)


def test_an_unreadable_or_malformed_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="cannot read mapping"):
        load_mapping(tmp_path / "absent.yaml")
    (tmp_path / "bad.yaml").write_text("columns: [unclosed")
    with pytest.raises(MappingError, match=r"mapping bad\.yaml: not valid YAML"):
        load_mapping(tmp_path / "bad.yaml")
