"""Real-world defects planted in the extracts, declared as data (one `DefectKind` each).

With a defect rate R, a share R of each extract's rows carries one defect, the kinds taking turns
so each appears at least once; file-level defects (byte-order mark, Windows line endings, a
trailing empty line, a renamed column) are spread over the three files. Every planted defect is
listed in a manifest, so tests can check that ingest catches each one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

Corrupt = Callable[[np.random.Generator, pd.Series, pd.Timestamp], pd.Series]
Eligible = Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class DefectKind:
    name: str
    columns: tuple[str, ...]  # one is chosen per row
    corrupt: Corrupt
    eligible: Eligible = lambda frame: pd.Series(True, index=frame.index)


@dataclass(frozen=True)
class FileFormat:
    byte_order_mark: bool = False
    line_ending: str = "\n"
    trailing_empty_line: bool = False


@dataclass(frozen=True)
class DefectedExtract:
    frame: pd.DataFrame
    file_format: FileFormat
    manifest: pd.DataFrame  # row_number, key, kind, column, clean_value, defective_value
    file_defects: list[dict[str, str]] = field(default_factory=list)


def _blank(rng: np.random.Generator, values: pd.Series, extract_date: pd.Timestamp) -> pd.Series:
    return pd.Series("", index=values.index)


def _bad_check_digit(rng: np.random.Generator, values: pd.Series, _: pd.Timestamp) -> pd.Series:
    last = values.str[-1].astype(int).to_numpy()
    wrong = (last + rng.integers(1, 10, len(values))) % 10
    return values.str[:-1] + pd.Series(wrong.astype(str), index=values.index)


def _other_date_format(rng: np.random.Generator, values: pd.Series, _: pd.Timestamp) -> pd.Series:
    has_time = values.str.len() > 10
    parsed = pd.to_datetime(values, format="mixed")
    return pd.Series(
        np.where(has_time, parsed.dt.strftime("%d/%m/%Y %H:%M"), parsed.dt.strftime("%d/%m/%Y")),
        index=values.index,
    )


def _future_date(
    rng: np.random.Generator, values: pd.Series, extract_date: pd.Timestamp
) -> pd.Series:
    # Well beyond the extract date, so the date is still in the future when the file is loaded.
    years = extract_date.year + rng.integers(10, 40, len(values))
    rest = values.str[4:].str.replace("-02-29", "-02-28", regex=False)
    return pd.Series(years.astype(str), index=values.index) + rest


def _kilograms(rng: np.random.Generator, values: pd.Series, _: pd.Timestamp) -> pd.Series:
    return (values.astype(float) / 1000).map("{:.2f}".format)


def _pounds(rng: np.random.Generator, values: pd.Series, _: pd.Timestamp) -> pd.Series:
    return (values.astype(float) / 453.59237).map("{:.1f}".format)


def _weeks_not_days(rng: np.random.Generator, values: pd.Series, _: pd.Timestamp) -> pd.Series:
    return (values.astype(int) // 7).astype(str)


def _stillbirth(rng: np.random.Generator, values: pd.Series, _: pd.Timestamp) -> pd.Series:
    return pd.Series("stillbirth_antepartum", index=values.index)


def _tiny_weight(rng: np.random.Generator, values: pd.Series, _: pd.Timestamp) -> pd.Series:
    return pd.Series(rng.integers(450, 551, len(values)).astype(str), index=values.index)


def _other_weight(rng: np.random.Generator, values: pd.Series, _: pd.Timestamp) -> pd.Series:
    # Always beyond both reconciliation tolerances (5% and 100 g), so each one is a real
    # disagreement the product must report.
    grams = values.astype(int)
    size = np.maximum(rng.integers(150, 700, len(values)), np.ceil(grams * 0.07).astype(int))
    shift = size * np.where(grams - size < 300, 1, rng.choice([-1, 1], len(values)))
    return (grams + shift).astype(str)


def _other_weeks(rng: np.random.Generator, values: pd.Series, _: pd.Timestamp) -> pd.Series:
    shift = rng.integers(1, 4, len(values)) * rng.choice([-1, 1], len(values))
    return (values.astype(int) + shift).astype(str)


def _other_ethnicity(rng: np.random.Generator, values: pd.Series, _: pd.Timestamp) -> pd.Series:
    codes = np.array(list("ABCDEFGHJKLMNPRS"))
    shifted = (
        np.searchsorted(codes, values.where(values.isin(codes), "A"))
        + rng.integers(1, len(codes), len(values))
    ) % len(codes)
    return pd.Series(codes[shifted], index=values.index)


def _present(column: str) -> Eligible:
    return lambda frame: frame[column] != ""


def _live_with_apgar(frame: pd.DataFrame) -> pd.Series:
    return (frame["birth_outcome"] == "live_birth") & (frame["apgar_5min"] != "")


def _late_term(frame: pd.DataFrame) -> pd.Series:
    return pd.to_numeric(frame["gestation_at_birth_days"], errors="coerce") >= 280


DUPLICATE_ROW = "duplicate_row"

ROW_DEFECTS: dict[str, tuple[DefectKind, ...]] = {
    "maternity": (
        DefectKind(
            "blank_mandatory_field",
            (
                "birth_datetime",
                "gestation_at_birth_days",
                "birth_weight_g",
                "birth_outcome",
                "mother_dob",
                "baby_sex",
            ),
            _blank,
        ),
        DefectKind(
            "nhs_number_check_digit",
            ("mother_nhs_number",),
            _bad_check_digit,
            _present("mother_nhs_number"),
        ),
        DefectKind(
            "date_other_format",
            ("mother_dob", "booking_date", "birth_datetime"),
            _other_date_format,
            _present("booking_date"),
        ),
        DefectKind("date_in_future", ("birth_datetime",), _future_date),
        DefectKind("weight_in_kilograms", ("birth_weight_g",), _kilograms),
        DefectKind("weight_in_pounds", ("birth_weight_g",), _pounds),
        DefectKind("gestation_weeks_in_days_field", ("gestation_at_birth_days",), _weeks_not_days),
        DefectKind("stillbirth_with_apgar", ("birth_outcome",), _stillbirth, _live_with_apgar),
        DefectKind(
            "implausible_weight_for_gestation", ("birth_weight_g",), _tiny_weight, _late_term
        ),
        DefectKind(DUPLICATE_ROW, (), _blank),
    ),
    "neonatal": (
        DefectKind(
            "blank_mandatory_field", ("admission_datetime", "baby_dob", "unit_code"), _blank
        ),
        DefectKind(
            "nhs_number_check_digit",
            ("baby_nhs_number",),
            _bad_check_digit,
            _present("baby_nhs_number"),
        ),
        DefectKind("date_other_format", ("admission_datetime", "baby_dob"), _other_date_format),
        DefectKind("date_in_future", ("discharge_datetime",), _future_date),
        DefectKind("weight_in_kilograms", ("birth_weight_g",), _kilograms),
        DefectKind("weight_in_pounds", ("birth_weight_g",), _pounds),
        DefectKind("cross_source_birth_weight", ("birth_weight_g",), _other_weight),
        DefectKind("cross_source_gestation", ("gestation_weeks",), _other_weeks),
        DefectKind(
            "cross_source_ethnicity",
            ("mother_ethnic_category",),
            _other_ethnicity,
            _present("mother_ethnic_category"),
        ),
        DefectKind(DUPLICATE_ROW, (), _blank),
    ),
    "health_visiting": (
        DefectKind("blank_mandatory_field", ("contact_date", "contact_type"), _blank),
        DefectKind(
            "nhs_number_check_digit",
            ("mother_nhs_number",),
            _bad_check_digit,
            _present("mother_nhs_number"),
        ),
        DefectKind("date_other_format", ("contact_date",), _other_date_format),
        DefectKind("date_in_future", ("contact_date",), _future_date),
        DefectKind(DUPLICATE_ROW, (), _blank),
    ),
}

FILE_DEFECTS: dict[str, FileFormat] = {
    "maternity": FileFormat(byte_order_mark=True),
    "neonatal": FileFormat(line_ending="\r\n"),
    "health_visiting": FileFormat(trailing_empty_line=True),
}
# A system upgrade renamed one column; a mapping file that lists the old name still reads it.
RENAMED_COLUMNS: dict[str, tuple[str, str]] = {"neonatal": ("hie_grade", "hie_grade_sarnat")}


def plant_defects(
    rng: np.random.Generator,
    extract: str,
    frame: pd.DataFrame,
    *,
    rate: float,
    key_column: str,
    extract_date: pd.Timestamp,
) -> DefectedExtract:
    """A copy of `frame` with a share `rate` of its rows made defective, and their manifest."""
    if rate <= 0:
        return DefectedExtract(frame, FileFormat(), _manifest([]))
    frame = frame.copy()
    kinds = ROW_DEFECTS[extract]
    counts = _counts_per_kind(round(rate * len(frame)), len(kinds), len(frame))
    used = np.zeros(len(frame), dtype=bool)
    pool = rng.permutation(len(frame))
    records: list[dict[str, object]] = []
    duplicates: list[int] = []
    for kind, count in zip(kinds, counts, strict=True):
        eligible = kind.eligible(frame).to_numpy()
        rows = pool[eligible[pool] & ~used[pool]][:count]
        used[rows] = True
        if kind.name == DUPLICATE_ROW:
            duplicates.extend(int(r) for r in rows)
            continue
        column_of_row = rng.choice(kind.columns, len(rows))
        for column in kind.columns:
            chosen = rows[column_of_row == column]
            if len(chosen) == 0:
                continue
            clean = frame[column].iloc[chosen]
            defective = kind.corrupt(rng, clean, extract_date)
            frame.iloc[chosen, frame.columns.get_loc(column)] = defective.to_numpy()
            records += _records(
                chosen, frame[key_column].iloc[chosen], kind.name, column, clean, defective
            )

    duplicates.sort()
    copies = frame.iloc[duplicates]
    records += [
        {
            "row_number": len(frame) + i + 1,
            "key": key,
            "kind": DUPLICATE_ROW,
            "column": "",
            "clean_value": "",
            "defective_value": f"copy of row {row + 1}",
        }
        for i, (row, key) in enumerate(zip(duplicates, copies[key_column], strict=True))
    ]
    frame = pd.concat([frame, copies], ignore_index=True)

    file_defects = [
        {"kind": name}
        for name, on in (
            ("byte_order_mark", FILE_DEFECTS[extract].byte_order_mark),
            ("windows_line_endings", FILE_DEFECTS[extract].line_ending == "\r\n"),
            ("trailing_empty_line", FILE_DEFECTS[extract].trailing_empty_line),
        )
        if on
    ]
    if extract in RENAMED_COLUMNS:
        old, new = RENAMED_COLUMNS[extract]
        frame = frame.rename(columns={old: new})
        file_defects.append({"kind": "renamed_column", "from": old, "to": new})
    return DefectedExtract(frame, FILE_DEFECTS[extract], _manifest(records), file_defects)


def _counts_per_kind(total: int, kinds: int, rows: int) -> list[int]:
    total = min(max(total, kinds), rows)
    base, remainder = divmod(total, kinds)
    return [base + (1 if i < remainder else 0) for i in range(kinds)]


def _records(
    rows: np.ndarray,
    keys: pd.Series,
    kind: str,
    column: str,
    clean: pd.Series,
    defective: pd.Series,
) -> list[dict[str, object]]:
    return [
        {
            "row_number": int(row) + 1,
            "key": key,
            "kind": kind,
            "column": column,
            "clean_value": before,
            "defective_value": after,
        }
        for row, key, before, after in zip(rows, keys, clean, defective, strict=True)
    ]


def _manifest(records: list[dict[str, object]]) -> pd.DataFrame:
    columns = ["row_number", "key", "kind", "column", "clean_value", "defective_value"]
    return pd.DataFrame.from_records(records, columns=columns).sort_values(
        "row_number", ignore_index=True
    )
