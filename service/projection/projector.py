"""FHIR resources of some families → analytic rows: one per baby born, one per health-visiting
contact, one per perinatal mental health referral, and the data-quality issues found linking them.

Pure: the resources, the linkage identities, the reference tables and the precedence rules come
in; rows come out. Nothing here knows which extract a resource came from except through
`meta.source`, so resources another system posts count exactly like those from extracts.

A **birth** is a baby with a delivery: an Encounter coded `delivery` that one of the baby's birth
Observations points at. The delivery's subject is the mother; what was recorded at it (booking
BMI, smoking, mode of birth, blood loss, tears, referral) belongs to that birth. Everything else
known about the same baby in other systems (the neonatal unit stay, the 6–8 week review) or about
the same mother (ethnicity, language, postcode) is joined through the linkage keys and reconciled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fhir_mappings.ethnicity import BROAD_GROUP
from fhir_mappings.fhir import codes
from fhir_mappings.fhir.reading import (
    coded_value,
    concept_names,
    extension_value,
    fhir_date,
    reference_id,
    source_system,
)
from service.projection.deprivation import Deprivation, DeprivationTables
from service.projection.facts import (
    BABY_CONDITIONS,
    BABY_OBSERVATIONS,
    BABY_PROCEDURES,
    CONTACT_OBSERVATIONS,
    DELIVERY_OBSERVATIONS,
    DELIVERY_PROCEDURES,
    MOTHER_OBSERVATIONS,
    FactLine,
    observation_value,
)
from service.projection.identity import Identity
from service.projection.precedence import Precedence
from service.projection.reconcile import Choice, Disagreement, choose, disagreements, shown_value

Resource = dict[str, Any]
Candidates = dict[str, dict[str, Any]]  # field → source system → value
AGE_BANDS = ((20, "<20"), (25, "20-24"), (30, "25-29"), (35, "30-34"), (40, "35-39"))
NEONATAL_PERIOD_DAYS = 28
NOT_KNOWN_GROUP = BROAD_GROUP["99"]


@dataclass
class Projection:
    births: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    referrals: list[dict[str, Any]] = field(default_factory=list)
    bookings: list[dict[str, Any]] = field(default_factory=list)  # those without a birth
    issues: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class MotherView:
    """A mother's reconciled characteristics, and the choices behind them."""

    values: dict[str, Any]
    choices: dict[str, Choice]
    deprivation: Deprivation

    @property
    def ethnic_group(self) -> str:
        category = self.values.get("ethnic_category")
        return BROAD_GROUP.get(category, NOT_KNOWN_GROUP) if category else NOT_KNOWN_GROUP


class _Index:
    """The resources of the families being projected, indexed the ways the projection asks."""

    def __init__(self, resources: Iterable[Resource], identities: Sequence[Identity]) -> None:
        self.patients: dict[str, Resource] = {}
        self.encounters: dict[str, Resource] = {}
        self.by_subject: dict[str, list[Resource]] = defaultdict(list)
        self.by_encounter: dict[str, list[Resource]] = defaultdict(list)
        self.referrals: list[Resource] = []
        self._kinds: dict[str, set[str]] = {}
        for resource in resources:
            kind = resource["resourceType"]
            if kind == "Patient":
                self.patients[resource["id"]] = resource
                continue
            if kind == "Encounter":
                self.encounters[resource["id"]] = resource
            subject = reference_id(resource.get("subject"), "Patient")
            if subject:
                self.by_subject[subject].append(resource)
            encounter = reference_id(resource.get("encounter"), "Encounter")
            if encounter:
                self.by_encounter[encounter].append(resource)
            if kind == "ServiceRequest" and "pmh-referral" in concept_names(resource.get("code")):
                self.referrals.append(resource)
        self.identity = {i.patient_id: i for i in identities if i.patient_id in self.patients}
        self.mothers_of_person: dict[str, list[Resource]] = defaultdict(list)
        self.babies_of_person: dict[str, list[str]] = defaultdict(list)
        for identity in self.identity.values():
            if identity.role == "mother":
                self.mothers_of_person[identity.person_key].append(
                    self.patients[identity.patient_id]
                )
            else:
                self.babies_of_person[identity.person_key].append(identity.patient_id)

    def dated_encounters(self, kind: str) -> Iterator[tuple[Resource, date, Identity]]:
        """The encounters of a kind with a start date and a subject the linkage knows."""
        for encounter in self.encounters.values():
            if kind not in self.encounter_kind(encounter["id"]):
                continue
            start = fhir_date((encounter.get("period") or {}).get("start"))
            subject = reference_id(encounter.get("subject"), "Patient") or ""
            identity = self.identity.get(subject)
            if start is not None and identity is not None:
                yield encounter, start, identity

    def encounter_kind(self, encounter_id: str | None) -> set[str]:
        known = self._kinds.get(encounter_id or "")
        if known is None:
            encounter = self.encounters.get(encounter_id or "")
            types = (encounter or {}).get("type") or []
            known = self._kinds[encounter_id or ""] = set().union(*map(concept_names, types))
        return known


