"""Load the reference tables into the database, and read them: the deprivation tables for the
projection, HES annual deliveries for NHS England's CQIM data-quality measures.

The files keep their official layouts (ONS postcode lookup: `pcds` + `lsoa11`/`lsoa21`; English
Indices of Deprivation file 7; HES deliveries by the column names NHS England's CQIM code reads,
`OrgCodeProviderMerge` and `TotalDeliveries_HES`), so a deployment drops in the files unchanged.
Only the columns needed are read, in chunks, so the 2.7-million-row national lookup loads in
bounded memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fhir_mappings.extract_file import file_sha256
from service.errors import InputError
from service.projection.deprivation import DeprivationTables, normalise_postcode
from service.storage.bulk import insert_rows, matching
from service.storage.models import HesDeliveries, LsoaDeprivation, PostcodeLsoa, ReferenceTable

POSTCODE_COLUMN = "pcds"
LSOA_COLUMNS = ("lsoa21", "lsoa11")
IMD_LSOA_COLUMNS = ("LSOA code (2011)", "LSOA code (2021)")
IMD_DECILE_COLUMN = (
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"
)
CHUNK_ROWS = 200_000
REFERENCE_NAMES = {
    PostcodeLsoa: "postcode_lsoa",
    LsoaDeprivation: "imd",
    HesDeliveries: "hes_deliveries",
}
HES_ORG_COLUMNS = ("OrgCodeProviderMerge", "OrgCodeProvider", "org_code")
HES_DELIVERIES_COLUMNS = ("TotalDeliveries_HES", "total_deliveries")


def load_postcode_lookup(session: Session, path: Path, *, now: datetime) -> int:
    header = _header(path)
    lsoa = next((c for c in LSOA_COLUMNS if c in header), None)
    if POSTCODE_COLUMN not in header or lsoa is None:
        raise InputError(
            f"{path.name}: a postcode lookup needs the columns {POSTCODE_COLUMN} and one of "
            f"{', '.join(LSOA_COLUMNS)}"
        )
    return _replace_table(
        session,
        PostcodeLsoa,
        path,
        [POSTCODE_COLUMN, lsoa],
        lambda postcode, code: (normalise_postcode(postcode), code),
        now=now,
    )


def load_imd(session: Session, path: Path, *, now: datetime) -> int:
    header = _header(path)
    lsoa = next((c for c in IMD_LSOA_COLUMNS if c in header), None)
    if lsoa is None or IMD_DECILE_COLUMN not in header:
        raise InputError(
            f"{path.name}: an IMD file needs the columns {IMD_LSOA_COLUMNS[0]!r} and "
            f"{IMD_DECILE_COLUMN!r}"
        )
    return _replace_table(
        session,
        LsoaDeprivation,
        path,
        [lsoa, IMD_DECILE_COLUMN],
        lambda code, decile: (code, int(decile)),
        now=now,
    )


def load_hes_deliveries(session: Session, path: Path, *, now: datetime) -> int:
    """Replace the HES deliveries with a file's: one row per provider, its annual deliveries."""
    header = _header(path)
    org = next((c for c in HES_ORG_COLUMNS if c in header), None)
    deliveries = next((c for c in HES_DELIVERIES_COLUMNS if c in header), None)
    if org is None or deliveries is None:
        raise InputError(
            f"{path.name}: HES deliveries need the columns {HES_ORG_COLUMNS[0]} (or "
            f"{', '.join(HES_ORG_COLUMNS[1:])}) and {HES_DELIVERIES_COLUMNS[0]} (or "
            f"{HES_DELIVERIES_COLUMNS[1]})"
        )
    frame = pd.read_csv(path, usecols=[org, deliveries], dtype=str, encoding="utf-8-sig")
    pairs = []
    for row, (code, total) in enumerate(zip(frame[org], frame[deliveries], strict=True), 2):
        if pd.isna(code) or not str(code).strip():
            raise InputError(f"{path.name} row {row}: {org} is empty")
        if pd.isna(total) or not str(total).strip().isdigit():
            raise InputError(f"{path.name} row {row}: {deliveries} {total!r} is not a whole number")
        pairs.append((str(code).strip().upper(), int(str(total).strip())))
    session.execute(delete(HesDeliveries))
    insert_rows(
        session, HesDeliveries.__tablename__, ("org_code", "total_deliveries"), _unique(pairs)
    )
    _record(session, REFERENCE_NAMES[HesDeliveries], path, len(pairs), now)
    return len(pairs)


