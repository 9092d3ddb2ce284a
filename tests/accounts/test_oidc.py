"""Single sign-on's rules (accounts/oidc.py) on the claims of an ID token that passed its checks (the
checks themselves and the whole flow: tests/browser/test_sso.py, against a provider process): how an
identity is linked, who is refused, what counts as multi-factor, which password logins are refused,
and what the audit trail keeps."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from kaikukanta.accounts import oidc
from kaikukanta.accounts.errors import (
    SignInAccountClosed,
    SignInIdentityTaken,
    SignInUnknownPerson,
)
from kaikukanta.accounts.models import Role, RoleAssignment, SignInIdentity, User
from kaikukanta.accounts.services import accept_invitation, invite_staff
from kaikukanta.audit.models import AuditEvent

from ..conftest import PASSWORD

KEY = "kunta"
CONFIG = {
    "CLIENT_ID": "kaikukanta",
    "CLIENT_SECRET": "secret",
    "DISCOVERY_URL": "https://idp.example.fi/.well-known/openid-configuration",
    "LABEL": "Kunnan tunnus",
    "MFA_ACR": "",
    "ORGANISATIONS": [],
    "PASSWORD_LOGIN_OFF": False,
}


@pytest.fixture
def found(world):
    """The provider of the organisation of alpha's distributor site (its staff link by e-mail)."""
    config = {**CONFIG, "ORGANISATIONS": [world.alpha_site.organisation_id]}
    with override_settings(KAIKUKANTA_OIDC_PROVIDERS={KEY: config}):
        yield oidc.provider(KEY)


def with_email(user, email):
    user.email = email
    user.save(update_fields=["email"])
    return user


def claims(sub, email="", verified=True, **more):
    return {"sub": sub, "email": email, "email_verified": verified, **more}


def test_a_verified_address_of_one_active_account_links_it_once(world, found):
    staff = with_email(world.alpha_distributor, "jakaja@alfala.fi")
    user = oidc.sign_in_user(found=found, claims=claims("s-1", "Jakaja@Alfala.fi"))
    assert user == staff
    assert SignInIdentity.objects.get(provider=KEY, subject="s-1").user == staff
    # Then the subject alone: the address may change or be unverified.
    again = oidc.sign_in_user(found=found, claims=claims("s-1", "muu@example.fi", verified=False))
    assert again == staff
    assert SignInIdentity.objects.count() == 1
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "data"))
    assert actions == [
        ("sso.linked", {"provider": KEY, "by": "email"}),
        ("sso.signed_in", {"provider": KEY, "mfa": False}),
        ("sso.signed_in", {"provider": KEY, "mfa": False}),
    ]


@pytest.mark.parametrize(
    "case", ["unverified", "verified_missing", "two_accounts", "inactive_only", "no_address"]
)
def test_no_link_without_exactly_one_verified_match(world, found, case):
    with_email(world.alpha_distributor, "jakaja@alfala.fi")
    address, verified = "jakaja@alfala.fi", True
    if case == "unverified":
        verified = False
    elif case == "verified_missing":
        address = "toinen@alfala.fi"
    elif case == "two_accounts":
        with_email(world.beta_distributor, "JAKAJA@alfala.fi")
    elif case == "inactive_only":
        User.objects.filter(pk=world.alpha_distributor.pk).update(is_active=False)
    else:
        address = ""
    users = User.objects.count()
    with pytest.raises(SignInUnknownPerson):
        oidc.sign_in_user(found=found, claims=claims("s-2", address, verified))
    assert User.objects.count() == users
    assert not SignInIdentity.objects.exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.data) == (
        "sso.refused",
        {"provider": KEY, "reason": "unknown_person"},
    )


def test_email_verified_must_be_true_not_a_string(world, found):
    with_email(world.alpha_distributor, "jakaja@alfala.fi")
    with pytest.raises(SignInUnknownPerson):
        oidc.sign_in_user(found=found, claims=claims("s-3", "jakaja@alfala.fi", verified="false"))