def project(
    identities: Sequence[Identity],
    resources: Iterable[Resource],
    *,
    tables: DeprivationTables,
    precedence: Precedence,
) -> Projection:
    index = _Index(resources, identities)
    projection = Projection()
    birth_of_baby: dict[str, str] = {}  # any baby Patient id → the analytic birth it belongs to
    deliveries = {
        person: _delivery_of(index, patient_ids)
        for person, patient_ids in index.babies_of_person.items()
    }
    babies_per_delivery: dict[str, int] = defaultdict(int)
    for found in deliveries.values():
        if found:
            babies_per_delivery[found[1]["id"]] += 1
    for person, patient_ids in sorted(index.babies_of_person.items()):
        found = deliveries[person]
        if found is None:
            projection.issues += _unlinked(index, patient_ids)
            continue
        anchor, delivery = found
        row, issues = _birth(
            index, patient_ids, anchor, delivery, babies_per_delivery, tables, precedence
        )
        if row is None:
            projection.issues += issues
            continue
        projection.births.append(row)
        projection.issues += issues
        for patient_id in patient_ids:
            birth_of_baby[patient_id] = row["baby_id"]
    feeding = _feeding_at_review(index, birth_of_baby)
    for row in projection.births:
        row["feeding_6_8_weeks"] = feeding.get(row["baby_id"])
    projection.contacts = _contacts(index, birth_of_baby, tables, precedence)
    projection.referrals = _referrals(index, tables, precedence)
    projection.bookings = _bookings_without_birth(index, projection.births, tables, precedence)
    return projection


# --- births -----------------------------------------------------------------------------------


def _delivery_of(index: _Index, patient_ids: list[str]) -> tuple[str, Resource] | None:
    """(baby Patient id, delivery Encounter) of the baby's birth record, preferring maternity's."""
    found = []
    for patient_id in patient_ids:
        for resource in index.by_subject.get(patient_id, ()):
            encounter_id = reference_id(resource.get("encounter"), "Encounter")
            if resource["resourceType"] == "Observation" and "delivery" in index.encounter_kind(
                encounter_id
            ):
                found.append((patient_id, index.encounters[encounter_id or ""]))
                break
    if not found:
        return None
    rank = {"maternity": 0}
    return min(found, key=lambda pair: (rank.get(source_system(pair[1]), 1), pair[0]))


