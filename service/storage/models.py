"""The database schema, as SQLAlchemy 2 typed models.

Three families of tables:
- **FHIR resources**, versioned: `fhir_resource` holds the current version of every resource (what
  read and search see), `fhir_resource_version` every version ever written (vread, history).
- **Ingest log**: one `ingest_run` per extract loaded, with the rows it could not accept kept whole
  in `quarantined_row` and the reasons, one per failed check, in `quarantine_reason`.
- **Analytic projection**: flat, typed rows that the indicator engine reads (one per baby, one per
  health-visiting contact, one per referral) and the data-quality issues found on the way, kept
  up to date from the FHIR resources alone, the linkage identities and the reference tables.

Migrations in `migrations/versions` create exactly this schema; a test compares the two.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from service.storage.resource_json import ResourceJson
from service.storage.types import JsonDocument, UtcDateTime

# Deterministic constraint names, so migrations can drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JsonDocument,
        datetime: UtcDateTime,
    }


class FhirResource(Base):
    """The current version of one FHIR resource (a tombstone when deleted)."""

    __tablename__ = "fhir_resource"

    resource_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer)
    last_updated: Mapped[datetime]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hash of the content without `meta`: an identical re-load is recognised without reading JSON.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # The Patient the resource is about (itself, for a Patient): how the analytic projection
    # finds everything recorded about a family without reading every resource.
    compartment: Mapped[str | None] = mapped_column(String(64))
    resource: Mapped[dict[str, Any] | None] = mapped_column(ResourceJson)

    __table_args__ = (Index(None, "resource_type", "last_updated"), Index(None, "compartment"))


class FhirResourceVersion(Base):
    """Every version of every resource, never updated in place."""

    __tablename__ = "fhir_resource_version"

    resource_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_updated: Mapped[datetime]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    method: Mapped[str] = mapped_column(String(16))  # create | update | delete
    resource: Mapped[dict[str, Any] | None] = mapped_column(ResourceJson)

    __table_args__ = (Index(None, "resource_type", "last_updated"),)


# The search index tables have one index, their primary key, which is what searches use: no
# second index by resource (random ids make it the costliest to maintain). A resource's rows are
# found again, to replace or remove them, by recomputing them from its stored JSON. On SQLite
# the tables are clustered on that key (WITHOUT ROWID): one B-tree per row written.
WITHOUT_ROWID = {"sqlite_with_rowid": False}


class SearchToken(Base):
    """A coded value a resource is findable by (`code=system|value`, `identifier=…`, `status=…`).
    The search index tables are derived from `fhir_resource` on every write; `perinatal db
    reindex` rebuilds them. `system` is '' when the value has none."""

    __tablename__ = "search_token"

    resource_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    param: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(128), primary_key=True)
    system: Mapped[str] = mapped_column(String(256), primary_key=True)
    resource_id: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = (WITHOUT_ROWID,)


class SearchReference(Base):
    """A reference a resource is findable by (`patient=…`, `subject=…`), also what `_include`
    and `_revinclude` follow."""

    __tablename__ = "search_reference"

    resource_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    param: Mapped[str] = mapped_column(String(64), primary_key=True)
    target_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    resource_id: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = (WITHOUT_ROWID,)


class SearchDate(Base):
    """A date a resource is findable by, as the range [low, high) it stands for."""

    __tablename__ = "search_date"

    resource_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    param: Mapped[str] = mapped_column(String(64), primary_key=True)
    low: Mapped[datetime] = mapped_column(primary_key=True)
    high: Mapped[datetime] = mapped_column(primary_key=True)
    resource_id: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = (WITHOUT_ROWID,)


class SearchString(Base):
    """A text a resource is findable by: `normalised` (case and accents folded) for the default
    starts-with match, `exact` for `:exact`."""

    __tablename__ = "search_string"

    resource_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    param: Mapped[str] = mapped_column(String(64), primary_key=True)
    normalised: Mapped[str] = mapped_column(String(200), primary_key=True)
    exact: Mapped[str] = mapped_column(String(200), primary_key=True)
    resource_id: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = (WITHOUT_ROWID,)


class BulkExport(Base):
    """A Bulk Data `$export` request and its progress; the NDJSON files it wrote are listed
    in `output` once it is complete."""

    __tablename__ = "bulk_export"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # running | complete | failed | cancelled
    status: Mapped[str] = mapped_column(String(16))
    request_url: Mapped[str] = mapped_column(Text)
    client_name: Mapped[str] = mapped_column(String(64))  # who asked: only they may collect it
    level: Mapped[str] = mapped_column(String(16))  # system | patient
    types: Mapped[str] = mapped_column(Text)  # comma-separated resource types
    since: Mapped[datetime | None]
    requested_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    progress: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    output: Mapped[dict[str, Any] | None]


class IngestRun(Base):
    """One extract file loaded from one source system."""

    __tablename__ = "ingest_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_system: Mapped[str] = mapped_column(String(32))  # maternity | neonatal | health_visiting
    file_name: Mapped[str] = mapped_column(String(512))
    file_sha256: Mapped[str] = mapped_column(String(64))
    mapping_name: Mapped[str] = mapped_column(String(128))
    mapping_sha256: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))  # running | succeeded | failed
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_quarantined: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    report: Mapped[dict[str, Any] | None]

    quarantined_rows: Mapped[list[QuarantinedRow]] = relationship(
        back_populates="ingest_run", cascade="all, delete-orphan"
    )

    __table_args__ = (Index(None, "source_system", "started_at"), Index(None, "file_sha256"))


class QuarantinedRow(Base):
    """A source row that failed validation, kept exactly as received so nothing is lost."""

    __tablename__ = "quarantined_row"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ingest_run_id: Mapped[int] = mapped_column(ForeignKey("ingest_run.id", ondelete="CASCADE"))
    row_number: Mapped[int] = mapped_column(Integer)  # 1-based data row, header excluded
    source_key: Mapped[str | None] = mapped_column(String(128))
    source_system: Mapped[str] = mapped_column(String(32))
    row_sha256: Mapped[str] = mapped_column(String(64))
    raw_row: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    resolved_at: Mapped[datetime | None]

    ingest_run: Mapped[IngestRun] = relationship(back_populates="quarantined_rows")
    reasons: Mapped[list[QuarantineReason]] = relationship(
        back_populates="quarantined_row", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index(None, "ingest_run_id", "row_number"),
        Index(None, "source_system", "source_key"),
        Index(None, "row_sha256"),
    )


class QuarantineReason(Base):
    """One failed check on a quarantined row: which field, which rule, and why."""

    __tablename__ = "quarantine_reason"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    quarantined_row_id: Mapped[int] = mapped_column(
        ForeignKey("quarantined_row.id", ondelete="CASCADE")
    )
    field: Mapped[str] = mapped_column(String(128))
    rule: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)

    quarantined_row: Mapped[QuarantinedRow] = relationship(back_populates="reasons")

    __table_args__ = (Index(None, "rule"), Index(None, "quarantined_row_id"))


class LoadedRow(Base):
    """The fingerprint of the last version of each source record that was loaded: a row that
    arrives again unchanged is recognised without building or writing anything."""

    __tablename__ = "loaded_row"

    source_system: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    row_sha256: Mapped[str] = mapped_column(String(64))
    ingest_run_id: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime]


class SchedulerHeartbeat(Base):
    """The last sign of life of each scheduler process, so the API's health check can tell
    whether anyone is running the scheduled jobs (and whether two are, by mistake)."""

    __tablename__ = "scheduler_heartbeat"

    scheduler_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    beat_at: Mapped[datetime]


class PatientIdentity(Base):
    """Who a Patient resource is, for record linkage across the source systems: its role, the
    person it belongs to (a hashed NHS number, or the fallback key for a baby without one) and
    the family (the mother) whose births it takes part in. Derived from the FHIR resources."""

    __tablename__ = "patient_identity"

    patient_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_system: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(8))  # mother | baby
    person_key: Mapped[str] = mapped_column(String(96))
    family_key: Mapped[str] = mapped_column(String(96))

    __table_args__ = (Index(None, "person_key"), Index(None, "family_key"))


class ProjectionQueue(Base):
    """Patients whose resources changed since the analytic projection was last refreshed:
    written in the same transaction as the resources, so no change is ever missed."""

    __tablename__ = "projection_queue"

    patient_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    queued_at: Mapped[datetime]


class ProjectionFamilyQueue(Base):
    """Families whose analytic rows must be re-derived: the second step of a refresh, after
    the queued patients have been linked, so each family is projected once however many of its
    patients changed."""

    __tablename__ = "projection_family_queue"

    family_key: Mapped[str] = mapped_column(String(96), primary_key=True)


class PostcodeLsoa(Base):
    """The postcode → LSOA reference table (ONS postcode lookup layout), postcodes normalised."""

    __tablename__ = "postcode_lsoa"

    postcode: Mapped[str] = mapped_column(String(8), primary_key=True)
    lsoa_code: Mapped[str] = mapped_column(String(9))


class LsoaDeprivation(Base):
    """The LSOA → IMD decile reference table (English Indices of Deprivation, file 7)."""

    __tablename__ = "lsoa_deprivation"

    lsoa_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    imd_decile: Mapped[int] = mapped_column(Integer)


class HesDeliveries(Base):
    """Each provider's annual deliveries in Hospital Episode Statistics: NHS England's
    data-quality measures compare the births a provider submits with them."""

    __tablename__ = "hes_deliveries"

    org_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    total_deliveries: Mapped[int] = mapped_column(Integer)


class ReferenceTable(Base):
    """Which version of each reference table is loaded: its file, checksum and size."""

    __tablename__ = "reference_table"

    name: Mapped[str] = mapped_column(
        String(32), primary_key=True
    )  # postcode_lsoa | imd | hes_deliveries
    file_name: Mapped[str] = mapped_column(String(512))
    file_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime]


class AnalyticBirth(Base):
    """One baby born, with the mother's characteristics at the birth: what indicators count.

    Linked across the source systems and reconciled by the configured precedence; stratifiers
    (ethnic group, language, IMD, age band) are resolved here, once, so an indicator is a filter
    and a group-by. `baby_id`, `mother_id` and `delivery_id` are FHIR ids (the lineage back to
    the rows); `field_sources` says which system each reconciled value came from.
    """

    __tablename__ = "analytic_birth"

    baby_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_key: Mapped[str] = mapped_column(String(96))
    mother_id: Mapped[str | None] = mapped_column(String(64))
    delivery_id: Mapped[str | None] = mapped_column(String(64))
    sources: Mapped[str] = mapped_column(String(64))  # the systems that know this baby
    birth_date: Mapped[date] = mapped_column(Date)
    birth_month: Mapped[date] = mapped_column(Date)  # first day of the month
    site_code: Mapped[str | None] = mapped_column(String(16))
    plurality: Mapped[int | None] = mapped_column(Integer)
    birth_order: Mapped[int | None] = mapped_column(Integer)
    birth_outcome: Mapped[str | None] = mapped_column(String(32))
    gestation_days: Mapped[int | None] = mapped_column(Integer)
    birth_weight_g: Mapped[int | None] = mapped_column(Integer)
    baby_sex: Mapped[str | None] = mapped_column(String(16))
    onset_of_labour: Mapped[str | None] = mapped_column(String(32))
    mode_of_birth: Mapped[str | None] = mapped_column(String(32))
    presentation: Mapped[str | None] = mapped_column(String(16))
    perineal_trauma: Mapped[str | None] = mapped_column(String(32))
    blood_loss_ml: Mapped[int | None] = mapped_column(Integer)
    maternal_critical_incidents: Mapped[int | None] = mapped_column(Integer)
    apgar_5min: Mapped[int | None] = mapped_column(Integer)
    first_feed: Mapped[str | None] = mapped_column(String(16))
    skin_to_skin_1h: Mapped[bool | None] = mapped_column(Boolean)
    mother_age_years: Mapped[int | None] = mapped_column(Integer)
    age_band: Mapped[str | None] = mapped_column(String(8))
    parity: Mapped[int | None] = mapped_column(Integer)
    previous_caesareans: Mapped[int | None] = mapped_column(Integer)
    previous_stillbirths: Mapped[int | None] = mapped_column(Integer)
    labour_onset_date: Mapped[date | None] = mapped_column(Date)
    caesarean_date: Mapped[date | None] = mapped_column(Date)
    ethnic_category: Mapped[str | None] = mapped_column(String(4))
    ethnic_group: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    interpreter_required: Mapped[bool | None] = mapped_column(Boolean)
    lsoa_code: Mapped[str | None] = mapped_column(String(9))
    imd_decile: Mapped[int | None] = mapped_column(Integer)
    imd_quintile: Mapped[int | None] = mapped_column(Integer)
    # matched | pseudo_postcode | postcode_not_found | no_postcode | no_reference_table
    deprivation_status: Mapped[str] = mapped_column(String(24))
    deprivation_version: Mapped[str | None] = mapped_column(String(160))
    booking_gestation_days: Mapped[int | None] = mapped_column(Integer)
    bmi_at_booking: Mapped[float | None] = mapped_column(Numeric(4, 1, asdecimal=False))
    smoking_at_booking: Mapped[str | None] = mapped_column(String(8))
    smoking_at_delivery: Mapped[str | None] = mapped_column(String(8))
    smoking_at_booking_derived: Mapped[str | None] = mapped_column(String(24))
    smoking_at_delivery_derived: Mapped[str | None] = mapped_column(String(24))
    booking_date: Mapped[date | None] = mapped_column(Date)
    # From the mother's birth date and the booking date, as MSDS derives AgeAtBookingMother.
    mother_age_at_booking: Mapped[int | None] = mapped_column(Integer)
    pmh_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    pmh_referral_source: Mapped[str | None] = mapped_column(String(16))
    nnu_admitted: Mapped[bool] = mapped_column(Boolean, default=False)
    nnu_days_intensive: Mapped[int | None] = mapped_column(Integer)
    nnu_days_high_dependency: Mapped[int | None] = mapped_column(Integer)
    nnu_days_special: Mapped[int | None] = mapped_column(Integer)
    nnu_days_transitional: Mapped[int | None] = mapped_column(Integer)
    nnu_discharge_destination: Mapped[str | None] = mapped_column(String(16))
    breast_milk_at_nnu_discharge: Mapped[str | None] = mapped_column(String(16))
    hie_grade: Mapped[str | None] = mapped_column(String(16))
    therapeutic_hypothermia: Mapped[bool | None] = mapped_column(Boolean)
    brain_injury: Mapped[str | None] = mapped_column(String(16))
    neonatal_death: Mapped[bool] = mapped_column(Boolean, default=False)
    feeding_6_8_weeks: Mapped[str | None] = mapped_column(String(24))
    field_sources: Mapped[dict[str, Any]]

    __table_args__ = (
        Index(None, "birth_month"),
        Index(None, "family_key"),
        Index(None, "ethnic_group", "birth_month"),
        Index(None, "imd_quintile", "birth_month"),
    )


class AnalyticContact(Base):
    """One health-visiting contact (mood screens and feeding are counted per contact), with the
    mother's stratifiers as the health-visiting record gives them."""

    __tablename__ = "analytic_contact"

    contact_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_key: Mapped[str] = mapped_column(String(96))
    baby_id: Mapped[str | None] = mapped_column(String(64))  # the analytic birth, when linked
    contact_date: Mapped[date] = mapped_column(Date)
    contact_month: Mapped[date] = mapped_column(Date)
    contact_type: Mapped[str | None] = mapped_column(String(32))
    infant_feeding: Mapped[str | None] = mapped_column(String(24))
    maternal_mood_screen: Mapped[str | None] = mapped_column(String(16))
    pmh_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    pmh_referral_source: Mapped[str | None] = mapped_column(String(16))
    interpreter_used: Mapped[bool | None] = mapped_column(Boolean)
    ethnic_group: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    imd_decile: Mapped[int | None] = mapped_column(Integer)
    imd_quintile: Mapped[int | None] = mapped_column(Integer)
    deprivation_status: Mapped[str] = mapped_column(String(24))

    __table_args__ = (Index(None, "contact_month", "contact_type"), Index(None, "family_key"))