def test_an_account_linked_to_another_subject_is_not_linked_again(world, found):
    staff = with_email(world.alpha_distributor, "jakaja@alfala.fi")
    SignInIdentity.objects.create(user=staff, provider=KEY, subject="first")
    # Told why (not "ask for an invitation"), as a signed-in person's link is.
    with pytest.raises(SignInIdentityTaken):
        oidc.sign_in_user(found=found, claims=claims("second", "jakaja@alfala.fi"))
    refused = AuditEvent.objects.get(action="sso.refused")
    assert refused.data == {"provider": KEY, "reason": "linked_to_another"}
    assert refused.object_id == str(staff.pk)


def test_an_invitation_links_whatever_the_address(world, found):
    secrets: list[str] = []
    invited, invitation = invite_staff(
        actor=world.alpha_sote_coordinator,
        email="uusi@alfala.fi",
        first_name="Uusi",
        last_name="Jakaja",
        role=Role.DISTRIBUTOR_STAFF,
        distributor_site=world.alpha_site,
        link_for=lambda secret: secrets.append(secret) or f"https://example.fi/{secret}/",
    )
    user = oidc.sign_in_user(
        found=found, claims=claims("s-4", "u.jakaja@kunta.fi"), invitation_secret=secrets[0]
    )
    assert user == invited
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    linked = AuditEvent.objects.get(action="sso.linked")
    assert linked.data == {"provider": KEY, "by": "invitation"}
    # A used invitation links nobody else.
    with pytest.raises(SignInUnknownPerson):
        oidc.sign_in_user(
            found=found, claims=claims("s-5", "x@kunta.fi"), invitation_secret=secrets[0]
        )


def test_a_deactivated_account_is_refused(world, found):
    staff = world.alpha_distributor
    SignInIdentity.objects.create(user=staff, provider=KEY, subject="s-6")
    User.objects.filter(pk=staff.pk).update(is_active=False)
    with pytest.raises(SignInAccountClosed):
        oidc.sign_in_user(found=found, claims=claims("s-6", amr=["mfa"]))
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.data) == (
        "sso.refused",
        str(staff.pk),
        {"provider": KEY, "reason": "deactivated"},
    )


def test_multi_factor_from_amr_or_the_configured_acr(found):
    assert oidc.multi_factor(found, {"amr": ["pwd", "mfa"]})
    assert oidc.multi_factor(found, {"amr": "mfa"})
    assert not oidc.multi_factor(found, {"amr": ["pwd"]})
    assert not oidc.multi_factor(found, {"acr": "gold"})
    with override_settings(KAIKUKANTA_OIDC_PROVIDERS={KEY: {**CONFIG, "MFA_ACR": "gold"}}):
        strict = oidc.provider(KEY)
    assert oidc.multi_factor(strict, {"acr": "gold"})
    assert not oidc.multi_factor(strict, {"acr": "silver"})


