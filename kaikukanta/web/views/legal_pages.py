"""The national administrator keeps the texts of the accessibility statement and the privacy notice
(public/legal.py has their defaults; public/services.py saves them)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from kaikukanta.core.errors import DomainError
from kaikukanta.public import legal
from kaikukanta.public.models import LegalPage
from kaikukanta.public.services import save_legal_page

from ..access import NATIONAL, requires
from ..forms import add_domain_error
from ..forms.legal_pages import LegalPageForm


@requires(NATIONAL)
def legal_pages(request: HttpRequest) -> HttpResponse:
    pages = [(kind, label, legal.shown(kind)) for kind, label in LegalPage.Kind.choices]
    return render(request, "web/legal_pages/list.html", {"pages": pages})


@requires(NATIONAL)
def legal_page(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in LegalPage.Kind.values:
        raise Http404
    # The form shows what each language's page shows now: the own text, or the default to edit.
    initial = {
        name: legal.shown(kind, language).text for language, name in legal.FIELD_OF_LANGUAGE.items()
    }
    form = LegalPageForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_legal_page(actor=request.user, kind=kind, values=form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The page was saved."))
            return redirect("web:legal_pages")
    context = {"form": form, "kind": kind, "title": LegalPage.Kind(kind).label}
    return render(request, "web/legal_pages/edit.html", context)


urlpatterns = [
    path("national/legal-pages/", legal_pages, name="legal_pages"),
    path("national/legal-pages/<str:kind>/", legal_page, name="legal_page"),
]
