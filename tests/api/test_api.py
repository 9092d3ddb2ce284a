import json

from kaikukanta.api.schema import CONTRACT, openapi_document


def test_the_committed_contract_matches_the_code():
    assert CONTRACT.read_text(encoding="utf-8") == openapi_document(), (
        "The API changed: run `make openapi` and commit kaikukanta/api/openapi.json"
    )


def test_health_answers_as_the_contract_says(client, db):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    schema = json.loads(CONTRACT.read_text())["components"]["schemas"]["Health"]
    assert set(body) == set(schema["properties"]) == set(schema["required"])
    assert body["status"] == "ok"
