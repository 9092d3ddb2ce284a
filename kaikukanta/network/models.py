"""The Kaikukortti network: regions and their municipalities, organisations and their sites.

A region (Kaikukortti-alue) is a locality with its own network: one or more municipalities, optionally in a
wellbeing services county, running either a pilot (with start and end dates) or permanently. Distributor
sites issue cards; venues accept them. Pop-up venues belong to no region: they accept cards nationally for
a fixed period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kaikukanta.core.dates import Period
from kaikukanta.core.errors import DomainError
from kaikukanta.core.models import TranslatedName

from .errors import VenueAcceptsOwnRegionOnly, VenueNotAccepting
from .querysets import (
    DistributorSiteQuerySet,
    OrganisationQuerySet,
    RegionQuerySet,
    TicketAgencyQuerySet,
    VenueQuerySet,
)


def _clean_by(rule: Any, obj: models.Model) -> None:
    """A rule of rules.py as a model's clean(): its message beside its field (forms, the admin)."""
    try:
        rule(obj)
    except DomainError as error:
        raise ValidationError({error.field or NON_FIELD_ERRORS: error.message}) from None


def in_language(obj: models.Model, field: str) -> str:
    """The text of `field` in the current language (`field_sv`, `field_en`), falling back to the
    Finnish `field` when that translation is missing: the catalogue's descriptions."""
    language = (get_language() or "fi")[:2]
    if language in ("sv", "en"):
        translated = getattr(obj, f"{field}_{language}", "")
        if translated:
            return str(translated)
    return str(getattr(obj, field))


class WellbeingCounty(TranslatedName):
    slug = models.SlugField(unique=True)

    class Meta:
        verbose_name = _("wellbeing services county")
        verbose_name_plural = _("wellbeing services counties")
        ordering = ["name"]


class Municipality(TranslatedName):
    code = models.CharField(
        _("municipality code"),
        max_length=3,
        unique=True,
        help_text=_("The three-digit code of Statistics Finland, for example 837 for Tampere."),
    )
    county = models.ForeignKey(
        WellbeingCounty,
        verbose_name=_("wellbeing services county"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipalities",
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]


class Region(TranslatedName):
    class Status(models.TextChoices):
        PILOT = "pilot", _("pilot")
        PERMANENT = "permanent", _("permanent")

    slug = models.SlugField(unique=True)
    county = models.ForeignKey(
        WellbeingCounty,
        verbose_name=_("wellbeing services county"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="regions",
    )
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("municipalities"), related_name="regions"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    pilot_starts = models.DateField(_("pilot starts"), null=True, blank=True)
    pilot_ends = models.DateField(_("pilot ends"), null=True, blank=True)
    # The public catalogue's introduction of the region (public/); Finnish is the fallback.
    description = models.TextField(_("description in Finnish"), blank=True, max_length=2000)
    description_sv = models.TextField(_("description in Swedish"), blank=True, max_length=2000)
    description_en = models.TextField(_("description in English"), blank=True, max_length=2000)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="region_pilot_has_dates",
                condition=~Q(status="pilot")
                | Q(pilot_starts__isnull=False, pilot_ends__isnull=False),
            ),
            models.CheckConstraint(
                name="region_pilot_dates_in_order",
                condition=Q(pilot_starts__isnull=True)
                | Q(pilot_ends__isnull=True)
                | Q(pilot_starts__lte=models.F("pilot_ends")),
            ),
        ]

    def clean(self) -> None:
        from .rules import check_pilot_period

        _clean_by(check_pilot_period, self)

    @property
    def is_pilot(self) -> bool:
        return self.status == self.Status.PILOT

    def validity_cap(self) -> dt.date | None:
        """The last day any card of this region may be valid: the end of a running pilot."""
        return self.pilot_ends if self.is_pilot else None

    @property
    def description_text(self) -> str:
        return in_language(self, "description")

    def is_running_on(self, day: dt.date) -> bool:
        if not self.is_pilot:
            return True
        assert self.pilot_starts is not None
        assert self.pilot_ends is not None
        return self.pilot_starts <= day <= self.pilot_ends


class Organisation(TranslatedName):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("public sector")
        THIRD_SECTOR = "third_sector", _("association or foundation")
        PARISH = "parish", _("parish")
        COMPANY = "company", _("company")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]


