"""Single sign-on through an OpenID Connect provider, in headless Chromium, against
django-oauth-toolkit's OIDC provider (tests/oidc_provider/) running as a process of its own on
127.0.0.1: discovery, the authorization code flow with PKCE (PKCE_REQUIRED: the provider refuses a
request without it and checks the verifier), the ID token
checked by Kaikukanta (a wrong issuer, a wrong audience and an expired token refused), the provider's
multi-factor standing in for the second step, and the refusals: an unknown person, a deactivated
account, a password login of an organisation that signs in through its provider."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import override_settings

from tests.oidc_support import CLIENT_ID, running_provider

from .support import assert_accessible, log_in

KEY = "testikunta"
LABEL = "Testikunnan tunnus"
SITE = "Oriveden työllisyyspalvelut"


@pytest.fixture(scope="module")
def provider(demo_server):
    """The provider of the organisation of SITE: its staff are linked by a verified address."""
    from kaikukanta.network.models import DistributorSite

    organisation = DistributorSite.objects.get(name=SITE).organisation_id
    with running_provider() as running:
        running.register(demo_server, KEY)
        config = running.settings(KEY, LABEL, ORGANISATIONS=[organisation])
        with override_settings(KAIKUKANTA_OIDC_PROVIDERS=config):
            yield running


@pytest.fixture(scope="module")
def people(demo_server, provider):
    """Two accounts of the tests' own in the demo network: distributor staff (no second step) and a
    coordinator (second step required, an authenticator already set up; linked to the provider
    earlier by an invitation, the only way a coordinator is linked)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kaikukanta.accounts.models import Role, RoleAssignment, SignInIdentity, User
    from kaikukanta.network.models import DistributorSite, Region

    site = DistributorSite.objects.get(name=SITE)
    staff = User.objects.create_user(
        "sso.jakaja", "Sso.Jakaja@Testikunta.fi", "salasana-jakajalle-1"
    )
    RoleAssignment.objects.create(user=staff, role=Role.DISTRIBUTOR_STAFF, distributor_site=site)
    coordinator = User.objects.create_user("sso.koordinaattori", "sso.koord@testikunta.fi")
    RoleAssignment.objects.create(
        user=coordinator, role=Role.COORDINATOR_SOTE, region=Region.objects.get(slug="orivesi")
    )
    TOTPDevice.objects.create(user=coordinator, name="app", confirmed=True)
    SignInIdentity.objects.create(user=coordinator, provider=KEY, subject="koordinaattori-1")
    return {"staff": staff, "coordinator": coordinator, "site": site}


def sign_in(page, *, sub, email="", verified=True, mfa=False, login_path="/login/", start=None):
    """From Kaikukanta's login page (or what `start` clicks) through the provider's own sign-in
    form and back."""
    # A person of their own at the provider: no earlier sign-in there carries over.
    page.context.clear_cookies(domain="127.0.0.1")
    if start is None:
        page.goto(login_path)
        page.get_by_role("link", name=LABEL).click()
    else:
        start()
    # The provider's authorization endpoint sends the browser to its sign-in page, to come back.
    page.wait_for_url("http://127.0.0.1:*/accounts/login/?next=**")
    authorization = parse_qs(urlsplit(page.url).query)["next"][0]
    assert urlsplit(authorization).path == "/o/authorize/"
    assert "code_challenge_method=S256" in authorization
    assert "code_challenge=" in authorization
    page.get_by_label("Subject").fill(sub)
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("E-mail verified").set_checked(verified)
    page.get_by_label("Multi-factor").set_checked(mfa)
    page.get_by_role("button", name="Sign in at the provider").click()
    page.wait_for_url(lambda url: urlsplit(url).hostname == "localhost")
    page.wait_for_load_state()


def heading(page):
    return page.get_by_role("heading", level=1).inner_text()


