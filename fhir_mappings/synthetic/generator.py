"""Generate the three source extracts, the reference tables and the truth, from a seed.

Pure: the same spec gives the same frames, byte for byte once written. Each stage draws from its
own random stream (spawned from the seed), so changing one stage does not reshuffle the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fhir_mappings.synthetic import extracts, geography, identifiers, truth
from fhir_mappings.synthetic.births import add_pregnancy_and_labour, expand_to_babies
from fhir_mappings.synthetic.defects import DefectedExtract, plant_defects
from fhir_mappings.synthetic.events import INJECTED_EVENTS, InjectedEvent
from fhir_mappings.synthetic.health_visiting import generate_contacts
from fhir_mappings.synthetic.mothers import generate_deliveries
from fhir_mappings.synthetic.neonatal import as_extracted_on, generate_episodes
from fhir_mappings.synthetic.obstetric_history import obstetric_history
from fhir_mappings.synthetic.population import CITY, Population
from fhir_mappings.synthetic.spec import SynthesisSpec

GENERATOR_VERSION = 1
STAGES = ("city", "mothers", "births", "neonatal", "health visiting", "extracts", "defects")


@dataclass(frozen=True)
class SyntheticExtracts:
    spec: SynthesisSpec
    extracts: dict[str, DefectedExtract]  # maternity, neonatal, health_visiting
    # Per delivery, what only the national tables carry (MSDS: previous caesareans, …).
    obstetric_history: pd.DataFrame
    postcode_lookup: pd.DataFrame
    imd_file7: pd.DataFrame
    # Each provider's deliveries a year, as HES would count them (NHS England's layout).
    hes_deliveries: pd.DataFrame
    truth: dict[str, Any]

    def defect_manifest(self) -> pd.DataFrame:
        return pd.concat(
            [e.manifest.assign(extract=name) for name, e in self.extracts.items()],
            ignore_index=True,
        )[["extract", "row_number", "key", "kind", "column", "clean_value", "defective_value"]]


def generate(
    spec: SynthesisSpec,
    *,
    events: tuple[InjectedEvent, ...] = INJECTED_EVENTS,
    on_stage: Callable[[str], None] = lambda stage: None,
) -> SyntheticExtracts:
    population = CITY.without_inequalities() if spec.nothing_planted else CITY
    events = () if spec.nothing_planted else events
    streams = iter(np.random.default_rng(s) for s in np.random.SeedSequence(spec.seed).spawn(16))
    month_starts = pd.date_range(f"{spec.start}-01", periods=spec.years * 12, freq="MS")
    extract_date = month_starts[-1] + pd.offsets.MonthEnd(1)
    month_count = len(month_starts)

    on_stage("city")
    city = geography.build_city(next(streams))

    on_stage("mothers")
    deliveries = generate_deliveries(
        next(streams),
        city,
        births_per_year=spec.births_per_year,
        month_starts=month_starts,
        events=events,
        population=population,
    )
    _mother_identifiers(next(streams), deliveries)

    on_stage("births")
    deliveries = add_pregnancy_and_labour(
        next(streams), deliveries, month_count=month_count, events=events, population=population
    )
    babies = expand_to_babies(next(streams), deliveries, population)
    _baby_identifiers(next(streams), babies)

    on_stage("neonatal")
    episodes = generate_episodes(
        next(streams), babies, month_count=month_count, events=events, population=population
    )
    _episode_columns(next(streams), episodes)

    on_stage("health visiting")
    contacts = generate_contacts(
        next(streams),
        babies,
        episodes,
        extract_date=extract_date,
        postcodes=city.postcodes["postcode"].to_numpy(),
        population=population,
    )
    _contact_columns(next(streams), contacts, babies)

    on_stage("extracts")
    episodes = as_extracted_on(episodes, extract_date)
    sources = {"maternity": babies, "neonatal": episodes, "health_visiting": contacts}
    rendered = {
        name: extracts.render(sources[name], layout)
        for name, (_, layout, _) in extracts.EXTRACTS.items()
    }

    on_stage("defects")
    defect_stream = next(streams)
    defected = {
        name: plant_defects(
            defect_stream,
            name,
            frame,
            rate=spec.defect_rate,
            key_column=extracts.EXTRACTS[name][2],
            extract_date=extract_date,
        )
        for name, frame in rendered.items()
    }
    births = _births_with_outcomes(babies, episodes, contacts)
    return SyntheticExtracts(
        spec=spec,
        extracts=defected,
        # Last, from its own stream: nothing above changes with it.
        obstetric_history=obstetric_history(next(streams), babies),
        postcode_lookup=city.postcode_lookup(),
        imd_file7=city.imd_file7(),
        hes_deliveries=_hes_deliveries(deliveries, spec.years),
        truth=_truth(
            spec, month_starts, extract_date, events, births, deliveries, defected, population
        ),
    )


def _hes_deliveries(deliveries: pd.DataFrame, years: int) -> pd.DataFrame:
    """The region's deliveries per provider (the trust part of the site code) and year."""
    per_provider = deliveries["site_code"].str[:3].value_counts().sort_index()
    return pd.DataFrame(
        {
            "OrgCodeProviderMerge": per_provider.index,
            "TotalDeliveries_HES": (per_provider.to_numpy() / years).round().astype(int),
        }
    )


