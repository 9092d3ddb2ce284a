"""The public front page, the accessibility statement and privacy notice (their defaults and the
national administrator's own texts), and the catalogue's search words."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.core.errors import DomainError
from kaikukanta.network.models import DistributorSite, Venue
from kaikukanta.public import legal
from kaikukanta.public.models import LegalPage
from kaikukanta.public.services import save_legal_page

from ..conftest import on_day
from .test_mobile_card import text_of


def test_the_front_page_lists_where_to_get_a_card_and_no_people(world, client_as):
    DistributorSite.objects.create(
        organisation=world.alpha_site.organisation,
        region=world.alpha,
        name="Lopettanut toimipiste",
        is_active=False,
    )
    response = client_as("anonymous").get("/")
    assert response.status_code == 200
    text = text_of(response)
    assert "The Kaikukortti is a free, personal card" in text
    for name in ["Aikuispsykiatria Alfala", "Yhdistys ry", "Sosiaalityö Beetala"]:
        assert name in text
    assert "Lopettanut toimipiste" not in text  # a site that left the network hands out nothing
    for user in [
        world.alpha_distributor,
        world.alpha_other_distributor,
        world.alpha_sote_coordinator,
    ]:
        assert user.username not in text
    assert reverse("web:login") in response.content.decode()


def test_a_region_whose_pilot_ended_is_not_where_to_get_a_card(world, client_as):
    with on_day(dt.date(2027, 1, 15)):
        text = text_of(client_as("anonymous").get("/"))
    assert "Aikuispsykiatria Alfala" in text
    assert "Sosiaalityö Beetala" not in text


def test_signed_in_staff_go_to_their_workspace(client_as):
    response = client_as("alpha_distributor").get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:distributor")


@pytest.mark.parametrize(
    ("language", "heading", "authority"),
    [
        ("fi", "Valvontaviranomainen", "Liikenne- ja viestintävirasto Traficom"),
        ("sv", "Tillsynsmyndighet", "Transport- och kommunikationsverket Traficom"),
        ("en", "Enforcement authority", "Finnish Transport and Communications Agency Traficom"),
    ],
)
def test_the_accessibility_statement_says_what_the_law_asks_in_each_language(
    world, client_as, language, heading, authority
):
    response = client_as("anonymous").get(reverse("public:accessibility"), {"lang": language})
    html = response.content.decode()
    assert f"<h2>{heading}</h2>" in html
    assert authority in html
    assert '<a href="http://www.saavutettavuusvaatimukset.fi"' in html
    assert "6.12.2026" in html
    # Every page's footer links both.
    assert reverse("public:privacy") in html


def test_the_national_administrator_writes_a_page_of_their_own(world, client_as):
    save_legal_page(
        actor=world.national,
        kind=LegalPage.Kind.PRIVACY,
        values={"text": "", "text_sv": "", "text_en": "## Controller\n\nUs <b>bold</b>."},
    )
    event = AuditEvent.objects.get(action=Action.OBJECT_CHANGED, object_type="public.legalpage")
    assert event.data == {"fields": ["text_en"]}  # which text, never the text
    client = client_as("anonymous")
    english = client.get(reverse("public:privacy"), {"lang": "en"}).content.decode()
    assert "<p>Us &lt;b&gt;bold&lt;/b&gt;.</p>" in english
    finnish = client.get(reverse("public:privacy"), {"lang": "fi"}).content.decode()
    assert "<h2>Rekisterinpitäjä</h2>" in finnish  # the default where none was written


@pytest.mark.parametrize(
    ("language", "holder_data", "logins", "changed"),
    [
        ("fi", "poistetaan 2 vuoden kuluttua siitä", "poistetaan 90 päivän kuluttua", "3 vuoden"),
        ("sv", "raderas 2 år efter att kortet stängdes", "raderas efter 90 dagar", "3 år"),
        ("en", "deleted 2 years after the card was", "deleted after 90 days", "3 years"),
    ],
)
def test_the_privacy_notice_states_the_retention_periods_the_purge_applies(
    world, client_as, settings, language, holder_data, logins, changed
):
    client = client_as("anonymous")
    notice = text_of(client.get(reverse("public:privacy"), {"lang": language}))
    assert holder_data in notice
    assert logins in notice
    assert "{holder_data}" not in notice
    settings.KAIKUKANTA_RETAIN_HOLDER_DATA_YEARS = 3
    notice = text_of(client.get(reverse("public:privacy"), {"lang": language}))
    assert changed in notice
    assert holder_data not in notice


def test_the_national_administrators_notice_is_shown_as_they_wrote_it(world, client_as, settings):
    own = "## Säilytys\n\nTiedot poistetaan {holder_data} jälkeen, tai 7 vuoden kuluttua."
    save_legal_page(actor=world.national, kind=LegalPage.Kind.PRIVACY, values={"text": own})
    settings.KAIKUKANTA_RETAIN_HOLDER_DATA_YEARS = 3
    notice = text_of(client_as("anonymous").get(reverse("public:privacy"), {"lang": "fi"}))
    assert "Tiedot poistetaan {holder_data} jälkeen, tai 7 vuoden kuluttua." in notice
    assert "3 vuoden" not in notice


def test_saving_the_default_notice_as_shown_writes_nothing(world, client_as):
    client = client_as("national")
    form = client.get(reverse("web:legal_page", args=["privacy"])).context["form"]
    client.post(reverse("web:legal_page", args=["privacy"]), form.initial)
    assert not LegalPage.objects.exists()


def test_saving_the_default_or_nothing_writes_nothing(world):
    kind = LegalPage.Kind.ACCESSIBILITY
    values = {"text": legal.ACCESSIBILITY_FI, "text_sv": "", "text_en": legal.ACCESSIBILITY_EN}
    save_legal_page(actor=world.national, kind=kind, values=values)
    assert not LegalPage.objects.exists()
    assert not AuditEvent.objects.exists()


def test_only_the_national_administrator_changes_a_legal_page(world):
    with pytest.raises(DomainError) as refused:
        save_legal_page(
            actor=world.alpha_coordinator, kind=LegalPage.Kind.PRIVACY, values={"text": "Toinen."}
        )
    assert refused.value.status == 403
    assert not LegalPage.objects.exists()


def test_the_form_starts_from_the_text_shown(world, client_as):
    client = client_as("national")
    page = client.get(reverse("web:legal_page", args=["accessibility"])).content.decode()
    assert "## Enforcement authority" in page
    response = client.post(
        reverse("web:legal_page", args=["accessibility"]),
        {"text": "", "text_sv": "", "text_en": "x" * 20001},
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 20000 characters" in text_of(response)
    assert not LegalPage.objects.exists()


@pytest.fixture
def swimming_halls(world):
    names = ["Alfalan uimahalli", "Beetalan uimahallit", "Uimahali Pop"]
    for name, region in zip(names, [world.alpha, world.beta, world.alpha], strict=True):
        Venue.objects.create(
            organisation=world.alpha_venue.organisation,
            region=region,
            name=name,
            category="sports",
        )
    return names


def search(client, words):
    return text_of(client.get(reverse("public:catalogue"), {"q": words}))


def test_search_words_are_found_as_typed_on_every_database(swimming_halls, client_as):
    text = search(client_as("anonymous"), "uimahalli")
    assert "Alfalan uimahalli" in text
    assert "Beetalan uimahallit" in text
    assert "Alfalan museo" not in text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram search: PostgreSQL")
@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("uimahalli", 3),
        ("uimahali", 3),
        ("UIMAHALLIT", 3),
        # Another ending is found, but not another ending and a typo at once.
        ("uimahallissa", 2),
    ],
)
def test_search_forgives_a_typo_and_another_ending(swimming_halls, client_as, words, found):
    text = search(client_as("anonymous"), words)
    assert [name for name in swimming_halls if name in text] == swimming_halls[:found]
    assert "Alfalan museo" not in text
    assert "Alfalan opisto" not in text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram search: PostgreSQL")
def test_a_short_word_is_not_stretched_to_another(swimming_halls, client_as):
    text = search(client_as("anonymous"), "uim")  # found as typed, no similar words
    assert "Alfalan uimahalli" in text
    assert "Alfalan museo" not in text


def test_a_regions_page_filters_like_the_catalogue(world, swimming_halls, client_as):
    url = reverse("public:catalogue_region", args=["alpha"])
    text = text_of(client_as("anonymous").get(url, {"category": "sports", "region": "beta"}))
    assert "Alfalan uimahalli" in text
    assert "Alfalan museo" not in text
    assert "Beetalan uimahallit" not in text  # the address's region, whatever the filter says
