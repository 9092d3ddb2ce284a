"""What the public pages change: the opening of a mobile card (audited, like any card look-up), and
the national administrator's texts of the legal pages."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import normalize_newlines
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.scope import scope_for
from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record
from kaikukanta.cards.models import HandOver
from kaikukanta.cards.services import hand_over_for
from kaikukanta.core.errors import DomainError

from .legal import FIELD_OF_LANGUAGE, default_text
from .models import LegalPage


def open_mobile_card(secret: str, *, page: str = "card") -> HandOver | None:
    """The working hand-over a link opens, with its card (and the card's region and issuing site),
    or None. An opening is a card look-up: it is audited against the card (no actor: the holder has
    no account) and remembered as the link's last opening."""
    hand_over = hand_over_for(secret)
    if hand_over is None:
        return None
    with transaction.atomic():
        now = timezone.now()
        HandOver.objects.filter(pk=hand_over.pk).update(last_opened_at=now)
        hand_over.last_opened_at = now
        card = hand_over.card
        record(
            actor=None,
            action=Action.MOBILE_CARD_OPENED,
            target=card,
            region=card.region,
            data={"page": page},
        )
    return hand_over


class OnlyNationalAdministrators(DomainError):
    code = "legal_page_not_allowed"
    status = 403
    template = _(
        "Only the national administrator can change the accessibility statement and the privacy notice."
    )


def save_legal_page(*, actor: Any, kind: str, values: dict[str, str]) -> LegalPage:
    """The national administrator's own texts of a legal page, by field (LegalPage.TEXT_FIELDS). A
    text left empty, or the same as the default, shows the default (and later improvements of it).
    Audited with the names of the texts that changed, never the texts."""
    if not scope_for(actor).national:
        raise OnlyNationalAdministrators()
    own = {}
    for language, name in FIELD_OF_LANGUAGE.items():
        if name in values:
            text = normalize_newlines(values[name]).strip()
            own[name] = "" if text == default_text(kind, language).strip() else text
    existing = LegalPage.objects.filter(kind=kind).first()
    if all(getattr(existing, name, "") == text for name, text in own.items()):
        return existing or LegalPage(kind=kind)  # nothing to write (a page is created on a change)
    with transaction.atomic():
        page, _created = LegalPage.objects.select_for_update().get_or_create(kind=kind)
        changed = [name for name, text in own.items() if getattr(page, name) != text]
        if not changed:
            return page
        for name in changed:
            setattr(page, name, own[name])
        page.updated_at = timezone.now()
        page.updated_by = actor
        page.full_clean()
        page.save()
        record(
            actor=actor,
            action=Action.OBJECT_CHANGED,
            target=page,
            data={"fields": sorted(changed)},
        )
    return page
