"""The scan for groups named by their code alone finds them, and lets their words pass."""

from __future__ import annotations

from tests.group_words import codes_as_labels, codes_in_text


def test_a_code_beside_its_stratification_is_found() -> None:
    found = codes_in_text(
        [
            "Smoking: pl (preferred language) 2.1× the English rate",
            "H (ethnic category) and 1 (Deprivation quintile (1 = most deprived))",
        ]
    )
    assert found == [
        "pl (preferred language)",
        "H (ethnic category)",
        "1 (Deprivation quintile (1 = most deprived))",
    ]


def test_words_with_the_code_beside_them_pass() -> None:
    assert (
        codes_in_text(["Polish (pl)", "Asian or Asian British: Indian (H)", "Most deprived 20%"])
        == []
    )
    assert codes_in_text(["Asian or Asian British (ethnic group)"]) == []


def test_a_label_that_is_a_code_is_found_and_numbers_only_where_they_are_groups() -> None:
    assert codes_as_labels(["Polish", "pl", "J", "1"]) == ["pl", "J", "1"]
    assert codes_as_labels(["Polish", "pl", "2025"], numbers=False) == ["pl"]
