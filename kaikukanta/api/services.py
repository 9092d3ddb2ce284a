"""Making and revoking API tokens (accounts/tokens.py). The token is returned once and never stored."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts import token_cache
from kaikukanta.accounts.errors import OtherSidesWork
from kaikukanta.accounts.permissions import (
    can_run_distributor_sites_in,
    can_run_venues_in,
    side_refused,
)
from kaikukanta.accounts.scope import CULTURE, SOTE, scope_for, scope_of_site_token, scope_of_token
from kaikukanta.accounts.tokens import TOKEN_PREFIX, ApiToken, revoke_token, token_hash
from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record
from kaikukanta.core.errors import DomainError, NotAllowed
from kaikukanta.network.models import DistributorSite, Organisation, TicketAgency, Venue


class TokenNameMissing(DomainError):
    code = "token_name_missing"
    field = "name"
    template = _("Name the token after the system that will use it, for example “Till 2”.")


class TokenNeedsVenues(DomainError):
    code = "token_needs_venues"
    field = "venues"
    template = _(
        "An API token acts for venues: give the user a venue role first, or name the venues a "
        "ticket agency's token is for."
    )


class VenueNotSoldByAgency(DomainError):
    code = "venue_not_sold_by_agency"
    field = "venues"
    template = _(
        "%(agency)s does not sell tickets for %(venue)s. Add the venue to the agency's venues first."
    )


class TokenNeedsSecondStep(DomainError):
    code = "token_needs_second_step"
    status = 403
    template = _(
        "Pass the second step of logging in (two-factor authentication) before making an API token."
    )


class VenueNotRunByCreator(DomainError):
    code = "venue_not_run_by_creator"
    field = "venues"
    template = _("A token can act only for venues you act for yourself; %(venue)s is not one.")


class TokenNeedsSites(DomainError):
    code = "token_needs_sites"
    field = "sites"
    template = _("Choose the distributor sites whose cards the client system registers.")


class SitesOfSeveralOrganisations(DomainError):
    code = "sites_of_several_organisations"
    field = "sites"
    template = _(
        "A client system's token acts for the sites of one organisation: make one token for each "
        "organisation."
    )


def _check_second_step(actor: Any, verified: bool) -> None:
    """Only a session that passed the second step makes a token, for those whose role needs it
    (national administrators and coordinators); the command line (actor None) may."""
    from kaikukanta.accounts.services import needs_two_factor

    if actor is not None and needs_two_factor(actor) and not verified:
        raise TokenNeedsSecondStep()


def _new_secret() -> tuple[str, str]:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return secret, token_hash(secret)


def _make(
    *, actor: Any, name: str, user: Any, venues: Iterable[Venue], agency: TicketAgency | None
) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name:
        raise TokenNameMissing()
    venues = list(venues)
    secret, digest = _new_secret()
    token_cache.invalidate()
    token = ApiToken.objects.create(
        name=name[:100],
        user=user,
        agency=agency,
        prefix=secret[:8],
        key_hash=digest,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        expires_at=timezone.now() + dt.timedelta(days=settings.KAIKUKANTA_API_TOKEN_DAYS),
    )
    token.venues.set(venues)
    first = venues[0] if venues else None
    record(
        actor=actor,
        action=Action.API_TOKEN_CREATED,
        target=token,
        venue=first,
        region=first.region if first is not None else None,
        data={
            "agency": agency.pk if agency else None,
            "venues": [v.pk for v in venues],
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, secret


def create_api_token(
    *,
    actor: Any,
    user: Any,
    name: str,
    venues: Iterable[Venue] | None = None,
    verified: bool = False,
) -> tuple[ApiToken, str]:
    """A token that acts as `user` for `venues`, chosen from those the user acts for (default: the
    venues where the user is staff). The user makes it themselves, from a session that passed the
    second step where their role needs it (`verified`); a national administrator, or the command
    line (actor None), for anyone."""
    scope = scope_for(actor)
    if actor is not None and actor != user and not scope.national:
        raise NotAllowed()
    _check_second_step(actor, verified)
    runs = Venue.objects.acted_for_by(user).select_related("region")
    if venues is None:
        chosen = list(runs.filter(pk__in=scope_for(user).venues))
    else:
        chosen = list(venues)
        allowed = set(runs.filter(pk__in=[v.pk for v in chosen]).values_list("pk", flat=True))
        for venue in chosen:
            if venue.pk not in allowed:
                raise VenueNotRunByCreator(venue=venue.display_name)
    if not chosen:
        raise TokenNeedsVenues()
    with transaction.atomic():
        return _make(actor=actor, name=name, user=user, venues=chosen, agency=None)


class SystemAccountNameTaken(DomainError):
    code = "system_account_name_taken"
    status = 409
    template = _(
        "The user name %(username)s is kept for the account of %(owner)s's system, but a person's "
        "account has it. Rename that person's account (Django admin), then make the token again."
    )


class SystemAccountDeactivated(DomainError):
    code = "system_account_deactivated"
    status = 409
    template = _(
        "The account %(username)s, which the tokens of %(owner)s's system act as, has been "
        "deactivated, so a token made for it would never work. A deactivated account is not opened "
        "again: ask a national administrator to rename it in the Django admin (for example to "
        "%(username)s-closed), then make the token again; the system gets a new account."
    )


def _system_account(username: str, owner: object) -> Any:
    """The account a system's tokens act as: no password, no roles, no invitation, named after its
    owner in the audit trail. A person's account that happens to have the same user name (made by
    hand in the admin) is refused, never taken over: the tokens would act as that person. A
    deactivated system account is refused too: its tokens would be refused on every call
    (user_for_token), and nobody would be told why."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": str(owner)[:150]}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif (
        user.has_usable_password()
        or user.is_staff
        or user.is_superuser
        or user.role_assignments.exists()
        or user.invitations.exists()
        or user.sign_in_identities.exists()
    ):
        raise SystemAccountNameTaken(username=username, owner=owner)
    elif not user.is_active:
        raise SystemAccountDeactivated(username=username, owner=owner)
    return user