def test_password_login_is_refused_for_a_listed_organisation_only(world, client):
    county = world.alpha_site.organisation_id
    config = {KEY: {**CONFIG, "ORGANISATIONS": [county], "PASSWORD_LOGIN_OFF": True}}
    with override_settings(KAIKUKANTA_OIDC_PROVIDERS=config):
        refused = client.post(
            reverse("web:login"), {"username": "alpha_dist", "password": PASSWORD}
        )
        assert refused.status_code == 200
        assert "Kunnan tunnus" in refused.content.decode()
        assert "_auth_user_id" not in client.session
        # A wrong password gets the same answer: the password is not checked at all, so the answer
        # never tells a guesser it was right (it may be the provider's too).
        wrong = client.post(reverse("web:login"), {"username": "alpha_dist", "password": "x"})
        assert (
            wrong.context["form"].non_field_errors() == refused.context["form"].non_field_errors()
        )
        assert "Kunnan tunnus" in wrong.context["form"].non_field_errors()[0]
        # Staff of another organisation log in with their password.
        other = client.post(reverse("web:login"), {"username": "alpha_ngo", "password": PASSWORD})
        assert other.status_code == 302
        # A coordinator who also works at one of the county's sites keeps the password (the same
        # rule as linking by address: no address links a coordinator, so the password stays).
        RoleAssignment.objects.create(
            user=world.alpha_sote_coordinator,
            role=Role.DISTRIBUTOR_STAFF,
            distributor_site=world.alpha_site,
        )
        assert oidc.password_login_provider(world.alpha_sote_coordinator) is None
        assert not oidc.may_link_by_email(oidc.provider(KEY), world.alpha_sote_coordinator)
        coordinator = client.post(
            reverse("web:login"), {"username": "alpha_sote", "password": PASSWORD}
        )
        assert coordinator.status_code == 302
    event = AuditEvent.objects.filter(action="password.login_refused").first()
    assert AuditEvent.objects.filter(action="password.login_refused").count() == 2
    assert event.data == {"provider": KEY}
    assert event.object_id == str(world.alpha_distributor.pk)


def test_the_login_page_shows_each_providers_button(world, client):
    second = {**CONFIG, "LABEL": "Toinen tunnus"}
    with override_settings(KAIKUKANTA_OIDC_PROVIDERS={KEY: CONFIG, "toinen": second}):
        page = client.get(reverse("web:login")).content.decode()
    assert "Kunnan tunnus" in page
    assert "Toinen tunnus" in page
    assert reverse("web:sso_start", args=["toinen"]) in page


def test_the_audit_trail_keeps_no_address(world, found):
    with_email(world.alpha_distributor, "jakaja@alfala.fi")
    oidc.sign_in_user(found=found, claims=claims("s-7", "jakaja@alfala.fi"))
    with pytest.raises(SignInUnknownPerson):
        oidc.sign_in_user(found=found, claims=claims("s-8", "tuntematon@alfala.fi"))
    for event in AuditEvent.objects.all():
        assert "@" not in json.dumps(event.data)


def test_providers_come_from_the_environment(monkeypatch):
    from kaikukanta import settings

    monkeypatch.setenv("KAIKUKANTA_OIDC_PROVIDERS", "pirha, Keycloak")
    for name in ("PIRHA", "KEYCLOAK"):
        for key, value in (
            ("CLIENT_ID", "id"),
            ("CLIENT_SECRET", "s"),
            ("DISCOVERY_URL", "https://idp/"),
            ("LABEL", name),
        ):
            monkeypatch.setenv(f"KAIKUKANTA_OIDC_{name}_{key}", value)
    monkeypatch.setenv("KAIKUKANTA_OIDC_PIRHA_ORGANISATIONS", "3,14")
    parsed = settings._oidc_providers()
    assert list(parsed) == ["pirha", "keycloak"]
    assert parsed["pirha"]["ORGANISATIONS"] == [3, 14]
    monkeypatch.delenv("KAIKUKANTA_OIDC_KEYCLOAK_CLIENT_SECRET")
    with pytest.raises(ImproperlyConfigured, match="KAIKUKANTA_OIDC_KEYCLOAK_CLIENT_SECRET"):
        settings._oidc_providers()
    monkeypatch.setenv("KAIKUKANTA_OIDC_KEYCLOAK_CLIENT_SECRET", "s")
    assert parsed["pirha"]["PASSWORD_LOGIN_OFF"] is False
    monkeypatch.setenv("KAIKUKANTA_OIDC_KEYCLOAK_PASSWORD_LOGIN_OFF", "yes")
    with pytest.raises(ImproperlyConfigured, match="PASSWORD_LOGIN_OFF needs"):
        settings._oidc_providers()
    monkeypatch.setenv("KAIKUKANTA_OIDC_KEYCLOAK_ORGANISATIONS", "7")
    assert settings._oidc_providers()["keycloak"]["PASSWORD_LOGIN_OFF"] is True
    monkeypatch.setenv("KAIKUKANTA_OIDC_PIRHA_ORGANISATIONS", "Pirkanmaa")
    with pytest.raises(ImproperlyConfigured, match="organisation ids"):
        settings._oidc_providers()
    # The name is part of the provider's addresses: ASCII letters, digits and _ only.
    monkeypatch.setenv("KAIKUKANTA_OIDC_PROVIDERS", "pirhä")
    with pytest.raises(ImproperlyConfigured, match="not a short name"):
        settings._oidc_providers()


