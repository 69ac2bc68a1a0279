"""Maternity reference rows (one per baby, as `maternity_births_v1` reads them) rewritten as the
MSDS v2 tables a provider submits: one submission per provider and month of birth, the mother,
pregnancy, labour and baby rows under it, and care activities for blood loss, perineal tears,
smoking (a finding at the booking contact and at delivery), Apgar score and birth weight.

Codes are written through the MSDS mapping's own code maps, inverted, so the writer and the
reader cannot drift apart: what this writes, `msds_v2.yaml` reads back to the same concepts.
The provider is the trust part of the delivery site's ODS code (its first three characters).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import pandas as pd

from fhir_mappings.mapping.model import national_mapping
from fhir_mappings.synthetic.national.writing import (
    header_row,
    inverse_codes,
    month_periods,
)

BLOOD_LOSS_CODE = "1033591000000101"  # one of NHS England's blood loss observation codes
# A haemorrhage this large is taken to intensive care (a maternal critical incident, CQIMDQ11).
CRITICAL_BLOOD_LOSS_ML = 2500
INTENSIVE_CARE_ADMISSION = "305351004"
TEAR_OF = {
    "first_degree": "57759005",
    "second_degree": "6234006",
    "third_degree": "10217006",
    "third_degree_3a": "10217006",
    "third_degree_3b": "10217006",
    "third_degree_3c": "10217006",
    "fourth_degree": "399031001",
}
# Smoking findings (SNOMED CT) from NHS England's smoking and non-smoking code lists.
SMOKING_FINDING_OF = {"current": "77176002", "ex": "8517006", "never": "266919005"}


def msds_tables(
    births: pd.DataFrame,
    *,
    resubmitted: Iterable[tuple[str, str]] = (),
    first_id: int = 100_001,
    history: pd.DataFrame | None = None,
    pending: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """The MSDS tables of these births, and of the `pending` pregnancies (booked, not yet
    delivered: `still_to_give_birth`), whose mother and booking rows are sent in the submission
    of their booking month. `resubmitted` names (provider, YYYY-MM) periods sent
    twice: a first submission with every blood loss recorded 100 ml lower (a figure corrected
    later), then the true one under a higher UniqSubmissionID, which is the one that counts.
    `history` (per `episode_id`, as `obstetric_history` draws it) adds what only MSDS carries:
    previous caesareans and stillbirths, and the dates labour began and a caesarean was done."""
    mapping = national_mapping("msds")
    code = inverse_codes(mapping)
    spec = mapping.national.submission  # type: ignore[union-attr]
    assert spec is not None
    rows = births.fillna("").astype(str)
    provider = rows["delivery_site_code"].str[:3].replace("", None).ffill().bfill()
    # A birth whose date a planted defect garbled is sent with its neighbours' month.
    period = month_periods(rows["birth_datetime"])
    booked = pending.fillna("").astype(str) if pending is not None else rows.iloc[0:0]
    booked_provider = booked["delivery_site_code"].str[:3]
    booked_period = booked["booking_date"].str[:7]
    headers = []
    submission_of: dict[tuple[str, ...], str] = {}
    next_id = first_id
    redo = set(resubmitted)
    periods = set(zip(provider, period, strict=True))
    periods |= set(zip(booked_provider, booked_period, strict=True))
    for key in sorted(periods):
        for superseded in (True, False) if key in redo else (False,):
            header = header_row(spec, key[0], key[1], str(next_id))
            headers.append({**header, "PrimSystemInUse": "Synthetic E3"})
            submission_of[(*key, "superseded") if superseded else key] = str(next_id)
            next_id += 1
    tables: dict[str, list[dict[str, str]]] = {name: [] for name in mapping.national.tables}  # type: ignore[union-attr]
    tables["MSD000Header"] = headers
    past: dict[str, dict[str, str]] = {}
    if history is not None:
        by_delivery = history.drop_duplicates("episode_id").fillna("").astype(str)
        by_delivery = by_delivery.set_index("episode_id")
        past = cast(dict[str, dict[str, str]], by_delivery.to_dict("index"))
    for sent, sub_id in submission_of.items():
        selected = rows[(provider == sent[0]) & (period == sent[1])]
        _submission_rows(
            tables, selected, sent[0], sub_id, code, past, low_blood_loss=len(sent) == 3
        )
        common = {"OrgCodeProvider": sent[0], "UniqSubmissionID": sub_id}
        waiting = booked[(booked_provider == sent[0]) & (booked_period == sent[1])]
        for birth in cast(list[dict[str, str]], waiting.to_dict("records")):
            _mother_rows(tables, birth, common)
            _booking_rows(tables, birth, common, code, past.get(birth["episode_id"], {}))
    return {name: pd.DataFrame(table_rows) for name, table_rows in tables.items()}


def still_to_give_birth(
    births: pd.DataFrame, months: tuple[str, str], history: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The pregnancies booked in the region's months whose births fall after its last month, as
    the reference rows of the births they will be: NHS England counts their bookings, and a
    real extract holds them. Each is the region's own pregnancy the length of the region later
    (its mother's characteristics, booking facts and smoking), a new woman with a new id and
    no NHS number, so the region's inequalities at booking carry on into its last months.
    `months` are the region's first and last (YYYY-MM). Returns them and `history` with their
    obstetric history added under their new ids."""
    born = pd.to_datetime(births["birth_datetime"], errors="coerce", format="mixed")
    booked = pd.to_datetime(births["booking_date"], errors="coerce", format="mixed")
    first, last = (pd.Period(month, "M") for month in months)
    later = pd.DateOffset(months=(last - first).n + 1)
    later_born, later_booked = born + later, booked + later
    waiting = (
        (later_born > last.end_time)
        & (later_booked >= first.start_time)
        & (later_booked <= last.end_time)
    )
    pending = births[waiting.fillna(False)].drop_duplicates("episode_id")
    renamed = dict(zip(pending["episode_id"], "N" + pending["episode_id"].astype(str), strict=True))
    if history is not None:
        theirs = history[history["episode_id"].isin(renamed)]
        history = pd.concat(
            [history, theirs.assign(episode_id=theirs["episode_id"].map(renamed))],
            ignore_index=True,
        )
    return pending.assign(
        episode_id=pending["episode_id"].map(renamed),
        mother_local_id="N" + pending["mother_local_id"].astype(str),
        mother_nhs_number="",
        booking_date=later_booked[pending.index].dt.strftime("%Y-%m-%d"),
        smoking_at_delivery="",
    ), history