class AnalyticBookingWithoutBirth(Base):
    """One booking appointment of a pregnancy the product holds no birth for (still to come,
    or never recorded here), with the mother's characteristics at booking. NHS England counts
    every booking in the month (CQIMSmokingBooking, CQIMDQ03): with the births' own bookings
    these are all of them. A booking whose birth arrives is counted with the birth instead."""

    __tablename__ = "analytic_booking_without_birth"

    booking_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the Encounter
    family_key: Mapped[str] = mapped_column(String(96))
    mother_id: Mapped[str] = mapped_column(String(64))
    booking_date: Mapped[date] = mapped_column(Date)
    booking_month: Mapped[date] = mapped_column(Date)  # first day of the month
    site_code: Mapped[str | None] = mapped_column(String(16))  # the booking site (or provider)
    booking_gestation_days: Mapped[int | None] = mapped_column(Integer)
    bmi_at_booking: Mapped[float | None] = mapped_column(Numeric(4, 1, asdecimal=False))
    smoking_at_booking: Mapped[str | None] = mapped_column(String(8))
    smoking_at_booking_derived: Mapped[str | None] = mapped_column(String(24))
    parity: Mapped[int | None] = mapped_column(Integer)
    previous_caesareans: Mapped[int | None] = mapped_column(Integer)
    previous_stillbirths: Mapped[int | None] = mapped_column(Integer)
    mother_age_at_booking: Mapped[int | None] = mapped_column(Integer)
    ethnic_category: Mapped[str | None] = mapped_column(String(4))
    ethnic_group: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    imd_decile: Mapped[int | None] = mapped_column(Integer)
    imd_quintile: Mapped[int | None] = mapped_column(Integer)
    deprivation_status: Mapped[str] = mapped_column(String(24))

    __table_args__ = (Index(None, "booking_month"), Index(None, "family_key"))


