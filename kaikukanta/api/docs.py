"""The API's documentation page, read from the committed OpenAPI document and rendered on the server:
no scripts from elsewhere, so it works under the site's Content-Security-Policy (Swagger UI would need
a CDN and inline scripts)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# The committed contract (api/schema.py CONTRACT; not imported from there, which imports the API).
CONTRACT = Path(__file__).parent / "v1" / "openapi.json"

METHODS = ("get", "post", "put", "patch", "delete")


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type(part) for part in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(value) for value in schema["enum"])
    if schema.get("type") == "array":
        return f"list[{_type(schema.get('items', {}))}]"
    kind = schema.get("type", "object")
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": _type(field),
            "required": name in required,
            "default": json.dumps(field["default"]) if "default" in field else "",
            "description": field.get("description", ""),
        }
        for name, field in schema.get("properties", {}).items()
    ]


def _body_schema(content: dict[str, Any] | None) -> str:
    schema = ((content or {}).get("application/json") or {}).get("schema") or {}
    return _type(schema) if schema else ""


@cache
def _document() -> dict[str, Any]:
    spec = json.loads(CONTRACT.read_text(encoding="utf-8"))
    operations = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            operations.append(
                {
                    "anchor": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "secured": bool(operation.get("security")),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "where": parameter["in"],
                            "type": _type(parameter.get("schema", {})),
                            "required": parameter.get("required", False),
                            "description": parameter.get("description", "")
                            or parameter.get("schema", {}).get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "body": _body_schema((operation.get("requestBody") or {}).get("content")),
                    "responses": [
                        {
                            "status": status,
                            "description": response.get("description", ""),
                            "schema": _body_schema(response.get("content")),
                        }
                        for status, response in sorted(operation.get("responses", {}).items())
                    ],
                }
            )
    schemas = [
        {"name": name, "description": schema.get("description", ""), "fields": _fields(schema)}
        for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items())
    ]
    return {"info": spec["info"], "operations": operations, "schemas": schemas}


def docs_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/api/docs.html", _document())
