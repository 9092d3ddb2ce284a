from django import forms
from django.utils.translation import gettext_lazy as _

from kaikukanta.cards.models import CardType

from . import card_number_attrs


class CardSearchForm(forms.Form):
    STATUS_CHOICES = [
        ("", _("all")),
        ("valid", _("valid")),
        ("expired", _("expired")),
        ("closed", _("closed")),
    ]
    q = forms.CharField(
        label=_("Card number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs=card_number_attrs),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    card_type = forms.ChoiceField(
        label=_("Card type"), choices=[("", _("all")), *CardType.choices], required=False
    )