class AnalyticReferral(Base):
    """One perinatal mental health referral, from whichever system recorded it."""

    __tablename__ = "analytic_referral"

    referral_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_key: Mapped[str] = mapped_column(String(96))
    source_system: Mapped[str] = mapped_column(String(32))
    referral_date: Mapped[date | None] = mapped_column(Date)
    referral_month: Mapped[date | None] = mapped_column(Date)
    referral_source: Mapped[str | None] = mapped_column(String(16))
    ethnic_group: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    imd_quintile: Mapped[int | None] = mapped_column(Integer)
    deprivation_status: Mapped[str] = mapped_column(String(24))
    age_band: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = (Index(None, "referral_month"), Index(None, "family_key"))


class DataQualityIssue(Base):
    """A disagreement between two source systems about the same baby or mother, or a record
    that could not be linked: what the analytic layer chose and why. No identifiers in `message`;
    `baby_id` (a FHIR id) leads back to the records."""

    __tablename__ = "data_quality_issue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    family_key: Mapped[str] = mapped_column(String(96))
    baby_id: Mapped[str | None] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(48))
    field: Mapped[str] = mapped_column(String(48))
    source_a: Mapped[str | None] = mapped_column(String(32))
    value_a: Mapped[str | None] = mapped_column(String(64))
    source_b: Mapped[str | None] = mapped_column(String(32))
    value_b: Mapped[str | None] = mapped_column(String(64))
    chosen_source: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index(None, "rule"), Index(None, "family_key"))


