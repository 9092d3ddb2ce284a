import json
from pathlib import Path

from .v1 import api

CONTRACT = Path(__file__).parent / "v1" / "openapi.json"


def openapi_document() -> str:
    """The API's OpenAPI document as committed: sorted keys, two-space indent, final newline."""
    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
