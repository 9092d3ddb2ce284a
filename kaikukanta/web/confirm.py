"""The second step of an action that cannot be taken back lightly (deactivating an account, resetting
someone's two-factor authentication, revoking an API token): a page that says what will happen and
how it is undone, where it can be. It works without JavaScript; the action's view acts only on a POST
that carries the page's `confirmed` field, and shows this page for anything else."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED = "confirmed"


def confirmed(request: HttpRequest) -> bool:
    """Whether this is the confirmation page's own POST."""
    return request.method == "POST" and request.POST.get(CONFIRMED) == "yes"


def confirmation(
    request: HttpRequest,
    *,
    title: str,
    happens: Sequence[str],
    undo: str,
    button: str,
    cancel_url: str,
    next_url: str = "",
    form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page; `form`, the action's own choices (a reason from a list), shown above the button
    with the error summary when they were sent wrong (`status` 422)."""
    return render(
        request,
        "web/confirm.html",
        {
            "title": title,
            "happens": happens,
            "undo": undo,
            "button": button,
            "cancel_url": cancel_url,
            "next": next_url,
            "form": form,
        },
        status=status,
    )