class DistributorSite(TranslatedName):
    """A unit of a sote/hyte organisation that registers cards for its clients."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="distributor_sites",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="distributor_sites"
    )
    is_active = models.BooleanField(
        _("takes part"),
        default=True,
        help_text=_("A site that has left the network keeps its cards but cannot issue new ones."),
    )

    objects = DistributorSiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("distributor site")
        verbose_name_plural = _("distributor sites")
        ordering = ["name"]


OFFER_KEYS = ("entry", "courses", "sports", "events")


class Venue(TranslatedName):
    """A culture or sports site that accepts the card, or a national pop-up venue."""

    class Category(models.TextChoices):
        CULTURE = "culture", _("culture")
        EDUCATION = "education", _("education")
        SCIENCE = "science", _("science")
        SPORTS = "sports", _("sports")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="venues",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="venues",
        help_text=_("Empty for a pop-up venue, which belongs to the national network."),
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="venues",
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    accepts_other_regions = models.BooleanField(_("accepts cards from other regions"), default=True)
    is_popup = models.BooleanField(_("pop-up venue"), default=False)
    active_from = models.DateField(_("accepts cards from"), null=True, blank=True)
    active_until = models.DateField(_("accepts cards until"), null=True, blank=True)

    # The public catalogue's entry (public/, api/v1/catalogue.py, network/brochure.py), kept by the
    # venue itself or its region's coordinators. Descriptions fall back to Finnish (in_language).
    description = models.TextField(_("description in Finnish"), blank=True, max_length=2000)
    description_sv = models.TextField(_("description in Swedish"), blank=True, max_length=2000)
    description_en = models.TextField(_("description in English"), blank=True, max_length=2000)
    location = models.CharField(
        _("street address"),
        max_length=200,
        blank=True,
        help_text=_("For example Hatanpään puistokuja 1."),
    )
    web_link = models.URLField(
        _("web page"),
        blank=True,
        help_text=_("The address of the page about the offer, starting https://."),
    )
    offers_entry = models.BooleanField(_("entry tickets"), default=False)
    offers_courses = models.BooleanField(_("courses"), default=False)
    offers_sports = models.BooleanField(_("sports"), default=False)
    offers_events = models.BooleanField(_("events and performances"), default=False)
    accessibility = models.TextField(
        _("accessibility in Finnish"),
        blank=True,
        max_length=1000,
        help_text=_("Step-free access, lifts, hearing loops, accessible toilets, assistance."),
    )
    accessibility_sv = models.TextField(_("accessibility in Swedish"), blank=True, max_length=1000)
    accessibility_en = models.TextField(_("accessibility in English"), blank=True, max_length=1000)
    child_tickets = models.BooleanField(
        _("child tickets apply"),
        default=True,
        help_text=_("Whether a cardholder's children under 18 get free tickets too."),
    )

    objects = VenueQuerySet.as_manager()

    CATALOGUE_FIELDS = (
        "description",
        "description_sv",
        "description_en",
        "location",
        "web_link",
        "offers_entry",
        "offers_courses",
        "offers_sports",
        "offers_events",
        "accessibility",
        "accessibility_sv",
        "accessibility_en",
        "child_tickets",
    )

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]
        constraints = [
            # A pop-up venue is national and has a period; every other venue belongs to a region.
            models.CheckConstraint(
                name="venue_popup_is_national",
                condition=Q(
                    is_popup=True,
                    region__isnull=True,
                    active_from__isnull=False,
                    active_until__isnull=False,
                )
                | Q(is_popup=False, region__isnull=False),
            ),
            models.CheckConstraint(
                name="venue_period_in_order",
                condition=Q(active_from__isnull=True)
                | Q(active_until__isnull=True)
                | Q(active_from__lte=models.F("active_until")),
            ),
        ]

    def clean(self) -> None:
        from .rules import check_venue_period

        _clean_by(check_venue_period, self)

    @property
    def description_text(self) -> str:
        return in_language(self, "description")

    @property
    def accessibility_text(self) -> str:
        return in_language(self, "accessibility")

    def offers(self) -> list[str]:
        """What the venue offers cardholders, as the catalogue's keys (entry, courses, sports,
        events)."""
        return [key for key in OFFER_KEYS if getattr(self, f"offers_{key}")]

    def is_active_on(self, day: dt.date) -> bool:
        """Whether the venue accepts cards on `day`: inside its own period and its region's pilot."""
        if self.active_from and day < self.active_from:
            return False
        if self.active_until and day > self.active_until:
            return False
        return self.region is None or self.region.is_running_on(day)

    def refusal_for(self, card_region_id: int, day: dt.date) -> DomainError | None:
        """Why the venue would not accept a card of the region `card_region_id` on `day`, or None.

        The one answer to "does this venue accept this card": the venue's check and the recording of
        a use both ask it. A venue accepts cards inside its own period and its region's pilot; a
        venue that accepts only its own region's cards refuses the others; a pop-up venue accepts
        every region's cards within its period."""
        if not self.is_active_on(day):
            starts, ends = self.active_period()
            return VenueNotAccepting(venue=self, day=day, period=Period(starts, ends))
        own_region_only = self.region_id is not None and not self.accepts_other_regions
        if own_region_only and card_region_id != self.region_id:
            return VenueAcceptsOwnRegionOnly(venue=self, region=self.region)
        return None

    def starts_later(self, day: dt.date) -> dt.date | None:
        """The first day on which the venue accepts cards when that is after `day` (an upcoming
        pop-up venue, a venue of a pilot still to begin), else None. Shown as "from 1.3.2027"."""
        starts, _ends = self.active_period()
        return starts if starts is not None and starts > day else None

    def active_period(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and last day of the period in which the venue accepts cards (None: open)."""
        starts, ends = self.active_from, self.active_until
        if self.region is not None and self.region.is_pilot:
            pilot_starts, pilot_ends = self.region.pilot_starts, self.region.pilot_ends
            starts = max(filter(None, [starts, pilot_starts]), default=None)
            ends = min(filter(None, [ends, pilot_ends]), default=None)
        return starts, ends


class TicketAgency(TranslatedName):
    """A ticket agency that sells some venues' tickets and checks cards for them."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="ticket_agencies",
    )
    venues = models.ManyToManyField(
        Venue, verbose_name=_("venues it sells for"), related_name="ticket_agencies", blank=True
    )

    objects = TicketAgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket agency")
        verbose_name_plural = _("ticket agencies")
        ordering = ["name"]
