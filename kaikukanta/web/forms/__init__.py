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

from kaikukanta.core.errors import DomainError, refusals_of

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


def field_for(form: forms.BaseForm, error: DomainError) -> str | None:
    """The field of `form` a refusal concerns: the error's own field when the form has one by that
    name, or the one the form's `field_for_error(error)` names (a questionnaire points a "wellbeing"
    refusal at its first question left unanswered); None when the form has no such field."""
    hook = getattr(form, "field_for_error", None)
    named = hook(error) if hook is not None else None
    if named in form.fields:
        return str(named)
    return error.field if error.field in form.fields else None


def add_domain_error(form: forms.BaseForm, error: DomainError, *others: forms.BaseForm) -> None:
    """Show a service's refusals (one, or all of a `Refusals`) beside the fields they concern, in
    `form` or one of the `others` shown with it, or above `form` when no field is theirs.

    A field that already shows the form's own message (nothing typed, not a number) keeps it: the
    service was told nothing it could judge there, and one message per field is enough."""
    for refusal in refusals_of(error):
        for candidate in (form, *others):
            field = field_for(candidate, refusal)
            if field is not None:
                if not candidate.has_error(field):
                    candidate.add_error(field, refusal.message)
                break
        else:
            form.add_error(None, refusal.message)
