"""The cardholder's pages carry their small stylesheet inline: on a slow phone network a separate
stylesheet would cost a round trip before anything is drawn (benchmarks/card.py measures it). The
Content-Security-Policy still forbids inline styles in general: the public pages allow exactly this
one block, by its SHA-256 hash."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, cast

from csp.decorators import csp_update
from django.http import HttpResponse

CSS = (Path(__file__).parent / "static" / "public" / "public.css").read_text(encoding="utf-8")
CSS_HASH = f"'sha256-{base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()}'"


def with_inline_styles(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The page's CSP allows the inline stylesheet of public/base.html."""
    decorated = csp_update({"style-src": [CSS_HASH]})(view)

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> HttpResponse:
        return cast(HttpResponse, decorated(*args, **kwargs))

    return wrapped
