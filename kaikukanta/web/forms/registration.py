"""Registering, updating, renewing, closing and replacing a card at a client meeting.

The forms only check the shape of what was typed; the Kaikukortti rules (too young, postcode, another
region's stock, a number already registered) are the services' and reach the fields through
`add_domain_error`."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kaikukanta.cards.models import MAX_CHILDREN, Card, ClosingReason, Gender, LifeSituation
from kaikukanta.cards.services import HolderData, Wellbeing
from kaikukanta.network.models import DistributorSite, Region

from . import card_number_field


def new_form_key() -> str:
    return secrets.token_urlsafe(18)


class KeyedForm(forms.Form):
    """A form with a hidden random key: the same form submitted twice registers once."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", new_form_key())


class SiteChoiceMixin(forms.Form):
    """The site the card is registered at, asked only of those who work at several."""

    site: forms.ModelChoiceField[DistributorSite] = forms.ModelChoiceField(
        label=_("Distributor site"),
        queryset=DistributorSite.objects.none(),
        error_messages={"required": _("Choose the site where you register the card.")},
    )

    def offer_sites(self, sites: QuerySet[DistributorSite]) -> None:
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sites
        self.only_site = sites[0] if len(sites) == 1 else None
        if self.only_site is not None:
            field.initial = self.only_site.pk
            field.required = False
            field.widget = forms.HiddenInput()

    def clean_site(self) -> DistributorSite:
        site = self.cleaned_data.get("site") or getattr(self, "only_site", None)
        if site is None:
            raise forms.ValidationError(
                self.fields["site"].error_messages["required"], code="required"
            )
        return site


class HolderForm(forms.Form):
    birth_year = forms.IntegerField(
        label=_("Birth year"),
        help_text=_("Four digits, for example 1984. Only the year is recorded."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": _("Type the holder's birth year, for example 1984."),
            "invalid": _("Give the birth year as four digits, for example 1984."),
        },
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        help_text=_("Five digits, for example 33100."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Type the holder's postcode, five digits.")},
    )
    children = forms.IntegerField(
        label=_("Children and grandchildren under 18"),
        help_text=_("The holder's own; they get free tickets too. 0 if none."),
        min_value=0,
        max_value=MAX_CHILDREN,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Give the number of children and grandchildren under 18, 0 if none."),
            "invalid": _("Give the number of children as a whole number, 0 if none."),
            "min_value": _("Give the number of children as a whole number, 0 if none."),
            "max_value": _("Give a number from 0 to %(limit_value)s."),
        },
    )
    life_situation = forms.ChoiceField(
        label=_("Life situation"),
        choices=[("", _("not asked or not told")), *LifeSituation.choices],
        required=False,
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", _("not asked or not told")), *Gender.choices],
        required=False,
    )

    def holder(self) -> HolderData:
        data = self.cleaned_data
        return HolderData(
            birth_year=data["birth_year"],
            postcode=data["postcode"],
            children=data["children"],
            life_situation=data.get("life_situation") or "",
            gender=data.get("gender") or "",
        )

    @staticmethod
    def initial_from(card: Card) -> dict[str, Any]:
        return {name: getattr(card, name) for name in HolderData.__dataclass_fields__}


WHO5_STATEMENTS = [
    _("I have felt cheerful and in good spirits."),
    _("I have felt calm and relaxed."),
    _("I have felt active and vigorous."),
    _("I woke up feeling fresh and rested."),
    _("My daily life has been filled with things that interest me."),
]
WHO5_SCALE = [
    ("5", _("All of the time")),
    ("4", _("Most of the time")),
    ("3", _("More than half of the time")),
    ("2", _("Less than half of the time")),
    ("1", _("Some of the time")),
    ("0", _("At no time")),
]
MOOD_SCALE = [
    ("1", pgettext_lazy("mood", "1 (very bad)")),
    ("2", pgettext_lazy("mood", "2 (bad)")),
    ("3", pgettext_lazy("mood", "3 (neither good nor bad)")),
    ("4", pgettext_lazy("mood", "4 (good)")),
    ("5", pgettext_lazy("mood", "5 (very good)")),
]