def hes_deliveries(session: Session) -> dict[str, int]:
    """Each provider's HES annual deliveries, as loaded (empty when none are)."""
    rows = session.execute(select(HesDeliveries.org_code, HesDeliveries.total_deliveries))
    return {org_code: total for org_code, total in rows}


def _replace_table(
    session: Session,
    model: type[PostcodeLsoa] | type[LsoaDeprivation],
    path: Path,
    columns: list[str],
    pair: Callable[[str, str], tuple[object, object]],
    *,
    now: datetime,
) -> int:
    """Replace a two-column reference table with a file's rows, and record the file's version."""
    session.execute(delete(model))
    table = model.__table__
    names = tuple(c.name for c in table.columns)
    rows = 0
    for chunk in _chunks(path, columns):
        chunk = chunk.dropna()
        pairs = [pair(key, value) for key, value in zip(*(chunk[c] for c in columns), strict=True)]
        insert_rows(session, model.__tablename__, names, _unique(pairs))
        rows += len(pairs)
    _record(session, REFERENCE_NAMES[model], path, rows, now)
    return rows


def deprivation_tables(session: Session, postcodes: Iterable[str | None]) -> DeprivationTables:
    """The slice of the reference tables these postcodes need, with the tables' version."""
    versions = {t.name: t for t in session.scalars(select(ReferenceTable))}
    if "postcode_lsoa" not in versions or "imd" not in versions:
        return DeprivationTables({}, {}, None)
    wanted = sorted({code for p in postcodes if (code := normalise_postcode(p))})
    lsoa_of: dict[str, str] = {}
    for condition in matching(session, PostcodeLsoa.postcode, wanted):
        rows = session.execute(
            select(PostcodeLsoa.postcode, PostcodeLsoa.lsoa_code).where(condition)
        )
        lsoa_of.update((postcode, lsoa) for postcode, lsoa in rows)
    decile_of: dict[str, int] = {}
    for condition in matching(session, LsoaDeprivation.lsoa_code, sorted(set(lsoa_of.values()))):
        deciles = session.execute(
            select(LsoaDeprivation.lsoa_code, LsoaDeprivation.imd_decile).where(condition)
        )
        decile_of.update((lsoa, decile) for lsoa, decile in deciles)
    version = "; ".join(
        f"{versions[name].file_name} sha256:{versions[name].file_sha256[:12]}"
        for name in ("postcode_lsoa", "imd")
    )
    return DeprivationTables(lsoa_of, decile_of, version)


def _header(path: Path) -> list[str]:
    try:
        return list(pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InputError(f"cannot read reference table {path}: {error}") from None


def _chunks(path: Path, columns: list[str]) -> Iterable[pd.DataFrame]:
    return pd.read_csv(path, usecols=columns, dtype=str, chunksize=CHUNK_ROWS, encoding="utf-8-sig")


def _unique(pairs: Sequence[tuple[object, object]]) -> list[tuple[object, object]]:
    # Keys are unique in the official files; should one repeat, its last row wins.
    return list(dict(pairs).items())


def _record(session: Session, name: str, path: Path, rows: int, now: datetime) -> None:
    session.merge(
        ReferenceTable(
            name=name, file_name=path.name, file_sha256=file_sha256(path), rows=rows, loaded_at=now
        )
    )