def test_an_answer_without_this_sessions_state_is_refused(world, found, client, caplog):
    callback = reverse("web:sso_callback", args=[KEY])
    # No sign-in started in this session: refused, and nothing written (anyone can send these).
    response = client.get(callback + "?code=abc&state=forged")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.exists()
    # One started (the provider's state kept by Authlib), answered with another state: nothing
    # reaches the provider, the state is checked first (a forged or replayed answer).
    session = client.session
    session["kaikukanta_sso_started"] = KEY
    session.save()
    response = client.get(callback + "?code=abc&state=forged")
    assert response.status_code == 403
    event = AuditEvent.objects.get()
    assert event.data == {"provider": KEY, "reason": "token_not_valid"}
    assert "Sign-in through kunta refused: MismatchingStateError" in caplog.text
    # The provider's own no (the person cancelled): its own reason and words.
    session = client.session
    session["kaikukanta_sso_started"] = KEY
    session.save()
    response = client.get(callback + "?error=access_denied&state=x")
    assert response.status_code == 403
    assert "kirjautuminen peruttiin" in response.content.decode()
    assert AuditEvent.objects.order_by("pk").last().data == {
        "provider": KEY,
        "reason": "provider_error",
    }


def test_an_unknown_provider_is_a_404(world, client):
    assert client.get(reverse("web:sso_start", args=["none"])).status_code == 404


@pytest.mark.parametrize("who", ["national", "coordinator", "other_organisation", "mixed_roles"])
def test_a_provider_claims_by_address_only_staff_of_its_own_organisations(world, found, who):
    """Whoever runs a provider can put any address in its tokens: by an address it links only
    staff whose every role is at its own organisations' sites and venues. Coordinators, national
    administrators and other organisations' staff are linked by an invitation only."""
    if who == "national":
        target = world.national
    elif who == "coordinator":
        target = world.alpha_sote_coordinator
    elif who == "other_organisation":
        target = world.alpha_other_distributor
        assert target.role_assignments.get().distributor_site.organisation_id not in (
            found.organisations
        )
    else:
        target = world.alpha_distributor
        RoleAssignment.objects.create(
            user=target, role=Role.COORDINATOR_SOTE, region=world.alpha_site.region
        )
    with_email(target, "kohde@alfala.fi")
    with pytest.raises(SignInUnknownPerson):
        oidc.sign_in_user(found=found, claims=claims("hyokkaaja", "kohde@alfala.fi", amr=["mfa"]))
    assert not SignInIdentity.objects.exists()


def test_a_provider_without_organisations_links_by_invitation_only(world):
    with_email(world.alpha_distributor, "jakaja@alfala.fi")
    with override_settings(KAIKUKANTA_OIDC_PROVIDERS={KEY: CONFIG}):
        open_provider = oidc.provider(KEY)
    with pytest.raises(SignInUnknownPerson):
        oidc.sign_in_user(found=open_provider, claims=claims("s-9", "jakaja@alfala.fi"))