def agency_account(agency: TicketAgency) -> Any:
    """The ticket agency's own account, which its tokens act as: no password, no roles."""
    return _system_account(f"agency-{agency.pk}", agency)


def create_agency_token(
    *,
    actor: Any,
    agency: TicketAgency,
    venues: Iterable[Venue],
    name: str,
    verified: bool = False,
) -> tuple[ApiToken, str]:
    """A token for a ticket agency's system, acting for `venues` only: venues the agency sells for
    and the actor runs (their region's culture coordinator, or a national administrator), from a
    session that passed the second step (`verified`)."""
    venues = list(venues)
    if not venues:
        raise TokenNeedsVenues()
    _check_second_step(actor, verified)
    sold = set(agency.venues.values_list("pk", flat=True))
    for venue in venues:
        if not can_run_venues_in(actor, venue.region_id):
            if side_refused(actor, CULTURE, venue.region_id):
                raise OtherSidesWork(side=CULTURE, region=venue.region)
            raise NotAllowed()
        if venue.pk not in sold:
            raise VenueNotSoldByAgency(agency=agency, venue=venue.display_name)
    with transaction.atomic():
        return _make(
            actor=actor, name=name, user=agency_account(agency), venues=venues, agency=agency
        )


def organisation_account(organisation: Organisation) -> Any:
    """The account a distributor organisation's client system acts as through its site tokens: no
    password, no roles (what it may do comes from the token's sites), named after the organisation
    in the audit trail."""
    return _system_account(f"client-system-{organisation.pk}", organisation)