def first_months(births: pd.DataFrame) -> list[tuple[str, str]]:
    """Each provider's first month: the one the synthetic region resubmits."""
    provider = births["delivery_site_code"].fillna("").astype(str).str[:3]
    month = births["birth_datetime"].fillna("").astype(str).str[:7]
    frame = pd.DataFrame({"provider": provider, "month": month})
    frame = frame[(frame.provider != "") & frame.month.str.match(r"^\d{4}-\d{2}$")]
    firsts = frame.groupby("provider")["month"].min()
    return sorted((str(provider), str(month)) for provider, month in firsts.items())


def _submission_rows(
    tables: dict[str, list[dict[str, str]]],
    births: pd.DataFrame,
    provider: str,
    sub_id: str,
    code: dict[str, dict[str, str]],
    past: dict[str, dict[str, str]],
    *,
    low_blood_loss: bool,
) -> None:
    common = {"OrgCodeProvider": provider, "UniqSubmissionID": sub_id}
    seen_mothers: set[str] = set()
    seen_deliveries: set[str] = set()
    records = cast(list[dict[str, str]], births.to_dict("records"))
    for birth in records:
        mother, delivery = birth["mother_local_id"], birth["episode_id"]
        if mother not in seen_mothers:
            seen_mothers.add(mother)
            _mother_rows(tables, birth, common)
        if delivery not in seen_deliveries:
            seen_deliveries.add(delivery)
            history = past.get(delivery, {})
            _delivery_rows(tables, birth, common, code, history, low_blood_loss=low_blood_loss)
        birth_date, _, birth_time = birth["birth_datetime"].partition(" ")
        tables["MSD401BabyDemographics"].append(
            {
                **common,
                "LPIDBaby": birth["baby_local_id"],
                "NHSNumberBaby": birth["baby_nhs_number"],
                "LabourDeliveryID": delivery,
                "PersonBirthDateBaby": birth_date,
                "PersonBirthTimeBaby": f"{birth_time}:00" if len(birth_time) == 5 else birth_time,
                "BirthOrderMaternitySUS": birth["birth_order"],
                "PregOutcome": code["preg_outcome"].get(birth["birth_outcome"], ""),
                "GestationLengthBirth": birth["gestation_at_birth_days"],
                "DeliveryMethodCode": code["delivery_method"].get(birth["mode_of_birth"], ""),
                "FetusPresentation": code["presentation"].get(birth["presentation"], ""),
                "PersonPhenSex": code["sex"].get(birth["baby_sex"], ""),
                "BabyFirstFeedIndCode": code["first_feed"].get(birth["first_feed"], ""),
                "SkinToSkinContact1HourInd": birth["skin_to_skin_1h"],
                "OrgSiteIDActualDelivery": birth["delivery_site_code"],
            }
        )
        tables["MSD405CareActivityBaby"].append(
            {
                **common,
                "LPIDBaby": birth["baby_local_id"],
                "ClinInterDateBaby": birth_date,
                "ApgarScore": _whole(birth["apgar_5min"]),
                "BirthWeight": birth["birth_weight_g"],
            }
        )


