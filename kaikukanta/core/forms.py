"""How a service's refusal reaches a Django form: any app's forms (the staff pages', the admin's)."""

from __future__ import annotations

from django import forms

from .errors import DomainError


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal beside the field it concerns, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
