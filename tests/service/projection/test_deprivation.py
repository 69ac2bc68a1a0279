"""Postcode → LSOA → IMD: every postcode gets a status, and only a matched one gets a decile."""

from __future__ import annotations

import pytest

from service.projection.deprivation import (
    NO_TABLES,
    DeprivationTables,
    normalise_postcode,
    outward_code,
)

TABLES = DeprivationTables(
    lsoa_of_postcode={"QX1 2AB": "E01990001", "QX9 9ZZ": "E01990099"},
    decile_of_lsoa={"E01990001": 3},
    version="postcode_lsoa.csv sha256:abc; imd.csv sha256:def",
)


@pytest.mark.parametrize(
    ("written", "normalised"),
    [("qx12ab", "QX1 2AB"), (" QX1  2AB ", "QX1 2AB"), ("QX12 3CD", "QX12 3CD"), ("", None)],
)
def test_postcodes_are_compared_in_the_ons_form(written: str, normalised: str | None) -> None:
    assert normalise_postcode(written) == normalised


def test_a_known_postcode_gets_its_lsoa_decile_and_quintile() -> None:
    found = TABLES.lookup("qx1 2ab")
    assert (found.status, found.lsoa_code, found.imd_decile, found.imd_quintile) == (
        "matched",
        "E01990001",
        3,
        2,
    )


@pytest.mark.parametrize(("decile", "quintile"), [(1, 1), (2, 1), (3, 2), (9, 5), (10, 5)])
def test_quintile_1_is_the_most_deprived_fifth(decile: int, quintile: int) -> None:
    tables = DeprivationTables({"QX1 2AB": "E1"}, {"E1": decile}, "v")
    assert tables.lookup("QX1 2AB").imd_quintile == quintile


@pytest.mark.parametrize(
    ("postcode", "status"),
    [
        ("ZZ99 3VZ", "pseudo_postcode"),  # no fixed abode
        ("zz993cz", "pseudo_postcode"),  # overseas, however it was typed
        ("QX5 5XX", "postcode_not_found"),  # out of area
        ("QX9 9ZZ", "postcode_not_found"),  # LSOA without a decile
        (None, "no_postcode"),
        ("  ", "no_postcode"),
    ],
)
def test_an_unplaceable_postcode_gets_its_own_status_and_no_decile(
    postcode: str | None, status: str
) -> None:
    found = TABLES.lookup(postcode)
    assert found.status == status
    assert found.imd_decile is None
    assert found.imd_quintile is None


def test_without_reference_tables_the_status_says_so() -> None:
    assert NO_TABLES.lookup("QX1 2AB").status == "no_reference_table"
    assert NO_TABLES.lookup("ZZ99 3VZ").status == "pseudo_postcode"


def test_only_the_district_is_shown() -> None:
    assert outward_code("qx12ab") == "QX1"
    assert outward_code(None) is None
