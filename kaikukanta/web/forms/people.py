"""Forms of the coordinators' and national admins' network and people pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.permissions import can_run_distributor_sites_in, can_run_venues_in
from kaikukanta.network.models import DistributorSite, Municipality, Organisation, Region, Venue


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    place = forms.ChoiceField(
        label=_("Works at"),
        help_text=_("The distributor site or venue the person works for."),
    )

    def __init__(self, *args: Any, user: Any, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = []
        if can_run_distributor_sites_in(user, region.pk):
            sites = DistributorSite.objects.filter(region=region, is_active=True).order_by("name")
            choices.append(
                (_("Distributor sites"), [(f"site:{s.pk}", s.display_name) for s in sites])
            )
        if can_run_venues_in(user, region.pk):
            venues = Venue.objects.filter(region=region).order_by("name")
            choices.append((_("Venues"), [(f"venue:{v.pk}", v.display_name) for v in venues]))
        self.fields["place"].choices = choices  # type: ignore[attr-defined]
        self.region = region

    def target(self) -> dict[str, Any]:
        kind, pk = self.cleaned_data["place"].split(":")
        if kind == "site":
            return {"distributor_site": DistributorSite.objects.get(pk=pk, region=self.region)}
        return {"venue": Venue.objects.get(pk=pk, region=self.region)}


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; not a common password."),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ. Type the same one twice."))
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class SiteForm(forms.ModelForm):
    class Meta:
        model = DistributorSite
        fields = ["name", "name_sv", "name_en", "organisation", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")  # type: ignore[attr-defined]


class VenueForm(forms.ModelForm):
    class Meta:
        model = Venue
        fields = [
            "name",
            "name_sv",
            "name_en",
            "organisation",
            "municipality",
            "category",
            "accepts_other_regions",
        ]

    def __init__(self, *args: Any, region: Region | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")  # type: ignore[attr-defined]
        # A region's venue is in one of its municipalities; a pop-up venue (no region) in any.
        municipalities = region.municipalities if region else Municipality.objects
        self.fields["municipality"].queryset = municipalities.order_by("name")  # type: ignore[attr-defined]
