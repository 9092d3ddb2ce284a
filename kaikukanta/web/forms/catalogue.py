from __future__ import annotations

from django import forms
from django.db import models

from kaikukanta.network.catalogue import REGION_FIELDS
from kaikukanta.network.models import Region, Venue


def _https_by_default(field, **kwargs):
    """A web page typed without its scheme is taken as https://, as browsers do today."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class VenueEntryForm(forms.ModelForm):
    class Meta:
        model = Venue
        formfield_callback = _https_by_default
        fields = list(Venue.CATALOGUE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_sv": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "accessibility": forms.Textarea(attrs={"rows": 3}),
            "accessibility_sv": forms.Textarea(attrs={"rows": 3}),
            "accessibility_en": forms.Textarea(attrs={"rows": 3}),
        }


class RegionDescriptionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = list(REGION_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in REGION_FIELDS}