def create_site_token(
    *,
    actor: Any,
    sites: Iterable[DistributorSite],
    name: str,
    verified: bool = False,
) -> tuple[ApiToken, str]:
    """A token for a client-information system of a distributor organisation, acting as staff of
    `sites` (all of one organisation) for their cards only: made by the sites' region's social and
    health coordinator (or a national administrator), from a session that passed the second step.
    It registers, renews, closes, replaces and reads cards (api/v1/cards.py); it checks no card and
    records no use."""
    sites = list(sites)
    if not sites:
        raise TokenNeedsSites()
    _check_second_step(actor, verified)
    for site in sites:
        if not can_run_distributor_sites_in(actor, site.region_id):
            if side_refused(actor, SOTE, site.region_id):
                raise OtherSidesWork(side=SOTE, region=site.region)
            raise NotAllowed()
    if len({site.organisation_id for site in sites}) > 1:
        raise SitesOfSeveralOrganisations()
    name = (name or "").strip()
    if not name:
        raise TokenNameMissing()
    with transaction.atomic():
        account = organisation_account(sites[0].organisation)
        secret, digest = _new_secret()
        token = ApiToken.objects.create(
            name=name[:100],
            user=account,
            prefix=secret[:8],
            key_hash=digest,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            expires_at=timezone.now() + dt.timedelta(days=settings.KAIKUKANTA_API_TOKEN_DAYS),
        )
        token.sites.set(sites)
        token_cache.invalidate()
        record(
            actor=actor,
            action=Action.API_TOKEN_CREATED,
            target=token,
            region=sites[0].region,
            data={
                "sites": [site.pk for site in sites],
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return token, secret


def revoke_api_token(*, actor: Any, token: ApiToken) -> ApiToken:
    """Stop a token from working, at once. Its owner, the staff of its venues, their coordinators."""
    if not ApiToken.objects.visible_to(actor).filter(pk=token.pk).exists():
        raise NotAllowed()
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            revoke_token(actor, token)
    return token


def user_for_token(secret: str) -> Any | None:
    """The account a Bearer token acts as, or None for a token that is unknown, revoked or expired.
    An agency's token acts for its authorised venues only (and only while the agency sells for
    them). The look-up is kept in the shared cache when it is on (accounts/token_cache.py)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    digest = token_hash(secret)
    generation: int | None = None
    if token_cache.seconds():
        generation, entry = token_cache.look_up(digest)
        if generation is not None and entry is not None:
            return _user_of_entry(digest, generation, entry)
    # Whether it is a client system's token (its distributor sites), in the same statement.
    named_sites = ApiToken.sites.through.objects.filter(apitoken_id=OuterRef("pk"))
    token = (
        ApiToken.objects.select_related("user")
        .annotate(for_sites=Exists(named_sites))
        .filter(key_hash=digest)
        .first()
    )
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    last_used = token.last_used_at
    if last_used is None or (now - last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        last_used = now
    user = token.user
    if token.agency_id is not None:
        # An agency's token: its venues while the agency sells for them.
        named = token.venues.filter(ticket_agencies=token.agency_id)
    else:
        # A user's token: its venues while the user still acts for them (the one rule).
        named = Venue.objects.acted_for_by(user).filter(api_tokens=token.pk)
    sites = site_triples(token) if token.for_sites else []
    venues = [] if sites else list(named.values_list("pk", "region_id"))
    if generation is not None:
        token_cache.keep(
            digest,
            generation,
            {
                "token": token.pk,
                "user": user.pk,
                "expires_at": token.expires_at.timestamp(),
                "last_used_at": last_used.timestamp(),
                "venues": venues,
                # A client system's token: its sites (only then: a venue's entry stays as it was).
                **({"sites": sites} if sites else {}),
            },
        )
    return _acting(user, token.pk, venues, sites)


def site_triples(token: ApiToken) -> list[tuple[int, int, int]]:
    """A client system's token's sites, as (site, organisation, region) keys (scope_of_site_token)."""
    rows = token.sites.values_list("pk", "organisation_id", "region_id")
    return [(site, organisation, region) for site, organisation, region in rows]


def _acting(
    user: Any,
    token_pk: int,
    venues: Sequence[tuple[int, int | None]],
    sites: Sequence[tuple[int, int, int]] = (),
) -> Any:
    # Its own look-up counters (cards/lookups.py subject_of): not those of every token of the account.
    setattr(user, "api_token_id", token_pk)  # noqa: B010 (not a field of User)
    if sites:
        # A client system's token acts as staff of its distributor sites only.
        scope_of_site_token(user, sites)
    else:
        # The token acts as venue staff of its venues only, whatever else the account may do.
        scope_of_token(user, venues)
    return user


def _user_of_entry(digest: str, generation: int, entry: dict[str, Any]) -> Any | None:
    """A cached look-up (made at the current generation): the clock and the account still asked."""
    now = timezone.now()
    if entry["expires_at"] <= now.timestamp():
        return None
    user = get_user_model().objects.filter(pk=entry["user"], is_active=True).first()
    if user is None:
        return None
    if now.timestamp() - entry["last_used_at"] > 60:
        ApiToken.objects.filter(pk=entry["token"]).update(last_used_at=now)
        token_cache.keep(digest, generation, {**entry, "last_used_at": now.timestamp()})
    sites = [tuple(triple) for triple in entry.get("sites", ())]
    return _acting(user, entry["token"], [tuple(pair) for pair in entry["venues"]], sites)
