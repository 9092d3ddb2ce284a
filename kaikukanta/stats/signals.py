"""Every use saved or deleted updates the summary tables in its own transaction (models.py)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards.models import Card
from kaikukanta.uses.models import Use

from . import summaries


@receiver(post_save, sender=Use, dispatch_uid="stats_use_saved")
def use_saved(sender: Any, instance: Use, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        summaries.use_added(instance)


@receiver(post_delete, sender=Use, dispatch_uid="stats_use_deleted")
def use_deleted(sender: Any, instance: Use, **kwargs: Any) -> None:
    summaries.use_removed(instance)


@receiver(pre_save, sender=Card, dispatch_uid="stats_card_saving")
def card_saving(sender: Any, instance: Card, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    old = (
        Card.objects.filter(pk=instance.pk).values(*summaries.CARD_FIELDS, "replaced_by_id").first()
        if instance.pk
        else None
    )
    instance._stats_before = old  # type: ignore[attr-defined]


@receiver(post_save, sender=Card, dispatch_uid="stats_card_saved")
def card_saved(sender: Any, instance: Card, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    old = getattr(instance, "_stats_before", None)
    replaced_before = old.pop("replaced_by_id") if old else None
    summaries.card_changed(instance.pk, old, replaced_before, instance.replaced_by_id)


@receiver(pre_delete, sender=Card, dispatch_uid="stats_card_deleting")
def card_deleting(sender: Any, instance: Card, **kwargs: Any) -> None:
    instance._stats_before = summaries.card_state(instance.pk)  # type: ignore[attr-defined]
    instance._stats_replacement = summaries._is_replacement(instance.pk)  # type: ignore[attr-defined]


@receiver(post_delete, sender=Card, dispatch_uid="stats_card_deleted")
def card_deleted(sender: Any, instance: Card, **kwargs: Any) -> None:
    summaries._count_card(
        getattr(instance, "_stats_before", None), getattr(instance, "_stats_replacement", False), -1
    )


@receiver(post_save, sender=AuditEvent, dispatch_uid="stats_group_visit_recorded")
def group_visit_recorded(sender: Any, instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    """record_group_visit writes its members' uses with bulk_create, which sends no signals; its
    audit event comes after them in the same transaction, so the uses are counted here."""
    if not created or instance.action != Action.GROUP_VISIT_RECORDED or not instance.object_id:
        return
    for use in Use.objects.filter(group_visit_id=int(instance.object_id)):
        summaries.use_added(use)