def _mother_identifiers(rng: np.random.Generator, deliveries: pd.DataFrame) -> None:
    n = len(deliveries)
    deliveries["episode_id"] = [f"E3{i:08d}" for i in range(1, n + 1)]
    numbers = identifiers.nhs_numbers(rng, n)
    unknown = rng.random(n) < 0.005  # blank when not known, as the format allows
    deliveries["mother_nhs_number"] = np.where(unknown, "", numbers)
    deliveries["mother_local_id"] = identifiers.local_ids(rng, "RM", n)


def _baby_identifiers(rng: np.random.Generator, babies: pd.DataFrame) -> None:
    n = len(babies)
    babies["baby_nhs_number"] = identifiers.nhs_numbers(rng, n)
    babies["baby_local_id"] = identifiers.local_ids(rng, "RB", n)
    age = (babies["birth_datetime"].dt.normalize() - babies["mother_dob"]).dt.days / 365.25
    babies["mother_age_years"] = np.floor(age).astype(int)


def _episode_columns(rng: np.random.Generator, episodes: pd.DataFrame) -> None:
    episodes["badger_episode_id"] = identifiers.local_ids(rng, "BN", len(episodes), digits=8)
    episodes["gestation_weeks"] = episodes["gestation_days"] // 7
    episodes["gestation_extra_days"] = episodes["gestation_days"] % 7


def _contact_columns(
    rng: np.random.Generator, contacts: pd.DataFrame, babies: pd.DataFrame
) -> None:
    contacts["contact_id"] = identifiers.local_ids(rng, "HV", len(contacts), digits=8)
    baby = babies.loc[contacts["baby_row"]]
    contacts["child_nhs_number"] = np.where(
        contacts["child_born"], baby["baby_nhs_number"].to_numpy(), ""
    )
    contacts["mother_nhs_number"] = baby["mother_nhs_number"].to_numpy()


def _births_with_outcomes(
    babies: pd.DataFrame, episodes: pd.DataFrame, contacts: pd.DataFrame
) -> pd.DataFrame:
    review = contacts[contacts["contact_type"] == "six_to_eight_week_review"]
    feeding = review.drop_duplicates("baby_row").set_index("baby_row")["infant_feeding"]
    return babies.assign(
        nnu_admitted=babies.index.isin(episodes["baby_row"]),
        feeding_6_8_weeks=feeding.reindex(babies.index).fillna(""),
    )


def _truth(
    spec: SynthesisSpec,
    month_starts: pd.DatetimeIndex,
    extract_date: pd.Timestamp,
    events: tuple[InjectedEvent, ...],
    births: pd.DataFrame,
    deliveries: pd.DataFrame,
    defected: dict[str, DefectedExtract],
    population: Population,
) -> dict[str, Any]:
    return {
        "generator": {"version": GENERATOR_VERSION, **spec.model_dump()},
        "period": {
            "first_month": month_starts[0].strftime("%Y-%m"),
            "last_month": month_starts[-1].strftime("%Y-%m"),
            "extract_date": extract_date.strftime("%Y-%m-%d"),
        },
        "counts": {
            "deliveries": len(deliveries),
            "babies": len(births),
            "twin_deliveries": int((deliveries["plurality"] == 2).sum()),
            "extract_rows": {name: len(e.frame) for name, e in defected.items()},
            "out_of_area_deliveries": int(deliveries["out_of_area"].sum()),
            "pseudo_postcode_deliveries": int(deliveries["postcode"].str.startswith("ZZ99").sum()),
        },
        "injected_events": [
            truth.event_truth(event, births, month_starts)
            for event in events
            if event.start_month_index(len(month_starts)) < len(month_starts)
        ],
        "rates": truth.rates(births),
        "planted_inequalities": truth.planted_inequalities(births, population),
        "defects": {
            "row_defect_rate": spec.defect_rate,
            "by_extract": {
                name: e.manifest["kind"].value_counts().sort_index().to_dict()
                for name, e in defected.items()
            },
            "file_defects": {name: e.file_defects for name, e in defected.items()},
        },
    }