def _birth(
    index: _Index,
    patient_ids: list[str],
    anchor: str,
    delivery: Resource,
    babies_per_delivery: dict[str, int],
    tables: DeprivationTables,
    precedence: Precedence,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    candidates: Candidates = defaultdict(dict)
    nnu_admitted = False
    neonatal_mothers: list[Resource] = []
    for patient_id in patient_ids:
        baby = index.patients[patient_id]
        source = source_system(baby)
        _patient_facts(baby, source, candidates)
        for resource in index.by_subject.get(patient_id, ()):
            nnu_admitted |= _baby_event(index, resource, source, candidates)
            if resource["resourceType"] == "Encounter":
                neonatal_mothers += _mothers_seen_at(index, resource["id"], patient_id, candidates)
    mother_id = reference_id(delivery.get("subject"), "Patient")
    for resource in index.by_encounter.get(delivery["id"], ()):
        if reference_id(resource.get("subject"), "Patient") == mother_id:
            _delivery_event(resource, source_system(resource), candidates)
    mother_identity = index.identity.get(mother_id or "")
    family_key = (mother_identity or index.identity[anchor]).family_key
    mothers = (
        list(index.mothers_of_person.get(mother_identity.person_key, ())) if mother_identity else []
    )
    mothers += [m for m in neonatal_mothers if m not in mothers]
    for mother in mothers:
        _mother_facts(mother, source_system(mother), candidates)

    values: dict[str, Any] = {}
    choices: dict[str, Choice] = {}
    issues: list[dict[str, Any]] = []
    for name, by_source in candidates.items():
        chosen = choose(name, by_source, precedence)
        if chosen is None:
            continue
        values[name], choices[name] = chosen.value, chosen
        issues += [
            _issue(d, anchor, family_key)
            for d in disagreements(name, by_source, chosen, precedence)
        ]
    birth_date: date | None = values.get("birth_date")
    if birth_date is None:
        return None, [
            _plain_issue(
                family_key,
                anchor,
                "birth_without_date",
                "birth_date",
                "a birth record has no birth date",
            )
        ]
    deprivation = tables.lookup(values.get("postcode"))
    age = values.get("mother_age_years")
    if values.get("mother_birth_date"):
        age = _age(values["mother_birth_date"], birth_date)
    death_date: date | None = values.get("death_date")
    live = values.get("birth_outcome", "live_birth") == "live_birth"
    row = {
        "baby_id": anchor,
        "family_key": family_key,
        "mother_id": mother_id,
        "delivery_id": delivery["id"],
        "sources": ",".join(sorted({source_system(index.patients[p]) for p in patient_ids})),
        "birth_date": birth_date,
        "birth_month": birth_date.replace(day=1),
        "site_code": _site(delivery),
        "plurality": babies_per_delivery.get(delivery["id"]) or None,
        "birth_order": values.get("birth_order") or 1,
        "birth_outcome": values.get("birth_outcome"),
        "gestation_days": values.get("gestation_days"),
        "birth_weight_g": values.get("birth_weight_g"),
        "baby_sex": values.get("baby_sex"),
        "onset_of_labour": values.get("onset_of_labour"),
        "mode_of_birth": values.get("mode_of_birth"),
        "presentation": values.get("presentation"),
        "perineal_trauma": values.get("perineal_trauma"),
        "blood_loss_ml": values.get("blood_loss_ml"),
        "maternal_critical_incidents": values.get("maternal_critical_incidents"),
        "apgar_5min": values.get("apgar_5min"),
        "first_feed": values.get("first_feed"),
        "skin_to_skin_1h": values.get("skin_to_skin_1h"),
        "mother_age_years": age,
        "age_band": _age_band(age),
        "parity": values.get("parity"),
        "previous_caesareans": values.get("previous_caesareans"),
        "previous_stillbirths": values.get("previous_stillbirths"),
        "labour_onset_date": values.get("labour_onset_date"),
        "caesarean_date": values.get("caesarean_date"),
        "ethnic_category": values.get("ethnic_category"),
        "ethnic_group": BROAD_GROUP.get(values.get("ethnic_category") or "99", NOT_KNOWN_GROUP),
        "language": values.get("language"),
        "interpreter_required": values.get("interpreter_required"),
        "lsoa_code": deprivation.lsoa_code,
        "imd_decile": deprivation.imd_decile,
        "imd_quintile": deprivation.imd_quintile,
        "deprivation_status": deprivation.status,
        "deprivation_version": tables.version if deprivation.status == "matched" else None,
        "booking_gestation_days": values.get("booking_gestation_days"),
        "bmi_at_booking": values.get("bmi_at_booking"),
        "smoking_at_booking": values.get("smoking_at_booking"),
        "smoking_at_delivery": values.get("smoking_at_delivery"),
        "smoking_at_booking_derived": values.get("smoking_at_booking_derived"),
        "smoking_at_delivery_derived": values.get("smoking_at_delivery_derived"),
        "booking_date": values.get("booking_date"),
        "mother_age_at_booking": (
            _age(values["mother_birth_date"], values["booking_date"])
            if values.get("mother_birth_date") and values.get("booking_date")
            else None
        ),
        "pmh_referral": bool(values.get("pmh_referral")),
        "pmh_referral_source": values.get("pmh_referral_source"),
        "nnu_admitted": nnu_admitted,
        "nnu_days_intensive": values.get("nnu_days_intensive"),
        "nnu_days_high_dependency": values.get("nnu_days_high_dependency"),
        "nnu_days_special": values.get("nnu_days_special"),
        "nnu_days_transitional": values.get("nnu_days_transitional"),
        "nnu_discharge_destination": values.get("nnu_discharge_destination"),
        "breast_milk_at_nnu_discharge": values.get("breast_milk_at_nnu_discharge"),
        "hie_grade": values.get("hie_grade"),
        "therapeutic_hypothermia": values.get("therapeutic_hypothermia"),
        "brain_injury": values.get("brain_injury"),
        "neonatal_death": live
        and (
            values.get("nnu_discharge_destination") == "died"
            or (death_date is not None and (death_date - birth_date).days < NEONATAL_PERIOD_DAYS)
        ),
        "feeding_6_8_weeks": None,
        "field_sources": {
            name: choice.source
            for name, choice in sorted(choices.items())
            if len(candidates[name]) > 1
        },
    }
    return row, issues


def _patient_facts(baby: Resource, source: str, candidates: Candidates) -> None:
    gender = baby.get("gender")
    if gender:
        candidates["baby_sex"][source] = gender if gender in ("male", "female") else "indeterminate"
    if fhir_date(baby.get("birthDate")):
        candidates["birth_date"][source] = fhir_date(baby.get("birthDate"))
    if baby.get("multipleBirthInteger"):
        candidates["birth_order"][source] = baby["multipleBirthInteger"]
    if baby.get("deceasedDateTime"):
        candidates["death_date"][source] = fhir_date(baby["deceasedDateTime"])


def _baby_event(index: _Index, resource: Resource, source: str, candidates: Candidates) -> bool:
    """Read one resource about the baby into `candidates`; True when it is a neonatal unit stay."""
    kind = resource["resourceType"]
    if kind == "Observation":
        encounter_id = reference_id(resource.get("encounter"), "Encounter")
        if "health-visiting-contact" in index.encounter_kind(encounter_id):
            return False  # contact facts belong to the contact row
        _observed(resource, BABY_OBSERVATIONS, source, candidates)
    elif kind == "Condition":
        for line in BABY_CONDITIONS:
            for element in ("code", "severity"):  # HIE's grade is its severity
                if (value := coded_value(resource.get(element), line.value_set or "")) is not None:
                    candidates[line.field].setdefault(source, value)
    elif kind == "Procedure":
        for name in concept_names(resource.get("code")):
            if name in BABY_PROCEDURES:
                candidates[BABY_PROCEDURES[name]][source] = True
    elif kind == "Encounter" and "neonatal-unit-admission" in index.encounter_kind(resource["id"]):
        disposition = (resource.get("hospitalization") or {}).get("dischargeDisposition")
        destination = coded_value(disposition, "discharge_destination")
        if destination:
            candidates["nnu_discharge_destination"].setdefault(source, destination)
        return True
    return False


def _observed(
    resource: Resource, lines: dict[str, FactLine], source: str, candidates: Candidates
) -> None:
    """Read an Observation through a fact table; the first value per system is kept."""
    for name in concept_names(resource.get("code")):
        line = lines.get(name)
        if line is not None and (value := observation_value(resource, line)) is not None:
            candidates[line.field].setdefault(source, value)


def _delivery_event(resource: Resource, source: str, candidates: Candidates) -> None:
    kind = resource["resourceType"]
    if kind == "Observation":
        _observed(resource, DELIVERY_OBSERVATIONS, source, candidates)
    elif kind == "Procedure":
        for line in DELIVERY_PROCEDURES:
            if (value := coded_value(resource.get("code"), line.value_set or "")) is not None:
                candidates[line.field].setdefault(source, value)
    elif kind == "ServiceRequest" and "pmh-referral" in concept_names(resource.get("code")):
        candidates["pmh_referral"][source] = True
        if referral_source := _referral_source(resource):
            candidates["pmh_referral_source"].setdefault(source, referral_source)


def _mothers_seen_at(
    index: _Index, encounter_id: str, baby_id: str, candidates: Candidates
) -> list[Resource]:
    """Mother Patients recorded at the baby's own encounter (the neonatal team's view of her),
    with what was observed about her there."""
    seen = []
    for resource in index.by_encounter.get(encounter_id, ()):
        subject = reference_id(resource.get("subject"), "Patient") or ""
        identity = index.identity.get(subject)
        if subject == baby_id or identity is None or identity.role != "mother":
            continue
        seen.append(index.patients[subject])
        _observed(resource, MOTHER_OBSERVATIONS, source_system(resource), candidates)
    return seen


def _mother_facts(mother: Resource, source: str, candidates: Candidates) -> None:
    ethnicity = extension_value(mother, codes.ETHNIC_CATEGORY_EXTENSION)
    if ethnicity:
        category = coded_value(ethnicity.get("valueCodeableConcept"), "ethnic_category")
        if category:
            candidates["ethnic_category"].setdefault(source, category)
    interpreter = extension_value(mother, codes.INTERPRETER_REQUIRED_EXTENSION)
    if interpreter and isinstance(interpreter.get("valueBoolean"), bool):
        candidates["interpreter_required"].setdefault(source, interpreter["valueBoolean"])
    if language := _language(mother):
        candidates["language"].setdefault(source, language)
    if postcode := _postcode(mother):
        candidates["postcode"].setdefault(source, postcode)
    if fhir_date(mother.get("birthDate")):
        candidates["mother_birth_date"].setdefault(source, fhir_date(mother.get("birthDate")))


def _unlinked(index: _Index, patient_ids: list[str]) -> list[dict[str, Any]]:
    """A baby the neonatal unit knows with no birth record in any system: reported, so the
    gap is visible; not counted as a birth, since its delivery is unknown."""
    issues = []
    for patient_id in patient_ids:
        in_unit = any(
            r["resourceType"] == "Encounter"
            and "neonatal-unit-admission" in index.encounter_kind(r["id"])
            for r in index.by_subject.get(patient_id, ())
        )
        if in_unit:
            identity = index.identity[patient_id]
            issues.append(
                _plain_issue(
                    identity.family_key,
                    patient_id,
                    "no_birth_record",
                    "baby",
                    f"a baby in the {identity.source_system.replace('_', '-')} record has no "
                    "matching birth record in any system",
                    source=identity.source_system,
                )
            )
    return issues


# --- bookings without a birth -----------------------------------------------------------------

BOOKING_FIELDS = (
    "booking_gestation_days", "bmi_at_booking", "smoking_at_booking",
    "smoking_at_booking_derived", "parity", "previous_caesareans", "previous_stillbirths",
)  # fmt: skip


def _bookings_without_birth(
    index: _Index,
    births: list[dict[str, Any]],
    tables: DeprivationTables,
    precedence: Precedence,
) -> list[dict[str, Any]]:
    """A row per booking Encounter whose pregnancy has no birth here: none of the mother's
    births was booked on the same day (a birth carries its booking's facts itself)."""
    booked_births = {
        (_person_of(index, birth["mother_id"]), birth["booking_date"]) for birth in births
    }
    rows = []
    mothers: dict[str, MotherView] = {}
    for encounter, booked, identity in index.dated_encounters("antenatal-booking"):
        if (identity.person_key, booked) in booked_births:
            continue
        candidates: Candidates = defaultdict(dict)
        for resource in index.by_encounter.get(encounter["id"], ()):
            if resource["resourceType"] == "Observation":
                _observed(resource, DELIVERY_OBSERVATIONS, source_system(resource), candidates)
        facts = {
            name: chosen.value
            for name, by_source in candidates.items()
            if (chosen := choose(name, by_source, precedence)) is not None
        }
        if identity.person_key not in mothers:
            mothers[identity.person_key] = _family_mother(
                index, identity.person_key, tables, precedence
            )
        mother = mothers[identity.person_key]
        born = mother.values.get("mother_birth_date")
        category = mother.values.get("ethnic_category")
        rows.append(
            {
                "booking_id": encounter["id"],
                "family_key": identity.family_key,
                "mother_id": identity.patient_id,
                "booking_date": booked,
                "booking_month": booked.replace(day=1),
                "site_code": _site(encounter),
                **{name: facts.get(name) for name in BOOKING_FIELDS},
                "mother_age_at_booking": _age(born, booked) if born else None,
                "ethnic_category": category,
                "ethnic_group": mother.ethnic_group,
                "language": mother.values.get("language"),
                "imd_decile": mother.deprivation.imd_decile,
                "imd_quintile": mother.deprivation.imd_quintile,
                "deprivation_status": mother.deprivation.status,
            }
        )
    return rows


def _person_of(index: _Index, patient_id: str | None) -> str | None:
    identity = index.identity.get(patient_id or "")
    return identity.person_key if identity else patient_id


# --- contacts and referrals --------------------------------------------------------------------


def _family_mother(
    index: _Index, family_key: str, tables: DeprivationTables, precedence: Precedence
) -> MotherView:
    candidates: Candidates = defaultdict(dict)
    for mother in index.mothers_of_person.get(family_key, ()):
        _mother_facts(mother, source_system(mother), candidates)
    values: dict[str, Any] = {}
    choices: dict[str, Choice] = {}
    for name, by_source in candidates.items():
        if (chosen := choose(name, by_source, precedence)) is not None:
            values[name], choices[name] = chosen.value, chosen
    return MotherView(values, choices, tables.lookup(values.get("postcode")))


def _contacts(
    index: _Index,
    birth_of_baby: dict[str, str],
    tables: DeprivationTables,
    precedence: Precedence,
) -> list[dict[str, Any]]:
    rows = []
    mothers: dict[str, MotherView] = {}
    referral_ids = {r["id"] for r in index.referrals}
    for encounter, contact_date, identity in index.dated_encounters("health-visiting-contact"):
        subject = identity.patient_id
        family = identity.family_key
        if family not in mothers:
            mothers[family] = _family_mother(index, family, tables, precedence)
        mother = mothers[family]
        facts: dict[str, Any] = {}
        referral_source = None
        referred = False
        for resource in index.by_encounter.get(encounter["id"], ()):
            if resource["resourceType"] == "Observation":
                for name in concept_names(resource.get("code")):
                    if (line := CONTACT_OBSERVATIONS.get(name)) is not None:
                        facts[line.field] = observation_value(resource, line)
            elif resource["resourceType"] == "ServiceRequest" and resource["id"] in referral_ids:
                referred, referral_source = True, _referral_source(resource)
        # The family's postcode and language as health visiting recorded them.
        at_contact = _contact_view(index, subject, family, tables) or mother
        rows.append(
            {
                "contact_id": encounter["id"],
                "family_key": family,
                "baby_id": birth_of_baby.get(subject),
                "contact_date": contact_date,
                "contact_month": contact_date.replace(day=1),
                "contact_type": _contact_type(encounter),
                "infant_feeding": facts.get("infant_feeding"),
                "maternal_mood_screen": facts.get("maternal_mood_screen"),
                "pmh_referral": referred,
                "pmh_referral_source": referral_source,
                "interpreter_used": facts.get("interpreter_used"),
                "ethnic_group": mother.ethnic_group,
                "language": at_contact.values.get("language") or mother.values.get("language"),
                "imd_decile": at_contact.deprivation.imd_decile,
                "imd_quintile": at_contact.deprivation.imd_quintile,
                "deprivation_status": at_contact.deprivation.status,
            }
        )
    return rows


def _contact_view(
    index: _Index, subject: str, family: str, tables: DeprivationTables
) -> MotherView | None:
    """Postcode and language from the health-visiting record of this family, if it has one."""
    records = [
        m for m in index.mothers_of_person.get(family, ()) if source_system(m) == "health_visiting"
    ] or [index.patients[subject]]
    record = records[0]
    values = {"language": _language(record), "postcode": _postcode(record)}
    if not values["postcode"]:
        return None
    return MotherView(values, {}, tables.lookup(values["postcode"]))


def _referrals(
    index: _Index, tables: DeprivationTables, precedence: Precedence
) -> list[dict[str, Any]]:
    rows = []
    mothers: dict[str, MotherView] = {}
    for referral in index.referrals:
        subject = reference_id(referral.get("subject"), "Patient") or ""
        identity = index.identity.get(subject)
        if identity is None:
            continue
        family = identity.family_key
        if family not in mothers:
            mothers[family] = _family_mother(index, family, tables, precedence)
        mother = mothers[family]
        when = fhir_date(referral.get("authoredOn"))
        born = mother.values.get("mother_birth_date")
        age = _age(born, when) if born and when else None
        rows.append(
            {
                "referral_id": referral["id"],
                "family_key": family,
                "source_system": source_system(referral),
                "referral_date": when,
                "referral_month": when.replace(day=1) if when else None,
                "referral_source": _referral_source(referral),
                "ethnic_group": mother.ethnic_group,
                "language": mother.values.get("language"),
                "imd_quintile": mother.deprivation.imd_quintile,
                "deprivation_status": mother.deprivation.status,
                "age_band": _age_band(age),
            }
        )
    return rows


def _feeding_at_review(index: _Index, birth_of_baby: dict[str, str]) -> dict[str, str]:
    feeding: dict[str, str] = {}
    for encounter in index.encounters.values():
        if _contact_type(encounter) != "six_to_eight_week_review":
            continue
        baby = birth_of_baby.get(reference_id(encounter.get("subject"), "Patient") or "")
        if baby is None:
            continue
        for resource in index.by_encounter.get(encounter["id"], ()):
            if "infant-feeding" in concept_names(resource.get("code")):
                value = observation_value(resource, CONTACT_OBSERVATIONS["infant-feeding"])
                if value:
                    feeding[baby] = value
    return feeding


# --- small readers -----------------------------------------------------------------------------


def _contact_type(encounter: Resource) -> str | None:
    for concept in encounter.get("type") or []:
        if value := coded_value(concept, "contact_type"):
            return value
    return None


def _referral_source(referral: Resource) -> str | None:
    extension = extension_value(referral, codes.REFERRAL_SOURCE_EXTENSION)
    return coded_value((extension or {}).get("valueCodeableConcept"), "pmh_referral_source")


def _language(patient: Resource) -> str | None:
    for communication in patient.get("communication") or []:
        for coding in (communication.get("language") or {}).get("coding") or []:
            if coding.get("code"):
                return str(coding["code"])
    return None


def _postcode(patient: Resource) -> str | None:
    for address in patient.get("address") or []:
        if address.get("use", "home") == "home" and address.get("postalCode"):
            return str(address["postalCode"])
    return None


def _site(delivery: Resource) -> str | None:
    identifier = (delivery.get("serviceProvider") or {}).get("identifier") or {}
    return str(identifier["value"]) if identifier.get("value") else None


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _age_band(age: int | None) -> str | None:
    if age is None:
        return None
    for upper, band in AGE_BANDS:
        if age < upper:
            return band
    return "40+"


def _issue(disagreement: Disagreement, baby_id: str, family_key: str) -> dict[str, Any]:
    return {
        "family_key": family_key,
        "baby_id": baby_id,
        "rule": disagreement.issue,
        "field": disagreement.field,
        "source_a": disagreement.chosen.source,
        "value_a": shown_value(disagreement.field, disagreement.chosen.value),
        "source_b": disagreement.other.source,
        "value_b": shown_value(disagreement.field, disagreement.other.value),
        "chosen_source": disagreement.chosen.source,
        "message": disagreement.message,
    }


def _plain_issue(
    family_key: str,
    baby_id: str,
    rule: str,
    field_name: str,
    message: str,
    source: str | None = None,
) -> dict[str, Any]:
    return {
        "family_key": family_key,
        "baby_id": baby_id,
        "rule": rule,
        "field": field_name,
        "source_a": source,
        "value_a": None,
        "source_b": None,
        "value_b": None,
        "chosen_source": None,
        "message": message,
    }