def _mother_rows(
    tables: dict[str, list[dict[str, str]]], birth: dict[str, str], common: dict[str, str]
) -> None:
    mother = birth["mother_local_id"]
    tables["MSD001MotherDemog"].append(
        {
            **common,
            "LPIDMother": mother,
            "NHSNumberMother": birth["mother_nhs_number"],
            "PersonBirthDateMother": birth["mother_dob"],
            "Postcode": birth["mother_postcode"],
            "EthnicCategoryMother": birth["mother_ethnic_category"],
        }
    )
    if birth["gp_practice_code"]:
        tables["MSD002GP"].append(
            {**common, "LPIDMother": mother, "OrgCodeGMPMother": birth["gp_practice_code"]}
        )


def _delivery_rows(
    tables: dict[str, list[dict[str, str]]],
    birth: dict[str, str],
    common: dict[str, str],
    code: dict[str, dict[str, str]],
    history: dict[str, str],
    *,
    low_blood_loss: bool,
) -> None:
    delivery, birth_date = birth["episode_id"], birth["birth_datetime"][:10]
    _booking_rows(tables, birth, common, code, history)
    tables["MSD301LabourDelivery"].append(
        {
            **common,
            "LabourDeliveryID": delivery,
            "PregnancyID": delivery,
            "BirthsPerLabandDel": birth["plurality"],
            "LabourOnsetMethod": code["labour_onset"].get(birth["onset_of_labour"], ""),
            "LabourOnsetDate": history.get("labour_onset_date", ""),
            "CaesareanDate": history.get("caesarean_date", ""),
        }
    )
    activity = {**common, "LabourDeliveryID": delivery, "ClinInterDateMother": birth_date}
    at_delivery = SMOKING_FINDING_OF.get(birth["smoking_at_delivery"])
    if at_delivery:
        tables["MSD302CareActivityLabDel"].append({**activity, "FindingCode": at_delivery})
    if birth["blood_loss_ml"]:
        loss = int(float(birth["blood_loss_ml"])) - (100 if low_blood_loss else 0)
        tables["MSD302CareActivityLabDel"].append(
            {**activity, "MasterSnomedCTObsCode": BLOOD_LOSS_CODE, "ObsValue": str(max(loss, 0))}
        )
        if loss >= CRITICAL_BLOOD_LOSS_ML:
            tables["MSD302CareActivityLabDel"].append(
                {**activity, "MasterSnomedCTProcedureCode": INTENSIVE_CARE_ADMISSION}
            )
    tear = TEAR_OF.get(birth["perineal_trauma"])
    if tear:
        tables["MSD302CareActivityLabDel"].append({**activity, "GenitalTractTraumaticLesion": tear})


def _booking_rows(
    tables: dict[str, list[dict[str, str]]],
    birth: dict[str, str],
    common: dict[str, str],
    code: dict[str, dict[str, str]],
    history: dict[str, str],
) -> None:
    delivery = birth["episode_id"]
    tables["MSD101PregnancyBooking"].append(
        {
            **common,
            "PregnancyID": delivery,
            "LPIDMother": birth["mother_local_id"],
            "AntenatalAppDate": birth["booking_date"],
            "GestAgeBooking": birth["gestation_at_booking_days"],
            "PersonBMIBooking": birth["bmi_at_booking"],
            "SmokingStatusBooking": code["smoking"].get(birth["smoking_at_booking"], ""),
            "SmokingStatusDelivery": code["smoking"].get(birth["smoking_at_delivery"], ""),
            "PreviousLiveBirths": birth["parity"],
            "PreviousCaesareanSections": history.get("previous_caesareans", ""),
            "PreviousStillBirths": history.get("previous_stillbirths", ""),
            "LangCode": birth["mother_language"],
        }
    )
    # Smoking status as a finding at the booking contact (and at delivery, below), where NHS
    # England's derivation looks for it (the MSD101 items are no longer submitted nationally).
    booked = SMOKING_FINDING_OF.get(birth["smoking_at_booking"])
    if booked and birth["booking_date"]:
        contact = f"{delivery}-booking"
        tables["MSD201CareContactPreg"].append(
            {**common, "CareConID": contact, "PregnancyID": delivery,
             "CContactDate": birth["booking_date"]}
        )  # fmt: skip
        tables["MSD202CareActivityPreg"].append(
            {**common, "CareConID": contact, "FindingCode": booked}
        )


def _whole(text: str) -> str:
    return str(int(float(text))) if text else ""
