"""Forms check the shape of what was typed; the Kaikukortti rules themselves live in the services."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kaikukanta.cards.models import CardType
from kaikukanta.core.dates import today


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=2016,
        error_messages={
            "invalid": _("Give the year as four digits, for example 2025."),
            "min_value": _("The registry has figures from 2016 on."),
        },
    )

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year and year > today().year:
            raise forms.ValidationError(_("There are no figures for future years yet."))
        return year


card_number_attrs = {
    "autocomplete": "off",
    "autocapitalize": "characters",
    "spellcheck": "false",
    "inputmode": "text",
    "class": "card-number",
}


class CardCheckForm(forms.Form):
    venue = forms.ModelChoiceField(
        label=_("Venue"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your own venues.")},
    )
    identifier = forms.CharField(
        label=_("Card number"),
        max_length=40,
        help_text=_("Type the number on the card, or read it with a barcode scanner."),
        error_messages={"required": _("Type the card number.")},
        widget=forms.TextInput(attrs=card_number_attrs),
    )

    def __init__(self, venues, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.only_venue = venues[0] if len(venues) == 1 else None
        if self.only_venue is not None:
            del self.fields["venue"]  # nothing to choose
        else:
            self.fields["venue"].queryset = venues

    def clean(self):
        cleaned = super().clean()
        if self.only_venue is not None:
            cleaned["venue"] = self.only_venue
        return cleaned


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


class UseFilterForm(forms.Form):
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=None, required=False)
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give a date, for example 1.3.2025.")},
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give a date, for example 31.3.2025.")},
    )

    def __init__(self, venues, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues
        self.fields["venue"].empty_label = _("all venues")

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned
