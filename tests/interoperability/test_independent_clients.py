"""Independent, unmodified FHIR clients against the real server on PostgreSQL: `fhirpy` searches
with paging and `_include`, creates, updates and deletes; `fhirclient`'s strict R4 models parse
every resource (and Bundle, CapabilityStatement and OperationOutcome) the server returns."""

from __future__ import annotations

import httpx
import pytest
from fhirclient.models.bundle import Bundle
from fhirclient.models.capabilitystatement import CapabilityStatement
from fhirclient.models.fhirsearch import FHIRSearch
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.patient import Patient
from fhirclient.server import FHIRServer
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import ResourceNotFound

from service.api.fhir.resource_types import STORED_TYPES
from tests.interoperability.conftest import RunningServer

pytestmark = pytest.mark.postgres


@pytest.fixture
def fhirpy(server: RunningServer) -> SyncFHIRClient:
    return SyncFHIRClient(server.base, authorization=f"Bearer {server.token}")


@pytest.fixture
def strict_client(server: RunningServer) -> FHIRServer:
    fhir_server = FHIRServer(None, base_uri=server.base + "/")
    fhir_server.session.headers["Authorization"] = f"Bearer {server.token}"
    return fhir_server


def test_fhirpy_pages_through_a_patients_observations(fhirpy: SyncFHIRClient) -> None:
    baby = fhirpy.resources("Patient").search(birthdate__ge="2000-01-01").first()
    assert baby is not None
    searchset = fhirpy.resources("Observation").search(patient=baby.id)
    expected = searchset.count()
    assert expected > 3

    paged = searchset.limit(2).fetch_all()  # follows the server's `next` links

    assert len(paged) == expected
    assert len({o.id for o in paged}) == expected
    assert all(o["subject"]["reference"] == f"Patient/{baby.id}" for o in paged)


def test_fhirpy_include(fhirpy: SyncFHIRClient) -> None:
    bundle = fhirpy.resources("Observation").include("Observation", "subject").limit(5).fetch_raw()
    modes = {entry["search"]["mode"] for entry in bundle["entry"]}
    assert modes == {"match", "include"}
    subjects = {
        e["resource"]["subject"]["reference"]
        for e in bundle["entry"]
        if e["search"]["mode"] == "match"
    }
    included = {
        f"Patient/{e['resource']['id']}"
        for e in bundle["entry"]
        if e["search"]["mode"] == "include"
    }
    assert subjects == included


def test_fhirpy_create_update_delete(fhirpy: SyncFHIRClient) -> None:
    patient = fhirpy.resource("Patient", gender="female", birthDate="1991-02-03")
    patient.save()
    assert patient.id
    assert patient["meta"]["versionId"] == "1"

    patient["gender"] = "other"
    patient.save()
    fetched = fhirpy.reference("Patient", patient.id).to_resource()
    assert fetched["gender"] == "other"
    assert fetched["meta"]["versionId"] == "2"

    patient.delete()
    with pytest.raises(ResourceNotFound):
        fhirpy.reference("Patient", patient.id).to_resource()


@pytest.mark.parametrize("resource_type", STORED_TYPES)
def test_fhirclient_strict_models_parse_every_resource(
    strict_client: FHIRServer, resource_type: str
) -> None:
    search = FHIRSearch(_model_for(resource_type), {"_count": "200"})
    parsed = list(search.perform_resources_iter(strict_client))
    if resource_type != "AuditEvent":
        assert parsed, f"the server holds no {resource_type}"
    assert all(resource.resource_type == resource_type for resource in parsed)


def test_fhirclient_reads_and_parses_the_other_answers(
    strict_client: FHIRServer, server: RunningServer
) -> None:
    statement = CapabilityStatement(strict_client.request_json("metadata"))
    assert statement.fhirVersion == "4.0.1"
    bundle = Bundle(
        strict_client.request_json("Patient?_count=1&_include=Patient:general-practitioner")
    )
    patient = Patient.read(bundle.entry[0].resource.id, strict_client)
    assert patient.id == bundle.entry[0].resource.id
    history = Bundle(strict_client.request_json(f"Patient/{patient.id}/_history"))
    assert history.type == "history"
    missing = httpx.get(f"{server.base}/Patient/nobody", headers=server.headers)
    assert missing.status_code == 404
    OperationOutcome(missing.json())


def _model_for(resource_type: str) -> type:
    from fhirclient.models import fhirelementfactory

    return type(fhirelementfactory.FHIRElementFactory.instantiate(resource_type, None))