def audit_actions(user):
    from kaikukanta.audit.models import AuditEvent

    return list(
        AuditEvent.objects.filter(object_id=str(user.pk), action__startswith="sso.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_first_sign_in_links_by_verified_email_then_by_subject_and_logs_out(
    new_page, provider, people
):
    from kaikukanta.accounts.models import SignInIdentity

    page = new_page()
    page.goto("/login/")
    assert_accessible(page, "login page with a provider's button")
    sign_in(page, sub="jakaja-123", email="sso.jakaja@testikunta.fi")
    assert urlsplit(page.url).path not in {"/login/", "/login/two-factor/"}
    assert page.get_by_role("button", name="Kirjaudu ulos").count()
    identity = SignInIdentity.objects.get(provider=KEY, subject="jakaja-123")
    assert identity.user == people["staff"]
    assert audit_actions(people["staff"]) == ["sso.linked", "sso.signed_in"]
    # The provider issued a token for this client, checked by Kaikukanta as it came.
    issued = provider.issued()[-1]
    assert issued["aud"] == "kaikukanta-test"
    assert issued["sub"] == "jakaja-123"

    # Logging out ends Kaikukanta's session and offers the provider's own log-out.
    page.get_by_role("button", name="Kirjaudu ulos").click()
    page.wait_for_url("**/logout/done/")
    assert heading(page) == "Olet kirjautunut ulos"
    assert_accessible(page, "logged out, the provider's log-out offered")
    with page.expect_request("http://127.0.0.1:*/o/logout/?**") as logout:
        page.get_by_role("link", name=f"Kirjaudu ulos myös palvelusta {LABEL}").click()
    assert "id_token_hint=" in logout.value.url
    # The provider accepted the ID token as its own and sent the browser back to the registered
    # address: Kaikukanta's login page.
    page.wait_for_url(lambda url: urlsplit(url).hostname == "localhost")
    assert urlsplit(page.url).path == "/login/"
    page.goto("/cards/")
    assert urlsplit(page.url).path == "/login/"

    # Later, the subject alone counts: another e-mail address, unverified, still the same account.
    sign_in(page, sub="jakaja-123", email="toinen@example.fi", verified=False)
    assert page.get_by_role("button", name="Kirjaudu ulos").count()
    assert SignInIdentity.objects.filter(user=people["staff"]).count() == 1


def test_the_provider_refuses_an_authorization_request_without_pkce(
    new_page, provider, demo_server
):
    # What a client without PKCE would send: the provider answers with an error, not a code.
    callback = f"{demo_server}/login/sso/{KEY}/callback/"
    query = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": callback,
        "scope": "openid email",
        "state": "no-pkce",
        "nonce": "no-pkce",
    }
    page = new_page()
    page.goto(f"{provider.base_url}/authorize/?{urlencode(query)}")
    page.get_by_label("Subject").fill("ilman-pkce")
    with page.expect_request(f"{callback}?**") as answer:
        page.get_by_role("button", name="Sign in at the provider").click()
    answered = parse_qs(urlsplit(answer.value.url).query)
    assert answered["error"] == ["invalid_request"]
    assert "code challenge required" in answered["error_description"][0].lower()
    assert "code" not in answered
    page.wait_for_load_state()
    assert heading(page) == "Et ole kirjautunut sisään"


@pytest.mark.parametrize(
    ("misbehaviour", "fault"),
    [
        ("wrong_iss", "InvalidClaimError"),
        ("wrong_aud", "InvalidClaimError"),
        ("expired", "ExpiredTokenError"),
    ],
)
def test_a_token_that_fails_its_checks_is_refused(
    new_page, provider, people, misbehaviour, fault, caplog
):
    page = new_page()
    provider.control(id_token=misbehaviour)
    try:
        sign_in(page, sub="jakaja-123", email="sso.jakaja@testikunta.fi")
    finally:
        provider.control(id_token="ok")
    assert heading(page) == "Et ole kirjautunut sisään"
    assert "ei voitu varmistaa" in page.locator(".sso-refusal").inner_text()
    page.goto("/cards/")
    assert urlsplit(page.url).path == "/login/"
    # Refused for the claim the provider got wrong (the log names the fault's kind only).
    assert f"Sign-in through {KEY} refused: {fault}" in caplog.text
    assert provider.issued()[-1]["aud"] == (
        "another-client" if misbehaviour == "wrong_aud" else "kaikukanta-test"
    )


