"""Health-visiting reference rows (one per contact, as `health_visiting_contacts_v1` reads them)
rewritten as the CSDS v1.6 tables a community provider submits: one submission per month of
contact, the person each contact was with (the mother at an antenatal contact, the child at every
other review), the contact, and one care activity saying which review it was and the infant
feeding status found.

CSDS as read here carries no maternal mood screen, perinatal mental health referral, interpreter
or language: those stay in the reference extract only (README, "National inputs").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import pandas as pd

from fhir_mappings.mapping.model import national_mapping
from fhir_mappings.synthetic.national.writing import header_row, inverse_codes, month_periods

# The synthetic region's community provider (not a real ODS code: ZZ is never issued).
PROVIDER = "ZZ3"
ANTENATAL = "antenatal"


def csds_tables(
    contacts: pd.DataFrame, *, resubmitted: Iterable[str] = (), first_id: int = 500_001
) -> dict[str, pd.DataFrame]:
    """The CSDS tables of these contacts. `resubmitted` names months (YYYY-MM) sent twice: a
    first submission with no feeding findings recorded (added later), then the complete one
    under a higher UniqueSubmissionID, which is the one that counts."""
    mapping = national_mapping("csds")
    national = mapping.national
    assert national is not None
    assert national.submission is not None
    code = inverse_codes(mapping)
    rows = contacts.fillna("").astype(str)
    period = month_periods(rows["contact_date"])
    tables: dict[str, list[dict[str, str]]] = {name: [] for name in national.tables}
    next_id = first_id
    redo = set(resubmitted)
    for month in sorted(set(period)):
        for incomplete in (True, False) if month in redo else (False,):
            sub_id = str(next_id)
            next_id += 1
            tables["CYP000Header"].append(header_row(national.submission, PROVIDER, month, sub_id))
            selected = cast(list[dict[str, str]], rows[period == month].to_dict("records"))
            _submission_rows(tables, selected, sub_id, code, with_feeding=not incomplete)
    return {name: pd.DataFrame(table_rows) for name, table_rows in tables.items()}


def first_month(contacts: pd.DataFrame) -> list[str]:
    months = month_periods(contacts["contact_date"])
    return [str(months.min())] if len(months) else []


def _submission_rows(
    tables: dict[str, list[dict[str, str]]],
    contacts: list[dict[str, str]],
    sub_id: str,
    code: dict[str, dict[str, str]],
    *,
    with_feeding: bool,
) -> None:
    common = {"OrgID_Provider": PROVIDER, "UniqueSubmissionID": sub_id}
    people: set[str] = set()
    for contact in contacts:
        antenatal = contact["contact_type"] == ANTENATAL
        nhs_number = contact["mother_nhs_number"] if antenatal else contact["child_nhs_number"]
        # A person with no NHS number is still a person: the contact keeps a local id.
        person = f"P{nhs_number}" if nhs_number else f"C{contact['contact_id']}"
        if person not in people:
            people.add(person)
            tables["CYP001MPI"].append(
                {
                    **common,
                    "LocalPatientId": person,
                    "NHSNumber": nhs_number,
                    "Postcode": contact["postcode"],
                }
            )
        contact_id = contact["contact_id"]
        tables["CYP201CareContact"].append(
            {
                **common,
                "CareContactID": contact_id,
                "LocalPatientId": person,
                "Contact_Date": contact["contact_date"],
                "AttendanceStatus": "5",
            }
        )
        feeding = code["infant_feeding"].get(contact["infant_feeding"], "") if with_feeding else ""
        tables["CYP202CareActivity"].append(
            {
                **common,
                "CareActivityID": f"{contact_id}-1",
                "CareContactID": contact_id,
                "CommunityCareActivityType": code["review"].get(contact["contact_type"], ""),
                "CodedFinding": feeding,
            }
        )