def test_an_invitation_used_for_a_password_links_no_identity(world, found):
    secrets: list[str] = []
    invite_staff(
        actor=world.alpha_sote_coordinator,
        email="toinen.uusi@alfala.fi",
        first_name="Toinen",
        last_name="Uusi",
        role=Role.DISTRIBUTOR_STAFF,
        distributor_site=world.alpha_site,
        link_for=lambda secret: secrets.append(secret) or f"https://example.fi/{secret}/",
    )
    accept_invitation(secret=secrets[0], password="pitka-salasana-2026")
    with pytest.raises(SignInUnknownPerson):
        oidc.sign_in_user(
            found=found, claims=claims("s-10", "x@kunta.fi"), invitation_secret=secrets[0]
        )
    assert not SignInIdentity.objects.exists()


def test_a_signed_in_person_links_an_identity_not_linked_to_anyone_else(world, found):
    coordinator = world.alpha_sote_coordinator
    oidc.link_signed_in(found=found, claims=claims("k-1"), user=coordinator)
    oidc.link_signed_in(found=found, claims=claims("k-1"), user=coordinator)  # again: nothing new
    assert SignInIdentity.objects.get(provider=KEY, subject="k-1").user == coordinator
    with pytest.raises(SignInIdentityTaken):  # the identity is someone else's
        oidc.link_signed_in(found=found, claims=claims("k-1"), user=world.national)
    with pytest.raises(SignInIdentityTaken):  # the account has another identity there
        oidc.link_signed_in(found=found, claims=claims("k-2"), user=coordinator)
    assert SignInIdentity.objects.count() == 1
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "data")) == [
        ("sso.linked", {"provider": KEY, "by": "signed_in"}),
        ("sso.refused", {"provider": KEY, "reason": "linked_to_another"}),
        ("sso.refused", {"provider": KEY, "reason": "linked_to_another"}),
    ]


def test_a_sign_in_without_multi_factor_may_not_set_up_an_authenticator_after_one_with_it(
    world, found
):
    """A coordinator who signs in through the provider with multi-factor has no authenticator of
    Kaikukanta's. A sign-in without multi-factor (someone with the provider password only) is sent to
    the second step; it may not set one up there, or it would pass the step from then on."""
    from django.test import Client

    coordinator = world.alpha_sote_coordinator
    oidc.link_signed_in(found=found, claims=claims("k-5"), user=coordinator)
    identity = SignInIdentity.objects.get(subject="k-5")
    assert identity.multi_factor_at is None

    def session_through_provider(mfa: bool) -> Client:
        oidc.sign_in_user(found=found, claims=claims("k-5", amr=["mfa"] if mfa else ["pwd"]))
        client = Client()
        client.cookies["kaikukanta_language"] = "en"
        client.force_login(coordinator)
        session = client.session
        session[oidc.SESSION_KEY] = {"provider": KEY, "mfa": mfa, "id_token": ""}
        session.save()
        return client

    # Never with multi-factor yet: the provider does not do it, and Kaikukanta's own step is set up
    # as after a first password login.
    assert (
        session_through_provider(mfa=False).get(reverse("web:two_factor_setup")).status_code == 200
    )
    coordinator.totpdevice_set.all().delete()
    # Once the provider has said multi-factor, a sign-in without it is refused the setup.
    session_through_provider(mfa=True)
    identity.refresh_from_db()
    assert identity.multi_factor_at is not None
    client = session_through_provider(mfa=False)
    refused = client.get(reverse("web:two_factor_setup"))
    assert refused.status_code == 403
    assert (
        "did not say that you confirmed your sign-in with a second factor"
        in refused.content.decode()
    )
    assert not coordinator.totpdevice_set.exists()
    # The second step sends it to the setup, which refuses it too; a password login is not affected.
    assert client.get(reverse("web:two_factor")).status_code in (302, 403)
    password_session = Client()
    password_session.force_login(coordinator)
    assert password_session.get(reverse("web:two_factor_setup")).status_code == 200