class IndicatorRun(Base):
    """One computation of the indicators: full, or incremental after an ingest (the months it
    recounted), with the method version and when the projection was read."""

    __tablename__ = "indicator_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # full | incremental
    status: Mapped[str] = mapped_column(String(16))  # running | done | failed
    method_version: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime]
    snapshot_at: Mapped[datetime]  # the analytic projection as read at this time
    finished_at: Mapped[datetime | None]
    months_counted: Mapped[int] = mapped_column(Integer, default=0)
    series_written: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class IndicatorCount(Base):
    """The unrounded counts of one indicator for one month and stratum: what every other
    figure is computed from. Never published as such (disclosure control applies)."""

    __tablename__ = "indicator_count"

    indicator_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    stratification: Mapped[str] = mapped_column(String(32), primary_key=True)
    stratum: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    population: Mapped[int] = mapped_column(Integer)
    complete: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)
    numerator: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index(None, "period"),)


class IndicatorSeries(Base):
    """One indicator's monthly series for one stratum, as the dashboard, the FHIR API and the
    alerting read it: every month's figures, comparison and SPC point, as columns (`points`,
    JSON), and the latest window's summary. Rewritten whole by each run."""

    __tablename__ = "indicator_series"

    indicator_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    stratification: Mapped[str] = mapped_column(String(32), primary_key=True)
    stratum: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)
    latest_period: Mapped[str] = mapped_column(String(7))
    latest_point_type: Mapped[str] = mapped_column(String(32))
    window_rag: Mapped[str | None] = mapped_column(String(8))
    trial_limits: Mapped[bool] = mapped_column(Boolean)
    points: Mapped[str] = mapped_column(Text)  # orjson: {column: [value per month]}
    window: Mapped[dict[str, Any]]


