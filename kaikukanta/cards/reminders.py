"""The weekly expiry reminder to distributor sites' staff: how many of their site's personal cards
expire within 30 days, with a link to that list. Never a card number, never anything of a holder.

Meant to run daily (`manage.py send_expiry_reminders`): each person gets at most one e-mail in seven
days, covering all their sites, so a daily run sends to each person about once a week, on whichever
day their sites first have cards expiring. Each sending is an audit event (REMINDER_SENT, on the user),
which is also how the next run knows whom it has already reminded.

The language: the one the person last chose in the pages (User.language, kept by the language switch),
Finnish until they choose one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kaikukanta.accounts.models import Role, RoleAssignment, User
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.audit.services import record
from kaikukanta.network.models import DistributorSite

from .models import Card, CardType
from .querysets import EXPIRING_DAYS

REMINDER_INTERVAL = dt.timedelta(days=7)
LANGUAGE = "fi"


@dataclass(frozen=True)
class SiteCount:
    site: DistributorSite
    expiring: int

    @property
    def url(self) -> str:
        query = urlencode({"status": "expiring", "card_type": "personal", "site": self.site.pk})
        return f"{settings.KAIKUKANTA_SITE_URL}{reverse('web:cards')}?{query}"


def expiring_counts(day: dt.date) -> dict[int, int]:
    """Personal cards expiring within 30 days, by issuing site (Card.objects.expiring_within)."""
    counts: dict[int, int] = defaultdict(int)
    cards = Card.objects.filter(card_type=CardType.PERSONAL).expiring(day)
    for site_id in cards.values_list("issuing_site_id", flat=True).iterator():
        counts[site_id] += 1
    return counts


def _reminded_recently(now: dt.datetime) -> set[str]:
    return set(
        AuditEvent.objects.filter(
            action=Action.REMINDER_SENT,
            object_type=User._meta.label_lower,
            occurred_at__gt=now - REMINDER_INTERVAL,
        ).values_list("object_id", flat=True)
    )


def _message(sites: list[SiteCount]) -> tuple[str, str]:
    total = sum(count.expiring for count in sites)
    subject = ngettext(
        "Kaikukortti: %(count)s card expires within %(days)s days",
        "Kaikukortti: %(count)s cards expire within %(days)s days",
        total,
    ) % {"count": total, "days": EXPIRING_DAYS}
    lines = [
        _("Hello,"),
        "",
        _(
            "These Kaikukortti cards of your site expire within %(days)s days. Offer to extend "
            "their validity when you meet the holders."
        )
        % {"days": EXPIRING_DAYS},
        "",
    ]
    for count in sites:
        lines.append(
            ngettext(
                "%(site)s: %(count)s card",
                "%(site)s: %(count)s cards",
                count.expiring,
            )
            % {"site": count.site.display_name, "count": count.expiring}
        )
        lines.append(count.url)
    lines += [
        "",
        _("Kaikukanta sends this reminder at most once a week."),
    ]
    return subject, "\n".join(lines)


def send_expiry_reminders(*, now: dt.datetime | None = None) -> int:
    """Send the reminders due now; returns how many e-mails were sent."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    counts = expiring_counts(day)
    if not counts:
        return 0
    sites = {
        site.pk: site for site in DistributorSite.objects.filter(pk__in=counts, is_active=True)
    }
    per_user: dict[int, list[SiteCount]] = defaultdict(list)
    users: dict[int, User] = {}
    assignments = (
        RoleAssignment.objects.filter(
            role=Role.DISTRIBUTOR_STAFF,
            distributor_site__in=list(sites),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id", "distributor_site__name")
    )
    for assignment in assignments:
        if not assignment.user.email:
            continue
        users[assignment.user_id] = assignment.user
        assert assignment.distributor_site_id is not None  # filtered by site above
        site = sites[assignment.distributor_site_id]
        per_user[assignment.user_id].append(SiteCount(site, counts[site.pk]))
    recent = _reminded_recently(now)
    sent = 0
    for user_id, site_counts in per_user.items():
        if str(user_id) in recent:
            continue
        user = users[user_id]
        with translation.override(user.language or LANGUAGE):
            subject, body = _message(site_counts)
        with transaction.atomic():
            event = record(
                actor=None,
                action=Action.REMINDER_SENT,
                target=user,
                data={
                    "sites": len(site_counts),
                    "cards": sum(count.expiring for count in site_counts),
                },
            )
            if event.occurred_at != now:
                event.occurred_at = now
                event.save(update_fields=["occurred_at"])
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    return sent
