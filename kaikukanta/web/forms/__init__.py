"""Forms check the shape of what was typed; the Kaikukortti rules themselves live in the services.

A service's refusal reaches a form through `add_domain_error`: the error names the field it concerns
(`DomainError.field`, the service's own parameter name), and a form names its fields the same way, so
no view maps errors to fields by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaikukanta.core.forms import add_domain_error as add_domain_error  # the pages' import
from kaikukanta.core.forms import field_for as field_for

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

card_number_attrs = {
    "autocomplete": "off",
    "data-card-number": "any",
    "autocapitalize": "characters",
    "spellcheck": "false",
    "inputmode": "text",
    "class": "card-number",
}


def card_number_field(*, new: bool = False, **options: Any) -> forms.CharField:
    """The card number as typed or read by a barcode scanner: checked by the service, not here.

    The page checks it too as it is typed (static/kaikukanta/card-number.js, the same rule as
    cards/identifiers.py): `new` for a number of a card to register, where every fault is flagged;
    otherwise imported numbers of other shapes pass. web/_field.html adds the check's message and the
    camera button beside it; a page that has one loads web/_card_number_scripts.html."""
    defaults: dict[str, Any] = {
        "label": _("Card number"),
        "max_length": 40,
        "help_text": _("Type the number on the card, or read it with a barcode scanner."),
        "error_messages": {"required": _("Type the card number.")},
        "widget": forms.TextInput(
            attrs={**card_number_attrs, "data-card-number": "new" if new else "any"}
        ),
    }
    return forms.CharField(**{**defaults, **options})


def offer_choice(
    form: forms.Form, name: str, queryset: QuerySet[Any], empty_label: StrOrPromise
) -> None:
    """A filter of one of `queryset`: shown only when there is more than one to pick from."""
    if len(queryset) > 1:
        field = cast("forms.ModelChoiceField[Any]", form.fields[name])
        field.queryset = queryset
        field.empty_label = empty_label
    else:
        del form.fields[name]