class IndicatorStratification(Base):
    """Across the strata of one stratification, over the latest window: funnel limits and, for
    deprivation quantiles, the slope and relative indices of inequality."""

    __tablename__ = "indicator_stratification"

    indicator_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    stratification: Mapped[str] = mapped_column(String(32), primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)
    funnel: Mapped[dict[str, Any] | None]
    gradient: Mapped[dict[str, Any] | None]


class IndicatorStaleMonth(Base):
    """A month whose analytic rows changed since its counts were taken: queued by the
    projection in the same transaction, drained by the next incremental computation."""

    __tablename__ = "indicator_stale_month"

    period: Mapped[date] = mapped_column(Date, primary_key=True)


class Intervention(Base):
    """ "On this day, to address this concern, we did this": a marker on an indicator's chart,
    optionally restarting its limits from that month."""

    __tablename__ = "intervention"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    indicator_id: Mapped[str] = mapped_column(String(48))
    stratification: Mapped[str] = mapped_column(String(32))
    stratum: Mapped[str] = mapped_column(String(64))
    started_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(128))
    rebase: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str | None] = mapped_column(String(128))

    __table_args__ = (Index(None, "indicator_id", "started_on"),)


class ScheduledJobState(Base):
    """APScheduler's database job store (`apscheduler_jobs`, its own schema): when each shared
    job runs next, so a job missed while every scheduler was down runs once on start. Declared
    here so migrations create it and the schema test sees it."""

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(String(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)


class JobLease(Base):
    """Who runs a job now: a lease taken by one scheduler process and renewed while it runs, so
    two schedulers started by mistake never run the same job at once. A crashed holder's
    lease lapses at `expires_at`."""

    __tablename__ = "job_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(128))
    acquired_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]


