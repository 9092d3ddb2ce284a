"""Forms check the shape of what was typed; the Kaikukortti rules themselves live in the services.

A service's refusal reaches a form through `add_domain_error`: the error names the field it concerns
(`DomainError.field`, the service's own parameter name), and a form names its fields the same way, so
no view maps errors to fields by hand.
"""

from __future__ import annotations

from django import forms

from kaikukanta.core.errors import DomainError

card_number_attrs = {
    "autocomplete": "off",
    "autocapitalize": "characters",
    "spellcheck": "false",
    "inputmode": "text",
    "class": "card-number",
}


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal beside the field it concerns, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
