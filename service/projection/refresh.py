"""Keep the analytic projection in step with the FHIR resources.

Every resource write queues the Patient it is about (`projection_queue`, same transaction).
`refresh` drains the queue: it re-derives those Patients' linkage identities, widens them to
their whole families (a mother, her babies, and anyone linked to them in another system), reads
those families' resources, projects them afresh and replaces their rows — all in one transaction
per chunk, so readers never see a half-projected family. `rebuild` does the same for everyone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    LargeBinary,
    Table,
    delete,
    func,
    insert,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Session, sessionmaker

from fhir_mappings.fhir.naming import CLINICAL_RESOURCE_TYPES
from service.projection.identity import MOTHERLESS_FAMILY, Identity, identities
from service.projection.precedence import Precedence
from service.projection.projector import Projection, project
from service.projection.reference_tables import deprivation_tables
from service.storage.bulk import insert_ignoring_duplicates, matching
from service.storage.models import (
    AnalyticBirth,
    AnalyticBookingWithoutBirth,
    AnalyticContact,
    AnalyticReferral,
    DataQualityIssue,
    FhirResource,
    IndicatorStaleMonth,
    PatientIdentity,
    ProjectionFamilyQueue,
    ProjectionQueue,
)
from service.storage.resource_json import unpack
from service.storage.resource_writes import compartment_of
from service.storage.types import UtcDateTime

log = logging.getLogger(__name__)
LINK_CHUNK = 5_000
FAMILY_CHUNK = 1_000
PROJECTED_TYPES = CLINICAL_RESOURCE_TYPES


@dataclass
class RefreshReport:
    """What a refresh wrote. Chunks can share a family, so ids are counted once each."""

    family_keys: set[str] = field(default_factory=set)
    birth_ids: set[str] = field(default_factory=set)
    contact_ids: set[str] = field(default_factory=set)
    referral_ids: set[str] = field(default_factory=set)
    booking_ids: set[str] = field(default_factory=set)
    issue_count: int = 0
    seconds: float = 0.0

    def add(self, projection: Projection, families: Sequence[str]) -> None:
        self.family_keys.update(families)
        self.birth_ids.update(r["baby_id"] for r in projection.births)
        self.contact_ids.update(r["contact_id"] for r in projection.contacts)
        self.referral_ids.update(r["referral_id"] for r in projection.referrals)
        self.booking_ids.update(r["booking_id"] for r in projection.bookings)
        self.issue_count += len(projection.issues)

    def counts(self) -> dict[str, int]:
        return {
            "families": len(self.family_keys),
            "births": len(self.birth_ids),
            "contacts": len(self.contact_ids),
            "referrals": len(self.referral_ids),
            "bookings_without_birth": len(self.booking_ids),
        }


def refresh(
    sessions: sessionmaker[Session],
    *,
    precedence: Precedence,
    on_families: Callable[[int], None] = lambda n: None,
) -> RefreshReport:
    """Project every family the queue names, each once; returns what was written.

    Two steps, each in bounded transactions so a crash loses nothing: link the queued patients
    (moving their families to the family queue), then project the queued families."""
    report = RefreshReport()
    started = time.perf_counter()

    def link(session: Session, patient_ids: list[str]) -> None:
        families = relink(session, patient_ids)
        insert_ignoring_duplicates(
            session, ProjectionFamilyQueue, [{"family_key": f} for f in sorted(families)]
        )

    def project_chunk(session: Session, family_keys: list[str]) -> None:
        project_families(session, family_keys, precedence=precedence, report=report)

    _drain(sessions, ProjectionQueue.patient_id, LINK_CHUNK, link)
    _drain(sessions, ProjectionFamilyQueue.family_key, FAMILY_CHUNK, project_chunk, on_families)
    report.seconds = time.perf_counter() - started
    log.info("projection refreshed: %s in %.1f s", report.counts(), report.seconds)
    return report


def _drain(
    sessions: sessionmaker[Session],
    key: InstrumentedAttribute[str],
    chunk_size: int,
    handle: Callable[[Session, list[str]], None],
    on_chunk: Callable[[int], None] = lambda n: None,
) -> None:
    """Handle a queue chunk by chunk, removing each chunk in the transaction that handled it."""
    while True:
        with sessions.begin() as session:
            chunk = list(session.scalars(select(key).order_by(key).limit(chunk_size)))
            if not chunk:
                return
            handle(session, chunk)
            for condition in matching(session, key, chunk):
                session.execute(delete(key.class_).where(condition))
        on_chunk(len(chunk))


def rebuild(
    sessions: sessionmaker[Session],
    *,
    precedence: Precedence,
    now: datetime,
    on_families: Callable[[int], None] = lambda n: None,
) -> RefreshReport:
    """Forget the projection and derive it again from every stored resource."""
    with sessions.begin() as session:
        _fill_missing_compartments(session)
        for model in (
            AnalyticBirth,
            AnalyticContact,
            AnalyticReferral,
            AnalyticBookingWithoutBirth,
            DataQualityIssue,
        ):
            session.execute(delete(model))
        session.execute(delete(PatientIdentity))
        session.execute(delete(ProjectionQueue))
        session.execute(delete(ProjectionFamilyQueue))
        session.execute(
            insert(ProjectionQueue).from_select(
                ["patient_id", "queued_at"],
                select(FhirResource.id, literal(now, UtcDateTime())).where(
                    FhirResource.resource_type == "Patient"
                ),
            )
        )
    return refresh(sessions, precedence=precedence, on_families=on_families)


def queued_patients(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ProjectionQueue)) or 0


def relink(session: Session, patient_ids: Sequence[str]) -> set[str]:
    """Re-derive these Patients' identities; returns every family they were or are now in,
    widened to the families of the same babies."""
    before = _column_values(
        session, PatientIdentity.family_key, PatientIdentity.patient_id, patient_ids
    )
    wanted = set(patient_ids)
    linkage = [
        i
        for i in identities(_resources(session, patient_ids, ("Patient", "RelatedPerson")))
        if i.patient_id in wanted
    ]
    for condition in matching(session, PatientIdentity.patient_id, list(patient_ids)):
        session.execute(delete(PatientIdentity).where(condition))
    linkage, adopted = _families_of_the_same_babies(session, linkage)
    if linkage:
        session.execute(insert(PatientIdentity), [vars(i) for i in linkage])
    return _widen(session, set(before) | adopted | {i.family_key for i in linkage})


def _families_of_the_same_babies(
    session: Session, linkage: list[Identity]
) -> tuple[list[Identity], set[str]]:
    """A baby whose record names no mother joins the family another record of the same baby
    names (a health visitor's CSDS record of a child, its birth in the maternity record), in
    whichever order the records arrive. Returns the identities and the families given up."""
    babies = [i for i in linkage if i.role == "baby"]
    motherless = [i.person_key for i in babies if i.family_key.startswith(MOTHERLESS_FAMILY)]
    known: dict[str, str] = {}
    for condition in matching(session, PatientIdentity.person_key, motherless):
        rows = session.execute(
            select(PatientIdentity.person_key, PatientIdentity.family_key)
            .where(condition)
            .where(PatientIdentity.family_key.not_like(f"{MOTHERLESS_FAMILY}%"))
            .order_by(PatientIdentity.family_key)
        )
        for person, family in rows:
            known.setdefault(person, family)
    # The motherless family each baby with a mother would give up, if one was stored: looked
    # up together (few exist), not a query per baby. The first record of a baby decides.
    joining: dict[str, str] = {}
    for baby in babies:
        if baby.family_key.startswith(MOTHERLESS_FAMILY):
            continue
        known.setdefault(baby.person_key, baby.family_key)
        joining.setdefault(f"{MOTHERLESS_FAMILY}{baby.person_key}", baby.family_key)
    given_up = set(
        _column_values(
            session, PatientIdentity.family_key, PatientIdentity.family_key, list(joining)
        )
    )
    for stale in sorted(given_up):
        session.execute(
            update(PatientIdentity)
            .where(PatientIdentity.family_key == stale)
            .values(family_key=joining[stale])
        )
    adopted = [
        replace(i, family_key=known[i.person_key])
        if i.role == "baby" and i.family_key.startswith(MOTHERLESS_FAMILY) and i.person_key in known
        else i
        for i in linkage
    ]
    return adopted, given_up


def project_families(
    session: Session,
    families: Sequence[str],
    *,
    precedence: Precedence,
    report: RefreshReport | None = None,
) -> Projection:
    members = [
        Identity(**row._asdict())
        for condition in matching(session, PatientIdentity.family_key, families)
        for row in session.execute(
            select(
                PatientIdentity.patient_id,
                PatientIdentity.source_system,
                PatientIdentity.role,
                PatientIdentity.person_key,
                PatientIdentity.family_key,
            ).where(condition)
        )
    ]
    patient_ids = [m.patient_id for m in members]
    resources = _resources(session, patient_ids, PROJECTED_TYPES)
    postcodes = [
        address.get("postalCode")
        for r in resources
        if r["resourceType"] == "Patient"
        for address in r.get("address") or []
    ]
    projection = project(
        members,
        resources,
        tables=deprivation_tables(session, postcodes),
        precedence=precedence,
    )
    _replace_rows(session, families, patient_ids, projection)
    if report is not None:
        report.add(projection, families)
    return projection


def _widen(session: Session, families: set[str]) -> set[str]:
    """Add the families of every Patient of the same babies: a baby the neonatal system records
    without its mother's number still belongs with its birth."""
    people = _column_values(
        session, PatientIdentity.person_key, PatientIdentity.family_key, sorted(families)
    )
    linked = _column_values(session, PatientIdentity.family_key, PatientIdentity.person_key, people)
    return families | set(linked)


def _replace_rows(
    session: Session, families: Sequence[str], patient_ids: Sequence[str], projection: Projection
) -> None:
    targets: list[
        tuple[type[DeclarativeBase], InstrumentedAttribute[Any], list[str], list[dict[str, Any]]]
    ] = [
        (
            AnalyticBirth,
            AnalyticBirth.baby_id,
            [r["baby_id"] for r in projection.births],
            projection.births,
        ),
        (
            AnalyticContact,
            AnalyticContact.contact_id,
            [r["contact_id"] for r in projection.contacts],
            projection.contacts,
        ),
        (
            AnalyticReferral,
            AnalyticReferral.referral_id,
            [r["referral_id"] for r in projection.referrals],
            projection.referrals,
        ),
        (
            AnalyticBookingWithoutBirth,
            AnalyticBookingWithoutBirth.booking_id,
            [r["booking_id"] for r in projection.bookings],
            projection.bookings,
        ),
        (DataQualityIssue, DataQualityIssue.baby_id, list(patient_ids), projection.issues),
    ]
    _queue_stale_months(session, families, projection)
    for model, key, keys, rows in targets:
        family_column = model.__table__.c.family_key
        for condition in matching(session, family_column, list(families)):
            session.execute(delete(model).where(condition))
        for condition in matching(session, key, keys):
            session.execute(delete(model).where(condition))
        if rows:
            # Core executemany: the ORM's bulk path costs as much again per row here.
            session.execute(insert(_table(model)), rows)


def _queue_stale_months(session: Session, families: Sequence[str], projection: Projection) -> None:
    """The months whose indicator counts these families' rows change, before and after, for the
    next incremental computation (same transaction: a committed projection is never missed)."""
    months = {r["birth_month"] for r in projection.births}
    months |= {r["contact_month"] for r in projection.contacts}
    for column in (AnalyticBirth.birth_month, AnalyticContact.contact_month):
        family_column = column.class_.__table__.c.family_key
        for condition in matching(session, family_column, list(families)):
            months.update(session.scalars(select(column).distinct().where(condition)))
    stale = [{"period": m} for m in sorted(months) if m is not None]
    if stale:
        insert_ignoring_duplicates(session, IndicatorStaleMonth, stale)


def _table(model: type[DeclarativeBase]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _resources(
    session: Session, patient_ids: Sequence[str], types: Iterable[str]
) -> list[dict[str, Any]]:
    """The current resources of these patients, parsed once with orjson (not through the ORM's
    JSON type, which costs as much again on a full refresh)."""
    found: list[dict[str, Any]] = []
    for condition in matching(session, FhirResource.compartment, list(patient_ids)):
        # `resource_type || ''` keeps the type condition off the (type, last updated) index:
        # offered that index, SQLite's planner walks every resource of the type instead of
        # probing the compartment index, and a full rebuild grew with the square of the data.
        query = select(type_coerce(FhirResource.resource, LargeBinary)).where(
            condition,
            (FhirResource.resource_type + "").in_(list(types)),
            FhirResource.deleted.is_(False),
        )
        found += [orjson.loads(unpack(stored)) for stored in session.scalars(query) if stored]
    return found


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _column_values(
    session: Session,
    wanted: InstrumentedAttribute[str],
    key: InstrumentedAttribute[str],
    values: Sequence[str],
) -> list[str]:
    found: set[str] = set()
    for condition in matching(session, key, list(values)):
        found.update(session.scalars(select(wanted).where(condition)))
    return sorted(found)


def _fill_missing_compartments(session: Session) -> None:
    """Resources written before the projection existed have no compartment yet."""
    missing = select(FhirResource.resource_type, FhirResource.id, FhirResource.resource).where(
        FhirResource.compartment.is_(None),
        FhirResource.resource_type.in_(PROJECTED_TYPES),
        FhirResource.deleted.is_(False),
    )
    updates = [
        {"resource_type": t, "id": i, "compartment": compartment}
        for t, i, resource in session.execute(missing)
        if resource and (compartment := compartment_of(resource))
    ]
    if updates:
        session.execute(update(FhirResource), updates)
