from django import forms
from django.utils.translation import gettext_lazy as _

from kaikukanta.core.dates import today


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
