"""The audit trail's verbs: free strings ("card.issued"), each registered by the app that owns it.

Each domain app lists its verbs with their display text in its own `actions.py` (a TextChoices) and
registers them in its AppConfig.ready; the trail stores the string and validates it against this
registry when an event is written (audit.services.record), and shows the owning app's text. A new verb
is a line in its app, not a migration of the audit table (the way pretix's log_action names actions).

`Action.CARD_ISSUED` names a registered verb by its member name, whichever app registered it, so that
services and tests write the verb once, checked: a name nobody registered is an AttributeError.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

_BY_VALUE: dict[str, models.TextChoices] = {}
_BY_NAME: dict[str, models.TextChoices] = {}
_OWNER: dict[str, str] = {}


def register(app_label: str, actions: type[models.TextChoices]) -> None:
    """Add an app's verbs. A value or a name registered by another app is a programming error."""
    for action in actions:
        for key, table in ((action.value, _BY_VALUE), (action.name, _BY_NAME)):
            known = table.get(key)
            if known is not None and _OWNER[known.value] != app_label:
                raise ValueError(f"audit action {key!r} is registered by {_OWNER[known.value]}")
        _BY_VALUE[action.value] = action
        _BY_NAME[action.name] = action
        _OWNER[action.value] = app_label


def is_registered(value: str) -> bool:
    return value in _BY_VALUE


def owner_of(value: str) -> str | None:
    """The label of the app that registered the verb."""
    return _OWNER.get(value)


def label_of(value: str) -> str:
    """The verb's display text from its owning app, in the active language (the stored string for a
    verb no app registers any more)."""
    action = _BY_VALUE.get(value)
    return str(action.label) if action is not None else value


def choices() -> list[tuple[str, str]]:
    """Every registered verb with its text, sorted by the text: for the audit trail's filter."""
    return sorted(((value, label_of(value)) for value in _BY_VALUE), key=lambda pair: pair[1])


class _Registered(type):
    def __getattr__(cls, name: str) -> Any:
        try:
            return _BY_NAME[name]
        except KeyError:
            raise AttributeError(f"no app registers the audit action {name}") from None


class Action(metaclass=_Registered):
    """Every registered verb by its member name: `Action.CARD_ISSUED == "card.issued"`."""


class AuditAction(models.TextChoices):
    """The trail's own verbs: changes made in the administration (audit.services.save_audited), and
    data loaded in bulk (the demo, synthetic data)."""

    OBJECT_CREATED = "object.created", _("created in administration")
    OBJECT_CHANGED = "object.changed", _("changed in administration")
    OBJECT_DELETED = "object.deleted", _("deleted in administration")
    DATA_LOADED = "data.loaded", _("data loaded")
