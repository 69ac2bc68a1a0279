"""`truth.json` lists the events planted for SPC to catch, and each is visible in the extract."""

from __future__ import annotations

import pandas as pd

from tests.fhir_mappings.synthetic.conftest import WrittenDataSet
from tests.fhir_mappings.synthetic.test_inequalities import VAGINAL, significantly_higher


def event(data: WrittenDataSet, event_id: str) -> dict[str, object]:
    return next(e for e in data.truth["injected_events"] if e["id"] == event_id)


def test_truth_lists_the_injected_events_with_what_spc_should_show(
    clean_data: WrittenDataSet,
) -> None:
    events = {e["id"]: e for e in clean_data.truth["injected_events"]}
    assert set(events) == {
        "oasi_rise_asian",
        "smoking_cessation_service",
        "term_admissions_rise_site_zz102",
    }
    assert events["oasi_rise_asian"]["stratum"] == {"ethnic_group": "Asian"}
    assert events["oasi_rise_asian"]["expected_signal"] == "special_cause_concern"
    assert events["smoking_cessation_service"]["expected_signal"] == "special_cause_improvement"
    for planted in events.values():
        assert (
            clean_data.truth["period"]["first_month"]
            < planted["start_month"]
            <= clean_data.truth["period"]["last_month"]
        )
        before, after = planted["rate_before"], planted["rate_after"]
        assert before["denominator"] > 0
        assert after["denominator"] > 0


def test_the_oasi_rise_among_asian_women_is_in_the_extract(
    births: pd.DataFrame, clean_data: WrittenDataSet
) -> None:
    start = event(clean_data, "oasi_rise_asian")["start_month"]
    asian = births[
        births["mother_ethnic_category"].isin(list("HJKL"))
        & (births["plurality"] == 1)
        & births["mode_of_birth"].isin(VAGINAL)
        & (births["gestation_at_birth_days"] >= 259)
    ]
    oasi = asian["perineal_trauma"].str.match(r"^(third|fourth)_degree")
    after = asian["birth_month"] >= start
    assert significantly_higher(oasi[after], oasi[~after])

    others = births[births["mother_ethnic_category"] == "A"]
    others = others[(others["plurality"] == 1) & others["mode_of_birth"].isin(VAGINAL)]
    oasi_others = others["perineal_trauma"].str.match(r"^(third|fourth)_degree")
    later = others["birth_month"] >= start
    assert not significantly_higher(oasi_others[later], oasi_others[~later])


def test_smoking_at_delivery_steps_down_after_the_service_starts(
    births: pd.DataFrame, clean_data: WrittenDataSet
) -> None:
    start = event(clean_data, "smoking_cessation_service")["start_month"]
    recorded = births[(births["smoking_at_delivery"] != "") & (births["birth_order"] == "1")]
    smoking = recorded["smoking_at_delivery"] == "current"
    after = recorded["birth_month"] >= start
    assert significantly_higher(smoking[~after], smoking[after])


def test_term_admissions_rise_at_the_one_site(
    births: pd.DataFrame, clean_data: WrittenDataSet
) -> None:
    start = event(clean_data, "term_admissions_rise_site_zz102")["start_month"]
    admitted = set(clean_data.neonatal["baby_local_id"])
    term = births[
        (births["birth_outcome"] == "live_birth")
        & (births["plurality"] == 1)
        & (births["gestation_at_birth_days"] >= 259)
    ]
    term = term.assign(admitted=term["baby_local_id"].isin(admitted))
    site = term[term["delivery_site_code"] == "ZZ102"]
    after = site["birth_month"] >= start
    assert significantly_higher(site["admitted"][after], site["admitted"][~after])