class WellbeingForm(forms.Form):
    """The voluntary questionnaire, in words the worker can read aloud: all five WHO-5 statements
    about the last two weeks, or none, and today's mood. Every answer may be skipped."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, statement in enumerate(WHO5_STATEMENTS, start=1):
            self.fields[f"who5_{index}"] = forms.TypedChoiceField(
                label=statement,
                choices=WHO5_SCALE,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
            )
        self.fields["mood"] = forms.TypedChoiceField(
            label=_("How are you feeling today, from 1 (very bad) to 5 (very good)?"),
            choices=MOOD_SCALE,
            coerce=int,
            required=False,
            empty_value=None,
            widget=forms.RadioSelect(attrs={"class": "scale"}),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        answers = [data.get(f"who5_{index}") for index in range(1, 6)]
        given = [answer for answer in answers if answer is not None]
        if given and len(given) != 5:
            raise forms.ValidationError(
                _(
                    "Answer all five statements, or none of them: the score is counted from all "
                    "five. Leave them all empty if the client prefers not to answer."
                ),
                code="incomplete",
            )
        return data

    def wellbeing(self) -> Wellbeing | None:
        data = self.cleaned_data
        answers = [data.get(f"who5_{index}") for index in range(1, 6)]
        who5 = tuple(answers) if all(answer is not None for answer in answers) else None
        wellbeing = Wellbeing(who5=who5, mood=data.get("mood"))  # type: ignore[arg-type]
        return None if wellbeing.is_empty else wellbeing

    def who5_fields(self) -> list[forms.BoundField]:
        return [self[f"who5_{index}"] for index in range(1, 6)]


class Delivery:
    PAPER = "paper"
    MOBILE = "mobile"
    BOTH = "both"
    CHOICES = [
        (PAPER, _("Paper card")),
        (MOBILE, _("Mobile card")),
        (BOTH, _("Both")),
    ]


class RegisterCardForm(KeyedForm, SiteChoiceMixin, HolderForm):
    delivery = forms.ChoiceField(
        label=_("The card as"),
        choices=Delivery.CHOICES,
        initial=Delivery.PAPER,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a paper card, a mobile card or both.")},
    )
    identifier = card_number_field(
        new=True,
        required=False,
        label=_("Number of a pre-printed card"),
        help_text=_(
            "Type the number on the card, or read it with a barcode scanner or the camera. "
            "Leave empty to get a new number to print."
        ),
    )
    field_order = [
        "site",
        "birth_year",
        "postcode",
        "children",
        "life_situation",
        "gender",
        "delivery",
        "identifier",
        "key",
    ]


class RegisterCommunityCardForm(KeyedForm, SiteChoiceMixin):
    identifier = card_number_field(
        new=True,
        required=False,
        label=_("Number of a pre-printed card"),
        help_text=_(
            "Type the number on the card, or read it with a barcode scanner or the camera. "
            "Leave empty to get a new number to print."
        ),
    )
    field_order = ["site", "identifier", "key"]


class UpdateHolderForm(HolderForm):
    pass


class RenewForm(HolderForm):
    pass


class CloseCardForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is the card closed?"),
        choices=[
            (value, label) for value, label in ClosingReason.choices if value != ClosingReason.LOST
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the card is closed.")},
    )


class ReplaceCardForm(forms.Form):
    identifier = card_number_field(
        new=True,
        required=False,
        label=_("Number of the new pre-printed card"),
        help_text=_(
            "Type the number on the new card, or read it with a barcode scanner or the camera. "
            "Leave empty to get a new number to print."
        ),
    )


OFFERING_LANGUAGES = [("fi", "suomi"), ("sv", "svenska"), ("en", "English")]


class OfferingForm(forms.Form):
    language = forms.ChoiceField(
        label=_("The client's language"), choices=OFFERING_LANGUAGES, required=False
    )


class CardStockForm(forms.Form):
    region: forms.ModelChoiceField[Region] = forms.ModelChoiceField(
        label=_("Region"),
        queryset=None,
        error_messages={"required": _("Choose the region the cards are for.")},
    )
    size = forms.IntegerField(
        label=_("Number of cards"),
        min_value=1,
        initial=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Give how many card numbers to generate."),
            "invalid": _("Give the number of cards as a whole number."),
            "min_value": _("Give the number of cards as a whole number."),
        },
    )

    def __init__(self, regions: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = regions
        if len(regions) == 1:
            field.initial = regions[0].pk