def test_an_unknown_person_is_told_to_ask_for_an_invitation(new_page, provider, people):
    from kaikukanta.accounts.models import User

    users = User.objects.count()
    page = new_page()
    sign_in(page, sub="tuntematon-1", email="tuntematon@testikunta.fi")
    assert heading(page) == "Kaikukanta-tiliä ei vielä ole"
    assert "Pyydä koordinaattoriltasi kutsu" in page.locator(".sso-refusal").inner_text()
    assert_accessible(page, "unknown person")
    # An address that matches an account but which the provider has not verified links nothing.
    sign_in(page, sub="tuntematon-2", email="sso.koord@testikunta.fi", verified=False)
    assert heading(page) == "Kaikukanta-tiliä ei vielä ole"
    assert User.objects.count() == users
    # The same page in Swedish and English.
    for locale, title in (
        ("sv-FI", "Inget Kaikukanta-konto ännu"),
        ("en-GB", "No Kaikukanta account yet"),
    ):
        other = new_page(locale=locale)
        sign_in(other, sub="tuntematon-3", email="")
        assert heading(other) == title


def test_the_providers_multi_factor_stands_in_for_the_second_step(new_page, provider, people):
    with_mfa = new_page()
    sign_in(with_mfa, sub="koordinaattori-1", email="sso.koord@testikunta.fi", mfa=True)
    assert urlsplit(with_mfa.url).path == "/regions/orivesi/"

    without = new_page()
    sign_in(without, sub="koordinaattori-1", email="", mfa=False)
    assert urlsplit(without.url).path == "/login/two-factor/"
    assert without.get_by_label("Koodi").is_visible()
    # Held there: no other page until the code.
    without.goto("/regions/orivesi/")
    assert urlsplit(without.url).path == "/login/two-factor/"


def test_a_deactivated_account_is_refused_whatever_the_provider_says(new_page, provider, people):
    from kaikukanta.accounts.models import Role, RoleAssignment, SignInIdentity, User

    closed = User.objects.create_user("sso.suljettu", "sso.suljettu@testikunta.fi")
    RoleAssignment.objects.create(
        user=closed, role=Role.DISTRIBUTOR_STAFF, distributor_site=people["site"]
    )
    SignInIdentity.objects.create(user=closed, provider=KEY, subject="suljettu-1")
    User.objects.filter(pk=closed.pk).update(is_active=False)
    page = new_page()
    sign_in(page, sub="suljettu-1", email="sso.suljettu@testikunta.fi", mfa=True)
    assert heading(page) == "Et ole kirjautunut sisään"
    assert "poistettu käytöstä" in page.locator(".sso-refusal").inner_text()
    assert audit_actions(closed) == ["sso.refused"]


def test_password_login_is_refused_for_an_organisation_that_signs_in_through_its_provider(
    new_page, provider, people
):
    from kaikukanta.audit.models import AuditEvent

    organisation = people["site"].organisation_id
    page = new_page()
    with override_settings(
        KAIKUKANTA_OIDC_PROVIDERS=provider.settings(
            KEY, LABEL, ORGANISATIONS=[organisation], PASSWORD_LOGIN_OFF=True
        )
    ):
        page.goto("/login/")
        page.get_by_label("Käyttäjätunnus").fill("sso.jakaja")
        page.get_by_label("Salasana").fill("salasana-jakajalle-1")
        page.get_by_role("button", name="Kirjaudu sisään").click()
        page.locator(".error-summary, .errorlist").first.wait_for()
        assert f"käytä salasanan sijaan alla olevaa painiketta ”{LABEL}”" in page.content()
        assert urlsplit(page.url).path == "/login/"
        assert AuditEvent.objects.filter(
            action="password.login_refused", object_id=str(people["staff"].pk)
        ).exists()
        # The button it points to works.
        sign_in(page, sub="jakaja-123", email="sso.jakaja@testikunta.fi")
        assert page.get_by_role("button", name="Kirjaudu ulos").count()


