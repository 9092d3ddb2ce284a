"""The rules of a region's pilot period and a venue's period, in one place: the services check them
before saving (network/services.py), and the models' clean() asks the same, so that a form (ours or
the Django admin's) shows the rule's own message beside its field instead of a database constraint's
name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import (
    PilotPeriodMissing,
    PilotPeriodOutOfOrder,
    PopupPeriodMissing,
    VenuePeriodOutOfOrder,
)

if TYPE_CHECKING:
    from .models import Region, Venue


def check_pilot_period(region: Region) -> None:
    """A pilot has its first and last day, in order; a permanent region keeps no pilot dates."""
    if region.status == "pilot":
        if region.pilot_starts is None or region.pilot_ends is None:
            raise PilotPeriodMissing(
                field="pilot_starts" if region.pilot_starts is None else "pilot_ends"
            )
        if region.pilot_starts > region.pilot_ends:
            raise PilotPeriodOutOfOrder(starts=region.pilot_starts, ends=region.pilot_ends)
    elif region.status == "permanent":
        region.pilot_starts = region.pilot_ends = None


def check_venue_period(venue: Venue) -> None:
    """A pop-up venue has a period; any venue's period runs forwards."""
    if venue.is_popup and (venue.active_from is None or venue.active_until is None):
        raise PopupPeriodMissing(
            field="active_from" if venue.active_from is None else "active_until"
        )
    if venue.active_from and venue.active_until and venue.active_from > venue.active_until:
        raise VenuePeriodOutOfOrder(starts=venue.active_from, ends=venue.active_until)
