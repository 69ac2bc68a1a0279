"""Narrative notes and service-user feedback about an indicator, as FHIR: answers
(`QuestionnaireResponse`) to the product's `Questionnaire`, with the indicator as the subject
(`Measure/<indicator id>`), so they are served, searched and versioned like any resource and
listed beside the numbers they explain. Pure: dicts in, dicts out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from fhir_mappings.fhir.naming import PRODUCT_BASE

QUESTIONNAIRE_ID = "indicator-note"
QUESTIONNAIRE_URL = f"{PRODUCT_BASE}/Questionnaire/{QUESTIONNAIRE_ID}"
NoteKind = Literal["narrative", "feedback"]
NOTE_KINDS: dict[str, str] = {
    "narrative": "Narrative note (what the team knows that explains the numbers)",
    "feedback": "Service-user feedback",
}
# linkId -> (text, FHIR item type, repeats, required)
ITEMS: dict[str, tuple[str, str, bool, bool]] = {
    "kind": ("Kind of note", "choice", False, True),
    "stratification": ("Stratification of the group it is about", "string", False, True),
    "stratum": ("Group it is about", "string", False, True),
    "period": ("Month it is about (YYYY-MM)", "string", False, False),
    "text": ("The note", "text", False, True),
    "theme": ("Themes", "string", True, False),
}


def questionnaire() -> dict[str, Any]:
    """The product's Questionnaire the notes answer."""
    items = []
    for link_id, (text, kind, repeats, required) in ITEMS.items():
        item: dict[str, Any] = {
            "linkId": link_id,
            "text": text,
            "type": kind,
            "required": required,
            "repeats": repeats,
        }
        if link_id == "kind":
            item["answerOption"] = [
                {"valueCoding": {"system": f"{QUESTIONNAIRE_URL}-kind", "code": code, "display": d}}
                for code, d in NOTE_KINDS.items()
            ]
        items.append(item)
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": QUESTIONNAIRE_URL,
        "version": "1",
        "name": "IndicatorNote",
        "title": "A note or service-user feedback about a perinatal indicator",
        "status": "active",
        "subjectType": ["Measure"],
        "item": items,
    }


@dataclass(frozen=True)
class Note:
    id: str | None
    indicator_id: str
    kind: str
    text: str
    stratification: str = "overall"
    stratum: str = "all"
    period: str | None = None
    themes: tuple[str, ...] = ()
    authored: str | None = None
    author: str | None = None


def note_response(note: Note, *, authored: datetime) -> dict[str, Any]:
    """A completed QuestionnaireResponse for `note` (no id: the store gives one)."""
    answers: dict[str, list[dict[str, Any]]] = {
        "kind": [
            {
                "valueCoding": {
                    "system": f"{QUESTIONNAIRE_URL}-kind",
                    "code": note.kind,
                    "display": NOTE_KINDS[note.kind],
                }
            }
        ],
        "stratification": [{"valueString": note.stratification}],
        "stratum": [{"valueString": note.stratum}],
        "text": [{"valueString": note.text}],
    }
    if note.period:
        answers["period"] = [{"valueString": note.period}]
    if note.themes:
        answers["theme"] = [{"valueString": theme} for theme in note.themes]
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": QUESTIONNAIRE_URL,
        "status": "completed",
        "subject": {"reference": f"Measure/{note.indicator_id}"},
        "authored": authored.isoformat(),
        "item": [
            {"linkId": link_id, "text": ITEMS[link_id][0], "answer": value}
            for link_id, value in answers.items()
        ],
    }
    if note.author:
        response["author"] = {"display": note.author}
    return response


def read_note(response: dict[str, Any]) -> Note | None:
    """The note a QuestionnaireResponse to the product's Questionnaire holds (None for any
    other QuestionnaireResponse)."""
    if response.get("questionnaire") != QUESTIONNAIRE_URL:
        return None
    subject = (response.get("subject") or {}).get("reference", "")
    if not subject.startswith("Measure/"):
        return None
    answers: dict[str, list[Any]] = {}
    for item in response.get("item") or []:
        for answer in item.get("answer") or []:
            value = answer.get("valueString")
            if value is None:
                value = (answer.get("valueCoding") or {}).get("code")
            answers.setdefault(item.get("linkId", ""), []).append(value)
    first = {k: v[0] for k, v in answers.items() if v}
    return Note(
        id=response.get("id"),
        indicator_id=subject.removeprefix("Measure/"),
        kind=first.get("kind") or "narrative",
        text=first.get("text") or "",
        stratification=first.get("stratification") or "overall",
        stratum=first.get("stratum") or "all",
        period=first.get("period"),
        themes=tuple(answers.get("theme", ())),
        authored=response.get("authored"),
        author=(response.get("author") or {}).get("display"),
    )