def test_an_invitation_links_the_identity_instead_of_a_password(new_page, provider, people):
    from kaikukanta.accounts.models import Role, SignInIdentity, User
    from kaikukanta.accounts.services import invite_staff

    secrets: list[str] = []
    invited, invitation = invite_staff(
        actor=User.objects.get(username="orivesi.sote"),
        email="kutsuttu@testikunta.fi",
        first_name="Kutsuttu",
        last_name="Jakaja",
        role=Role.DISTRIBUTOR_STAFF,
        distributor_site=people["site"],
        link_for=lambda secret: secrets.append(secret) or f"/invitation/{secret}/",
    )
    page = new_page()
    # A link from elsewhere naming the invitation (a login CSRF: someone else's browser sent through
    # its provider to be linked to this invitation) links nothing and leaves the invitation open.
    sign_in(
        page,
        sub="joku-muu",
        email="joku.muu@example.fi",
        verified=False,
        start=lambda: page.goto(f"/login/sso/{KEY}/?invitation={secrets[0]}&invited=1"),
    )
    assert heading(page) == "Kaikukanta-tiliä ei vielä ole"
    assert not SignInIdentity.objects.filter(subject="joku-muu").exists()
    invitation.refresh_from_db()
    assert invitation.used_at is None

    # The provider knows the person by another address, unverified: the invitation's own button
    # (a POST from its page) links them.
    def through_the_invitation():
        page.goto(f"/invitation/{secrets[0]}/")
        page.get_by_role("button", name=LABEL).click()
        assert invited.username in page.locator("main").inner_text()
        assert_accessible(page, "the invitation's way to the provider")
        page.get_by_role("link", name="Jatka").click()

    sign_in(
        page,
        sub="kutsuttu-1",
        email="k.jakaja@example.fi",
        verified=False,
        start=through_the_invitation,
    )
    assert page.get_by_role("button", name="Kirjaudu ulos").count()
    assert SignInIdentity.objects.get(provider=KEY, subject="kutsuttu-1").user == invited
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    # The link is used up.
    page.goto(f"/invitation/{secrets[0]}/")
    assert heading(page) == "Linkki ei toimi"


def test_a_coordinator_links_the_identity_while_logged_in_and_then_signs_in_with_it(
    new_page, provider, people
):
    """No address links a coordinator (a provider could assert anyone's): they link their identity
    themselves, logged in with the password and the second step, on their own two-factor page."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kaikukanta.accounts.models import Role, RoleAssignment, SignInIdentity, User
    from kaikukanta.network.models import Region

    password = "salasana-koordinaattorille-2"
    coordinator = User.objects.create_user("sso.koord2", "sso.koord2@testikunta.fi", password)
    RoleAssignment.objects.create(
        user=coordinator, role=Role.COORDINATOR_SOTE, region=Region.objects.get(slug="orivesi")
    )
    TOTPDevice.objects.create(user=coordinator, name="app", confirmed=True)
    page = new_page()
    sign_in(page, sub="koordinaattori-2", email="sso.koord2@testikunta.fi", mfa=True)
    assert heading(page) == "Kaikukanta-tiliä ei vielä ole"

    log_in(page, "sso.koord2", password)
    page.goto("/two-factor/")
    assert_accessible(page, "own two-factor page with the provider's link button")
    sign_in(
        page,
        sub="koordinaattori-2",
        mfa=True,
        start=lambda: (
            page.get_by_role("button", name=f"Liitä palveluun {LABEL}").click(),
            assert_accessible(page, "the link's next step"),
            page.get_by_role("link", name="Jatka").click(),
        ),
    )
    assert urlsplit(page.url).path == "/two-factor/"
    assert f"Liitetty palveluun {LABEL}." in page.content()
    assert SignInIdentity.objects.get(provider=KEY, subject="koordinaattori-2").user == coordinator
    assert audit_actions(coordinator)[-1] == "sso.linked"

    page.get_by_role("button", name="Kirjaudu ulos").click()
    page.wait_for_url("**/login/")
    sign_in(page, sub="koordinaattori-2", mfa=True)
    assert urlsplit(page.url).path == "/regions/orivesi/"