def test_an_invitation_of_staff_whose_password_login_is_off_sets_no_password(world, client):
    """The invitation page of such staff offers their provider's button only; a password sent
    anyway is refused, the invitation stays open and nobody is logged in."""
    secrets: list[str] = []
    _invited, invitation = invite_staff(
        actor=world.alpha_sote_coordinator,
        email="uusi2@alfala.fi",
        first_name="Uusi",
        last_name="Jakaja",
        role=Role.DISTRIBUTOR_STAFF,
        distributor_site=world.alpha_site,
        link_for=lambda secret: secrets.append(secret) or f"https://example.fi/{secret}/",
    )
    county = world.alpha_site.organisation_id
    config = {KEY: {**CONFIG, "ORGANISATIONS": [county], "PASSWORD_LOGIN_OFF": True}}
    url = reverse("web:invitation", args=[secrets[0]])
    with override_settings(KAIKUKANTA_OIDC_PROVIDERS=config):
        page = client.get(url).content.decode()
        assert 'name="password1"' not in page
        assert reverse("web:sso_invitation", args=[KEY, secrets[0]]) in page
        sent = client.post(url, {"password1": PASSWORD, "password2": PASSWORD})
        assert sent.status_code == 422
        assert "Kunnan tunnus" in sent.content.decode()
    assert "_auth_user_id" not in client.session
    invitation.refresh_from_db()
    assert invitation.used_at is None
    # Without the provider's setting, the same page sets a password.
    assert 'name="password1"' in client.get(url).content.decode()


def test_a_national_administrator_removes_a_wrong_link_and_the_person_links_again(world, found):
    from kaikukanta.accounts.services import unlink_sign_in_identities
    from kaikukanta.core.errors import NotAllowed

    staff = with_email(world.alpha_distributor, "jakaja@alfala.fi")
    SignInIdentity.objects.create(user=staff, provider=KEY, subject="a-colleague")
    with pytest.raises(SignInIdentityTaken):
        oidc.sign_in_user(found=found, claims=claims("own", "jakaja@alfala.fi"))
    with pytest.raises(NotAllowed):
        unlink_sign_in_identities(actor=world.alpha_sote_coordinator, user=staff)
    assert unlink_sign_in_identities(actor=world.national, user=staff) == 1
    assert AuditEvent.objects.filter(action="sso.unlinked").get().data == {"provider": KEY}
    # The colleague's identity no longer signs in as this account; the person's own links.
    with pytest.raises(SignInUnknownPerson):
        oidc.sign_in_user(found=found, claims=claims("a-colleague", "toinen@alfala.fi"))
    assert oidc.sign_in_user(found=found, claims=claims("own", "jakaja@alfala.fi")) == staff


def test_a_link_or_an_invitation_left_in_the_session_is_forgotten_by_another_start(world):
    """A link asked for and abandoned is not made by a later plain sign-in (nor by a link from
    elsewhere): only the start its own page sent, with the one-time value, keeps it."""
    from django.test import Client

    from ..conftest import sign_in

    # A provider nobody answers at (a closed port): the start is refused at once, after the session
    # has been sorted out.
    config = {**CONFIG, "DISCOVERY_URL": "http://127.0.0.1:9/.well-known/openid-configuration"}
    with override_settings(KAIKUKANTA_OIDC_PROVIDERS={KEY: config}):
        client = Client()
        sign_in(client, world.alpha_sote_coordinator)
        page = client.post(reverse("web:sso_link", args=[KEY])).content.decode()
        waiting = client.session["kaikukanta_sso_link"]
        assert waiting["user"] == world.alpha_sote_coordinator.pk
        assert f"intent={waiting['intent']}" in page
        start = reverse("web:sso_start", args=[KEY])
        for address in (start, start + "?intent=guessed", start + "?intent=%C3%A4"):
            client.post(reverse("web:sso_link", args=[KEY]))
            client.get(address)
            assert "kaikukanta_sso_link" not in client.session
        client.post(reverse("web:sso_link", args=[KEY]))
        intent = client.session["kaikukanta_sso_link"]["intent"]
        client.get(start + "?intent=" + intent)
        assert client.session["kaikukanta_sso_link"]["intent"] == intent
