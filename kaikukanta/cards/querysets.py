from __future__ import annotations

from django.db import models
from django.db.models import Q

from kaikukanta.accounts.scope import scope_for


class CardQuerySet(models.QuerySet):
    def visible_to(self, user) -> CardQuerySet:
        """National admins: every card. Coordinators: their regions' cards. Distributor staff: the
        cards of their own sites and their organisations' community cards. Venue staff: none (they
        check one card at a time by its full number, through `check_card`)."""
        scope = scope_for(user)
        if scope.national:
            return self.all()
        return self.filter(
            Q(region__in=scope.coordinator_regions)
            | Q(issuing_site__in=scope.distributor_sites)
            | Q(
                card_type="community",
                issuing_site__organisation__in=scope.distributor_organisations,
            )
        )


class WellbeingMeasurementQuerySet(models.QuerySet):
    def visible_to(self, user) -> WellbeingMeasurementQuerySet:
        from .models import Card

        return self.filter(card__in=Card.objects.visible_to(user))
