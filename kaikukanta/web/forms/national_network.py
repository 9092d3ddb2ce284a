"""Forms of the national administrators' network pages: regions, their responsible persons,
pop-up venues and ticket agencies. The rules themselves (a pilot's period, an unused address name, a
pop-up's period) are the services' (network/services.py); these check the shape of what was typed."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.models import Role, User
from kaikukanta.network.models import Municipality, Organisation, Region, TicketAgency, Venue

from .people import VenueForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SIDES = [
    (Role.COORDINATOR_CULTURE.value, _("Culture side (venues)")),
    (Role.COORDINATOR_SOTE.value, _("Social and health side (distributor sites)")),
]


class RegionForm(forms.ModelForm):
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities"),
        queryset=Municipality.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one municipality.")},
    )

    class Meta:
        model = Region
        fields = [
            "name",
            "name_sv",
            "name_en",
            "slug",
            "county",
            "municipalities",
            "status",
            "pilot_starts",
            "pilot_ends",
        ]
        labels = {"slug": _("Address name")}
        help_texts = {
            "slug": _("Lower-case letters, digits and hyphens, for the page addresses: tampere."),
            "pilot_starts": _("Required for a pilot."),
            "pilot_ends": _("Required for a pilot; on or after the first day."),
        }
        widgets = {
            "pilot_starts": DATE,
            "pilot_ends": DATE,
            "status": forms.RadioSelect,
        }
        error_messages = {
            "name": {"required": _("Give the region's name in Finnish.")},
            "slug": {
                "required": _("Give an address name, for example tampere."),
                "unique": _(
                    "Another region already has this address name. Choose another one, for "
                    "example with the municipality's name."
                ),
                "invalid": _(
                    "Use only lower-case letters, digits and hyphens, for example pori-ulvila."
                ),
            },
            "status": {"required": _("Choose pilot or permanent.")},
            "pilot_starts": {"invalid": _("Give the date as d.m.yyyy, for example 1.9.2026.")},
            "pilot_ends": {"invalid": _("Give the date as d.m.yyyy, for example 31.12.2027.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelMultipleChoiceField", self.fields["municipalities"])
        field.queryset = Municipality.objects.order_by("name")
        self.fields["county"].queryset = self.fields["county"].queryset.order_by("name")  # type: ignore[attr-defined]
        self.fields["status"].choices = Region.Status.choices  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["municipalities"] = list(
                self.instance.municipalities.values_list("pk", flat=True)
            )
        # Where each municipality already is: told beside its name, not refused (see save_region).
        elsewhere: dict[int, list[str]] = defaultdict(list)
        for municipality, region in Region.municipalities.through.objects.exclude(
            region_id=self.instance.pk
        ).values_list("municipality_id", "region__name"):
            elsewhere[municipality].append(region)
        field.label_from_instance = lambda m: (  # type: ignore[method-assign,assignment]
            f"{m.display_name} ({', '.join(elsewhere[m.pk])})"
            if elsewhere[m.pk]
            else m.display_name
        )


class AssignForm(forms.Form):
    role = forms.ChoiceField(label=_("Side"), choices=SIDES, widget=forms.RadioSelect)
    user = forms.ModelChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        help_text=_("Staff members with an account. Someone new: invite them below."),
        error_messages={"required": _("Choose the person.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[User]", self.fields["user"])
        # People, not the accounts that ticket agencies' API tokens act as (api.services).
        field.queryset = (
            User.objects.filter(is_active=True)
            .exclude(api_tokens__agency__isnull=False)
            .distinct()
            .order_by("last_name", "first_name")
        )
        field.label_from_instance = lambda u: f"{u.display_name} ({u.email or u.username})"  # type: ignore[method-assign,assignment]


class InviteResponsibleForm(forms.Form):
    role = forms.ChoiceField(label=_("Side"), choices=SIDES, widget=forms.RadioSelect)
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "invite")
        super().__init__(*args, **kwargs)


class PopupVenueForm(VenueForm):
    """A pop-up venue: the coordinators' venue form (people.VenueForm) with the period and without
    a region; the period's rule is save_venue's."""

    class Meta(VenueForm.Meta):
        fields = [
            "name",
            "name_sv",
            "name_en",
            "organisation",
            "municipality",
            "category",
            "active_from",
            "active_until",
        ]
        widgets = {"active_from": DATE, "active_until": DATE}
        help_texts = {
            "active_from": _("The first day the venue accepts cards."),
            "active_until": _("The last day; on or after the first."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, region=None, **kwargs)
        self.fields["active_from"].required = True
        self.fields["active_until"].required = True
        self.fields["active_from"].error_messages["required"] = _("Give the first day.")
        self.fields["active_until"].error_messages["required"] = _("Give the last day.")


POPUP_STATES = [
    ("", _("All")),
    ("running", _("Running")),
    ("upcoming", _("Upcoming")),
    ("ended", _("Ended")),
]


class PopupFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Period"), choices=POPUP_STATES, required=False)
    q = forms.CharField(label=_("Name contains"), required=False, max_length=100)


class AgencyForm(forms.ModelForm):
    venues = forms.ModelMultipleChoiceField(
        label=_("Venues it sells tickets for"),
        queryset=Venue.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = TicketAgency
        fields = ["name", "name_sv", "name_en", "organisation", "venues"]
        error_messages = {
            "name": {"required": _("Give the agency's name in Finnish.")},
            "organisation": {"required": _("Choose the organisation that runs the agency.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")  # type: ignore[attr-defined]
        field = cast("forms.ModelMultipleChoiceField", self.fields["venues"])
        venues = Venue.objects.select_related("region").order_by("region__name", "name")
        field.queryset = venues
        # Grouped by region (pop-up venues last): a fieldset per region on the page.
        groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for venue in venues:
            group = venue.region.display_name if venue.region else str(_("Pop-up venues"))
            groups[group].append((venue.pk, venue.display_name))
        popups = groups.pop(str(_("Pop-up venues")), None)
        choices = sorted(groups.items())
        if popups:
            choices.append((str(_("Pop-up venues")), popups))
        field.choices = choices
        self.venue_choices = choices

    def venue_groups(self) -> list[tuple[str, list[Any]]]:
        """The venues' checkboxes by region, in the order of the field's grouped choices."""
        boxes = iter(self["venues"])
        return [(group, [next(boxes) for _venue in venues]) for group, venues in self.venue_choices]


class OrganisationForm(forms.ModelForm):
    """An organisation that runs a pop-up venue, a ticket agency, distributor sites or venues."""

    class Meta:
        model = Organisation
        fields = ["name", "name_sv", "name_en", "kind"]
        widgets = {"kind": forms.RadioSelect}
        error_messages = {
            "name": {"required": _("Give the organisation's name in Finnish.")},
            "kind": {"required": _("Choose the kind of organisation.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Organisation.Kind.choices  # type: ignore[attr-defined]


class AgencyTokenForm(forms.Form):
    """An API token for the agency's system, made on the agency's own page: for venues it sells for
    only (create_agency_token checks the same)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The agency's system that will use the token, for example “Web shop”."),
        error_messages={"required": _("Give the token a name.")},
    )
    venues = forms.ModelMultipleChoiceField(
        label=_("Venues"),
        queryset=Venue.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The venues the agency sells for; the token acts for those chosen only."),
        error_messages={"required": _("Choose at least one venue.")},
    )

    def __init__(self, agency: TicketAgency, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "token")
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelMultipleChoiceField", self.fields["venues"])
        field.queryset = agency.venues.order_by("name")
