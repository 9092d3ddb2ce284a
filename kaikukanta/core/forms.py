"""How a service's refusals reach a Django form: any app's forms (the staff pages', the admin's)."""

from __future__ import annotations

from django import forms

from .errors import DomainError, refusals_of


def field_for(form: forms.BaseForm, error: DomainError) -> str | None:
    """The field of `form` a refusal concerns: the error's own field when the form has one by that
    name, or the one the form's `field_for_error(error)` names (a questionnaire points a "wellbeing"
    refusal at its first question left unanswered); None when the form has no such field."""
    hook = getattr(form, "field_for_error", None)
    named = hook(error) if hook is not None else None
    if named in form.fields:
        return str(named)
    return error.field if error.field in form.fields else None


def add_domain_error(form: forms.BaseForm, error: DomainError, *others: forms.BaseForm) -> None:
    """Show a service's refusals (one, or all of a `Refusals`) beside the fields they concern, in
    `form` or one of the `others` shown with it, or above `form` when no field is theirs.

    A field that already shows the form's own message (nothing typed, not a number) keeps it: the
    service was told nothing it could judge there, and one message per field is enough."""
    for refusal in refusals_of(error):
        for candidate in (form, *others):
            field = field_for(candidate, refusal)
            if field is not None:
                if not candidate.has_error(field):
                    candidate.add_error(field, refusal.message)
                break
        else:
            form.add_error(None, refusal.message)
