from django import forms
from django.utils.translation import gettext_lazy as _

from kaikukanta.audit.models import Action

from .uses import DateRangeForm


class AuditFilterForm(DateRangeForm):
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("all")), *Action.choices], required=False
    )
    region = forms.ModelChoiceField(label=_("Region"), queryset=None, required=False)

    def __init__(self, regions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if len(regions) > 1:
            self.fields["region"].queryset = regions
            self.fields["region"].empty_label = _("all regions")
        else:
            del self.fields["region"]
