"""API tokens: how a ticketing system signs in (`Authorization: Bearer <token>`).

A token belongs either to a user with venue roles (it acts as that user, for the venues it names, of
those the user still acts for), or to a ticket agency that a coordinator has authorised for some of its
venues (it acts, through the agency's own account, for those venues only), or to a client system of a
distributor organisation that its region's social and health coordinator has authorised for some of
its sites (`sites`: it acts, through the organisation's own account, as staff of those sites only: it
issues, renews, closes, replaces and reads their cards, never checks cards or records uses). Only the
token's SHA-256 is stored: the token itself is shown once, when it is made. A token expires (KAIKUKANTA_API_TOKEN_DAYS
after it was made); a revoked token stops working at once.

A token is a credential, so it lives with the accounts (it moved here from api/; its tables keep their
names, api_apitoken and api_apitoken_venues): deactivating a user revokes their tokens without the
accounts importing the API. Making tokens and reading a Bearer token stay in api/services.py."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record

from . import token_cache
from .scope import scope_for

TOKEN_PREFIX = "kk_"  # noqa: S105 (the tokens' visible beginning, not a secret)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def visible_to(self, user: Any) -> ApiTokenQuerySet:
        """National administrators: all. Others: their own tokens, and every token that acts for
        their venues (staff) or their regions' venues (coordinators of the culture side, who run
        the venues)."""
        scope = scope_for(user)
        if scope.national:
            return self.all()
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(
            Q(user=user)
            | Q(venues__in=scope.venues)
            | Q(venues__region__in=scope.culture_regions)
            | Q(sites__in=scope.distributor_sites)
            | Q(sites__region__in=scope.sote_regions)
        ).distinct()

    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    agency = models.ForeignKey(
        "network.TicketAgency",
        verbose_name=_("ticket agency"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
    )
    venues = models.ManyToManyField(
        "network.Venue",
        verbose_name=_("venues"),
        blank=True,
        related_name="api_tokens",
        help_text=_("A ticket agency's token acts for these venues only."),
    )
    sites = models.ManyToManyField(
        "network.DistributorSite",
        verbose_name=_("distributor sites"),
        blank=True,
        related_name="api_tokens",
        help_text=_("A client system's token acts for these distributor sites' cards only."),
    )
    prefix = models.CharField(_("beginning"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        db_table = "api_apitoken"  # made by the api app before the model moved here
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.has_expired

    @property
    def has_expired(self) -> bool:
        return self.expires_at <= timezone.now()


def token_region(token: ApiToken) -> Any:
    """The region a token's audit events name: its first venue's, or its first site's."""
    first = token.venues.select_related("region").first()
    if first is not None:
        return first.region
    site = token.sites.select_related("region").first()
    return site.region if site is not None else None


def revoke_token(actor: Any, token: ApiToken, **data: Any) -> None:
    """Mark `token` revoked now and audit it, named by its first venue (the caller has locked it, in
    its transaction). The cached look-up of every token is made stale (token_cache.py)."""
    token_cache.invalidate()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    first = token.venues.select_related("region").first()
    record(
        actor=actor,
        action=Action.API_TOKEN_REVOKED,
        target=token,
        venue=first,
        region=token_region(token),
        data=data or None,
    )


def revoke_tokens_of(*, actor: Any, user: Any) -> int:
    """Revoke every token that acts as `user` (deactivated, or their two-factor authentication
    reset: accounts/services.py), each audited. How many were still working."""
    revoked = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
        revoke_token(actor, token, owner=user.pk)
        revoked += 1
    return revoked
