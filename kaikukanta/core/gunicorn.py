"""gunicorn's own logs with card numbers masked: ``gunicorn --logger-class kaikukanta.core.gunicorn.Logger``.

gunicorn writes its access log (every request line, ``GET /cards/K7M4RXWP9A/``, and the referrer) and its
error log through handlers of its own, outside Django's LOGGING. This logger class adds the same masking
filter to them.
"""

from __future__ import annotations

from typing import Any

from gunicorn import glogging

from kaikukanta.core.logging import MaskCardNumbers


class Logger(glogging.Logger):
    def setup(self, cfg: Any) -> None:  # gunicorn.config.Config (gunicorn has no types)
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(existing, MaskCardNumbers) for existing in handler.filters):
                    handler.addFilter(MaskCardNumbers())