class JobRun(Base):
    """Every run of a scheduled job, and every run skipped because another process held it."""

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(64))
    holder: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(16))  # running | done | failed | skipped
    detail: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "job_id", "started_at"),)


class Alert(Base):
    """One alert: a rule on one indicator series (its fingerprint), with its lifecycle state,
    the latest evidence (disclosure-controlled), who acknowledged it, and where its first
    notice went (so the resolved notice can be threaded to it)."""

    __tablename__ = "alert"

    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    indicator_id: Mapped[str] = mapped_column(String(48))
    stratification: Mapped[str] = mapped_column(String(32))
    stratum: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))  # pending | firing | resolved
    last_period: Mapped[str] = mapped_column(String(7))
    periods_with_signal: Mapped[int] = mapped_column(Integer)
    periods_without_signal: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]]
    started_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    last_notified_at: Mapped[datetime | None]
    threads: Mapped[dict[str, Any]]  # receiver → the first notice's message id, this episode
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))
    acknowledged_at: Mapped[datetime | None]
    acknowledgement: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]

    __table_args__ = (Index(None, "status"), Index(None, "indicator_id"))


class AlertEvent(Base):
    """Every change to an alert: lifecycle steps, acknowledgements, silencing, notices sent."""

    __tablename__ = "alert_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    change: Mapped[str] = mapped_column(String(24))
    period: Mapped[str | None] = mapped_column(String(7))
    actor: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "fingerprint", "at"),)


class Silence(Base):
    """Mute the alerts its matchers select until `ends_at` (or until expired by hand)."""

    __tablename__ = "silence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    matchers: Mapped[dict[str, Any]]  # field → value (rule, indicator, stratification, …)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    expired_at: Mapped[datetime | None]


class OutboxNotification(Base):
    """A notification to deliver, written in the same transaction as the alert change that
    made it. Its idempotency key is unique: making it twice is a no-op, and the key travels
    with it (Message-ID, Idempotency-Key) so a receiver can tell a resend."""

    __tablename__ = "outbox_notification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    receiver: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    fingerprints: Mapped[dict[str, Any]]  # {"alerts": [fingerprint, …]}
    status: Mapped[str] = mapped_column(String(16))  # queued | sending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "status", "next_attempt_at"),)


class DeliveryAttempt(Base):
    """One attempt to deliver a notification: the delivery log."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("outbox_notification.id"))
    at: Mapped[datetime]
    receiver: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))  # delivered | retry | failed
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None]
    duration_ms: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index(None, "notification_id"), Index(None, "at"))


class DashboardUser(Base):
    """Someone who may sign in to the dashboard: a role and a scrypt password hash."""

    __tablename__ = "dashboard_user"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # viewer | analyst | admin
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime]


class DashboardSession(Base):
    """A signed-in browser: only the SHA-256 of its token is kept."""

    __tablename__ = "dashboard_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(ForeignKey("dashboard_user.name"))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]

    __table_args__ = (Index(None, "user_name"),)


class SignInAttempt(Base):
    """Every sign-in attempt, for throttling (by name and by address) and audit."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_name: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    succeeded: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (Index(None, "user_name", "at"), Index(None, "address", "at"))
