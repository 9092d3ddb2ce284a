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

from kaikukanta.cards.models import Card, ClosingReason, Gender, LifeSituation
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

    def offer_sites(
        self, sites: QuerySet[DistributorSite], last: DistributorSite | None = None
    ) -> None:
        """Offer `sites`; `last`, the site the worker registered their latest card at, is chosen
        in advance when it is one of them."""
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sites
        self.only_site = sites[0] if len(sites) == 1 else None
        if last is not None and self.only_site is None and last in sites:
            field.initial = last.pk
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
        initial=0,
        # How many children a card may carry is the service's rule (ChildrenInvalid), not the form's.
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Give the number of children and grandchildren under 18, 0 if none."),
            "invalid": _("Give the number of children as a whole number, 0 if none."),
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
        """The holder data as read; a field the form could not read is None, for the service to
        refuse too (its own message stays beside the field: forms.add_domain_error)."""
        data = self.cleaned_data
        return HolderData(
            birth_year=data.get("birth_year"),  # type: ignore[arg-type]
            postcode=data.get("postcode"),  # type: ignore[arg-type]
            children=data.get("children"),  # type: ignore[arg-type]
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


NO_ANSWER = ("", pgettext_lazy("questionnaire", "No answer"))
WELLBEING_FIELDS = [*(f"who5_{index}" for index in range(1, 6)), "mood"]


class WellbeingForm(forms.Form):
    """The voluntary questionnaire, in words the worker can read aloud: the five WHO-5 statements
    about the last two weeks, and today's mood. Each question has an explicit "no answer"; the form
    only reads the answers, and the service decides (all five statements or none: the score is
    counted from all five)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, statement in enumerate(WHO5_STATEMENTS, start=1):
            self.fields[f"who5_{index}"] = forms.TypedChoiceField(
                label=statement,
                choices=[*WHO5_SCALE, NO_ANSWER],
                coerce=int,
                required=False,
                empty_value=None,
                initial="",
                widget=forms.RadioSelect(attrs={"class": "scale"}),
            )
        self.fields["mood"] = forms.TypedChoiceField(
            label=_("How are you feeling today, from 1 (very bad) to 5 (very good)?"),
            choices=[*MOOD_SCALE, NO_ANSWER],
            coerce=int,
            required=False,
            empty_value=None,
            initial="",
            widget=forms.RadioSelect(attrs={"class": "scale"}),
        )

    def wellbeing(self) -> Wellbeing | None:
        """The answers as given, unanswered ones as None: the service refuses some-but-not-all."""
        data = self.cleaned_data
        answers = tuple(data.get(f"who5_{index}") for index in range(1, 6))
        wellbeing = Wellbeing(
            who5=None if all(answer is None for answer in answers) else answers,
            mood=data.get("mood"),
        )
        return None if wellbeing.is_empty else wellbeing

    def field_for_error(self, error: Any) -> str | None:
        """A refusal of the questionnaire is shown at the first statement left unanswered (the
        summary's link leads there), or at the first one when all are answered."""
        if error.field != "wellbeing":
            return None
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        for index in range(1, 6):
            if data.get(f"who5_{index}") is None:
                return f"who5_{index}"
        return "who5_1"

    def has_answers(self) -> bool:
        """Anything chosen, or refused: the questionnaire is then shown open, never folded away."""
        if not self.is_bound:
            return False
        if self.errors:
            return True
        return any(self.data.get(self.add_prefix(name)) for name in WELLBEING_FIELDS)

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
