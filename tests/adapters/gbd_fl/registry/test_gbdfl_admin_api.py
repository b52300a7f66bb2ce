"""Admin JSON API of the person registry (mounted under /admin as the server will)."""

from __future__ import annotations

import warnings

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from egov_sim.adapters.gbd_fl.admin_api import routes
from egov_sim.adapters.gbd_fl.person_json import person_to_json
from egov_sim.adapters.gbd_fl.registry import install_personas
from egov_sim.reference.personas import PERSONAS

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

GUARDIAN = PERSONAS["guardian"]


@pytest.fixture
def client(registry):
    install_personas(registry)
    app = Starlette(routes=[Mount("/admin", routes=routes(registry))])
    with TestClient(app, client=("127.0.0.1", 50000)) as c:
        yield c


def test_get_person_and_errors(client):
    r = client.get(f"/admin/persons/{GUARDIAN.iin}")
    assert r.status_code == 200 and r.json() == person_to_json(GUARDIAN.person)
    missing = client.get(f"/admin/persons/{PERSONAS['not_registered'].iin}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "PERSON_NOT_FOUND"
    invalid = client.get("/admin/persons/780314401013")
    assert invalid.status_code == 400 and invalid.json()["error"]["code"] == "INVALID_IIN"


def test_search_and_browse(client):
    by_iin = client.get("/admin/persons", params={"iin": GUARDIAN.iin}).json()
    assert [p["iin"] for p in by_iin["items"]] == [GUARDIAN.iin]
    mismatch = client.get("/admin/persons", params={"iin": GUARDIAN.iin, "surname": "ДРУГАЯ"}).json()
    assert mismatch["items"] == []
    by_name = client.get("/admin/persons", params={"surname": "жумабаева", "name": "айгерим",
                                                   "birthDateFrom": "1978-01-01", "birthDateTo": "1978-12-31"})
    assert [p["iin"] for p in by_name.json()["items"]] == [GUARDIAN.iin]
    by_doc = client.get("/admin/persons", params={"documentNumber": GUARDIAN.person.documents[0].number})
    assert [p["iin"] for p in by_doc.json()["items"]] == [GUARDIAN.iin]
    browse = client.get("/admin/persons", params={"limit": 5, "offset": 2}).json()
    assert len(browse["items"]) == 5 and browse["total"] == len(PERSONAS) - 1
    too_many = client.get("/admin/persons", params={"surname": "СЕРИКОВА", "limit": 1})
    assert too_many.status_code == 422
    error = too_many.json()["error"]
    assert (error["code"], error["limit"], error["foundAtLeast"]) == ("TOO_MANY_RESULTS", 1, 2)
    for params in ({"limit": "x"}, {"colour": "red"}, {"birthDate": "1978-02-30"}):
        r = client.get("/admin/persons", params=params)
        assert r.status_code == 400 and r.json()["error"]["code"] == "BAD_PARAMETER"


def test_personas_route(client, registry):
    items = client.get("/admin/persons/personas").json()["items"]
    by_key = {i["key"]: i for i in items}
    assert by_key["guardian"]["registered"] is True and by_key["not_registered"]["registered"] is False
    assert by_key["poa_principal"]["iin"] == PERSONAS["poa_principal"].iin


def test_put_creates_replaces_and_persists(client, registry):
    iin = PERSONAS["not_registered"].iin
    body = {"surname": "Новиков", "name": "Павел", "regAddress": {"region": "71", "district": "7103",
                                                                   "city": "АСТАНА"}}
    created = client.put(f"/admin/persons/{iin}", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["surname"] == "НОВИКОВ" and created.json()["gender"] == "1"
    replaced = client.put(f"/admin/persons/{iin}", json=dict(body, patronymic="Игоревич"))
    assert replaced.status_code == 200 and replaced.json()["patronymic"] == "ИГОРЕВИЧ"
    assert registry.get(iin).patronymic == "ИГОРЕВИЧ"


@pytest.mark.parametrize("body, code, field", [
    ({"surname": "A", "name": "B", "birthDate": "1990-01-02", "regAddress": {"region": "71"}},
     "INVALID_PERSON", "birthDate"),
    ({"surname": "A", "name": "B", "gender": "2", "regAddress": {"region": "71"}}, "INVALID_PERSON", "gender"),
    ({"surname": "A", "name": "B", "regAddress": {"region": "99"}}, "INVALID_PERSON", "regAddress.region"),
    ({"iin": "780314401012", "surname": "A", "name": "B", "regAddress": {"region": "71"}}, "INVALID_PERSON", "iin"),
])
def test_put_rejects_bad_records_naming_the_field(client, body, code, field):
    r = client.put(f"/admin/persons/{PERSONAS['not_registered'].iin}", json=body)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == code and r.json()["error"]["field"] == field


def test_put_bad_iin_and_bad_json(client):
    r = client.put("/admin/persons/900101301412", json={"surname": "A", "name": "B"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID_IIN"
    bad = client.put(f"/admin/persons/{GUARDIAN.iin}", content=b"{oops",
                     headers={"content-type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "BAD_JSON"


def test_delete(client, registry):
    r = client.delete(f"/admin/persons/{GUARDIAN.iin}")
    assert r.status_code == 200 and r.json() == {"deleted": GUARDIAN.iin}
    assert registry.get(PERSONAS["ward"].iin).guardians == ()
    assert client.delete(f"/admin/persons/{GUARDIAN.iin}").status_code == 404
