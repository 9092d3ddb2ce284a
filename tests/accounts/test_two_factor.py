"""Two-factor authentication of national administrators and coordinators (issue 9): setting it up,
the second step with a code or a recovery code, the lock after wrong codes, the reset of a lost
phone, and that an unverified session of such a person reaches nothing but the step itself."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaikukanta.accounts.errors import (
    SetupCodeNotValid,
    SetupKeyReplaced,
    TwoFactorCodeNotValid,
    TwoFactorLocked,
    TwoFactorLockedForAccount,
)
from kaikukanta.accounts.models import RecoveryCode, Role, RoleAssignment, SecondStepFailures
from kaikukanta.accounts.services import (
    confirm_two_factor,
    needs_two_factor,
    pass_second_step,
    pending_two_factor_device,
    record_password_reset,
    recovery_codes_left,
    renew_recovery_codes,
    reset_two_factor,
    two_factor_device,
)
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.core.digests import keyed_digest
from kaikukanta.core.errors import NotAllowed
from kaikukanta.web.access import PUBLIC, capability_of

from ..conftest import PASSWORD, current_code, pass_two_factor, sign_in

pytestmark = pytest.mark.django_db


def set_up(user) -> tuple[TOTPDevice, list[str]]:
    device = pending_two_factor_device(user, None)
    codes = confirm_two_factor(user=user, device=device, code=current_code(device))
    device.refresh_from_db()
    return device, codes


def wrong(device) -> str:
    return f"{(int(current_code(device)) + 1) % 1_000_000:06d}"


def events(action):
    return AuditEvent.objects.filter(action=action)


def assert_no_secret_in_the_trail(device, codes):
    text = repr(list(AuditEvent.objects.values("data", "object_id", "actor_username")))
    for secret in [device.key, *codes]:
        assert secret not in text


# --- who needs it -----------------------------------------------------------------------------------


def test_national_admins_and_coordinators_need_it_others_do_not(world):
    assert needs_two_factor(world.national)
    assert needs_two_factor(world.alpha_coordinator)
    assert needs_two_factor(world.alpha_sote_coordinator)
    for user in [world.alpha_distributor, world.alpha_venue_staff, world.popup_staff, world.nobody]:
        assert not needs_two_factor(user)
    # Any one such role is enough, beside a site's.
    RoleAssignment.objects.create(
        user=world.alpha_distributor, role=Role.COORDINATOR_SOTE, region=world.beta
    )
    from kaikukanta.accounts.models import User

    assert needs_two_factor(User.objects.get(pk=world.alpha_distributor.pk))


# --- the services -----------------------------------------------------------------------------------


def test_setup_keeps_its_key_until_confirmed_and_needs_a_right_code(world):
    user = world.alpha_coordinator
    device = pending_two_factor_device(user, None)
    assert pending_two_factor_device(user, device.pk).pk == device.pk  # a reload: the same key
    assert two_factor_device(user) is None
    with pytest.raises(SetupCodeNotValid):
        confirm_two_factor(user=user, device=device, code=wrong(device))
    with pytest.raises(SetupCodeNotValid):
        confirm_two_factor(user=user, device=device, code="abc")
    assert two_factor_device(user) is None
    codes = confirm_two_factor(user=user, device=device, code=current_code(device))
    assert two_factor_device(user).pk == device.pk
    assert len(codes) == len(set(codes)) == 10
    assert recovery_codes_left(user) == 10
    (event,) = events(Action.TWO_FACTOR_ENABLED)
    assert event.actor == user
    assert event.data == {}
    assert_no_secret_in_the_trail(device, codes)


def test_someone_elses_pending_device_cannot_be_confirmed(world):
    device = pending_two_factor_device(world.alpha_coordinator, None)
    with pytest.raises(NotAllowed):
        confirm_two_factor(user=world.national, device=device, code=current_code(device))


def test_the_second_step_takes_the_apps_code_once(world):
    user = world.national
    device, _ = set_up(user)
    code = current_code(device)
    accepted, left = pass_second_step(user=user, code=f"{code[:3]} {code[3:]}")
    assert accepted.pk == device.pk
    assert left is None
    device.refresh_from_db()
    with pytest.raises(TwoFactorCodeNotValid):  # the same code again: replayed
        pass_second_step(user=user, code=code)


def test_a_wrong_code_is_refused_and_audited_without_what_was_typed(world):
    user = world.alpha_coordinator
    device, codes = set_up(user)
    typed = wrong(device)
    with pytest.raises(TwoFactorCodeNotValid) as refused:
        pass_second_step(user=user, code=typed)
    assert "not right" in refused.value.message
    (event,) = events(Action.TWO_FACTOR_FAILED)
    assert event.data == {"failures": 1}
    assert typed not in repr(event.data)
    assert_no_secret_in_the_trail(device, codes)


def test_five_wrong_codes_lock_the_step_for_a_while(world, settings):
    user = world.alpha_coordinator
    device, codes = set_up(user)
    for attempt in range(4):
        with pytest.raises(TwoFactorCodeNotValid):
            pass_second_step(user=user, code=wrong(device) if attempt % 2 else "nota-code")
    with pytest.raises(TwoFactorLocked) as locked:  # the fifth
        pass_second_step(user=user, code=wrong(device))
    assert "Try again after" in locked.value.message
    device.refresh_from_db()
    # Locked: a right code, a recovery code, are not even looked at.
    with pytest.raises(TwoFactorLocked):
        pass_second_step(user=user, code=current_code(device))
    with pytest.raises(TwoFactorLocked):
        pass_second_step(user=user, code=codes[0])
    assert recovery_codes_left(user) == 10
    assert events(Action.TWO_FACTOR_FAILED).count() == 5
    assert events(Action.TWO_FACTOR_LOCKED).get().data == {
        "failures": 5,
        "minutes": settings.KAIKUKANTA_OTP_LOCKOUT_MINUTES,
    }
    with time_machine.travel(dt.timedelta(minutes=settings.KAIKUKANTA_OTP_LOCKOUT_MINUTES + 1)):
        device.refresh_from_db()
        accepted, _ = pass_second_step(user=user, code=current_code(device))
        assert accepted.pk == device.pk
        assert not SecondStepFailures.objects.exists()  # a right code starts afresh


def test_the_lock_holds_one_source_only_and_the_owner_elsewhere_gets_in(world, settings):
    """Someone with only the password, at their own address, cannot lock the owner out: the owner's
    right code from another address passes while the other address waits."""
    user = world.alpha_coordinator
    device, codes = set_up(user)
    for _ in range(settings.KAIKUKANTA_OTP_FAILURE_LIMIT - 1):
        with pytest.raises(TwoFactorCodeNotValid):
            pass_second_step(user=user, code=wrong(device), source="203.0.113.9")
    with pytest.raises(TwoFactorLocked):
        pass_second_step(user=user, code=wrong(device), source="203.0.113.9")
    accepted, _ = pass_second_step(user=user, code=current_code(device), source="198.51.100.7")
    assert accepted.pk == device.pk
    with pytest.raises(TwoFactorLocked):  # the attacker's address still waits
        pass_second_step(user=user, code=codes[0], source="203.0.113.9")
    # No address is kept, only its hash.
    assert "203.0.113.9" not in repr(list(SecondStepFailures.objects.values()))


def test_an_ipv6_connection_is_one_source_whatever_address_of_its_64_it_uses(world, settings):
    """One connection has a whole /64: its addresses share one back-off, another /64 does not."""
    user = world.alpha_coordinator
    device, _codes = set_up(user)
    for n in range(settings.KAIKUKANTA_OTP_FAILURE_LIMIT - 1):
        with pytest.raises(TwoFactorCodeNotValid):
            pass_second_step(user=user, code=wrong(device), source=f"2001:db8:1:2::{n + 1:x}")
    with pytest.raises(TwoFactorLocked):
        pass_second_step(user=user, code=wrong(device), source="2001:db8:1:2:ffff::9")
    with pytest.raises(TwoFactorLocked):
        pass_second_step(user=user, code=current_code(device), source="2001:db8:1:2::abcd")
    accepted, _ = pass_second_step(user=user, code=current_code(device), source="2001:db8:1:3::1")
    assert accepted.pk == device.pk


def test_each_further_wrong_code_doubles_the_wait_and_a_quiet_day_forgets(world, settings):
    user = world.alpha_coordinator
    device, _codes = set_up(user)
    base = settings.KAIKUKANTA_OTP_LOCKOUT_MINUTES
    for _ in range(settings.KAIKUKANTA_OTP_FAILURE_LIMIT - 1):
        with pytest.raises(TwoFactorCodeNotValid):
            pass_second_step(user=user, code=wrong(device), source="a")
    with pytest.raises(TwoFactorLocked):
        pass_second_step(user=user, code=wrong(device), source="a")
    waits = []
    for _round in range(2):
        row = SecondStepFailures.objects.get()
        waits.append(row.locked_until - row.last_failure_at)
        with (
            time_machine.travel(row.locked_until + dt.timedelta(seconds=1)),
            pytest.raises(TwoFactorLocked),
        ):
            pass_second_step(user=user, code=wrong(device), source="a")
    row = SecondStepFailures.objects.get()
    waits.append(row.locked_until - row.last_failure_at)
    assert waits == [dt.timedelta(minutes=base * factor) for factor in (1, 2, 4)]
    assert events(Action.TWO_FACTOR_LOCKED).count() == 3
    # The lock expires; after a day without wrong codes, one wrong code is just one again.
    with time_machine.travel(row.locked_until + dt.timedelta(days=1, seconds=1)):
        with pytest.raises(TwoFactorCodeNotValid):
            pass_second_step(user=user, code=wrong(device), source="a")
        assert SecondStepFailures.objects.get().failures == 1


def test_a_source_gets_a_limited_number_of_tries_an_hour_and_the_owner_elsewhere_none_less(
    world, settings
):
    """The hourly limit counts per person and source: someone with the password and several
    addresses cannot use up the owner's tries; the source over it waits, audited once."""
    settings.KAIKUKANTA_OTP_HOURLY_LIMIT = 6
    settings.KAIKUKANTA_OTP_FAILURE_LIMIT = 100  # the back-off out of the way: the hourly limit
    user = world.alpha_coordinator
    device, _codes = set_up(user)
    for n in range(3):  # three addresses of the one who has the password, each to its limit
        for _ in range(6):
            with pytest.raises(TwoFactorCodeNotValid):
                pass_second_step(user=user, code=wrong(device), source=f"10.0.0.{n}")
    with pytest.raises(TwoFactorLocked):
        pass_second_step(user=user, code=current_code(device), source="10.0.0.0")
    assert [e.data for e in events(Action.TWO_FACTOR_LOCKED)] == [{"hourly_limit": 6}] * 3
    accepted, _ = pass_second_step(user=user, code=current_code(device), source="192.0.2.7")
    assert accepted.pk == device.pk  # the owner, at their own address
    with time_machine.travel(dt.timedelta(hours=1, minutes=1)):
        device.refresh_from_db()
        accepted, _ = pass_second_step(user=user, code=current_code(device), source="10.0.0.0")
        assert accepted.pk == device.pk


def test_many_addresses_together_get_a_limited_number_of_tries_a_day(world, settings):
    """Each new address gets a few guesses; over all of them, a person's wrong codes in a day are
    limited, and then every address waits (the owner's too: someone else has the password), told
    why, audited once; a new password lifts it, and so does a reset of the second step."""
    settings.KAIKUKANTA_OTP_PERSON_DAILY_LIMIT = 12
    user = world.alpha_coordinator
    device, _codes = set_up(user)
    for n in range(4):  # four addresses, three wrong codes each: under each address's own limits
        for _ in range(3):
            with pytest.raises(TwoFactorCodeNotValid):
                pass_second_step(user=user, code=wrong(device), source=f"2001:db8:0:{n}::1")
    with pytest.raises(TwoFactorLockedForAccount) as locked:
        pass_second_step(user=user, code=current_code(device), source="192.0.2.7")
    assert locked.value.code == "two_factor_locked_account"
    assert "Forgotten your password?" in str(locked.value)
    assert [e.data for e in events(Action.TWO_FACTOR_LOCKED)] == [{"daily_limit": 12}]
    # A further try is not counted again, nor audited again.
    with pytest.raises(TwoFactorLockedForAccount):
        pass_second_step(user=user, code=wrong(device), source="2001:db8:0:9::1")
    assert events(Action.TWO_FACTOR_LOCKED).count() == 1
    # A new password (the old one was known elsewhere) lifts it; a further lock is audited again.
    record_password_reset(user=user, password="a-new-password-1234")
    accepted, _ = pass_second_step(user=user, code=current_code(device), source="192.0.2.7")
    assert accepted.pk == device.pk
    for _ in range(12):
        with pytest.raises(TwoFactorCodeNotValid):
            pass_second_step(user=user, code=wrong(device), source=f"2001:db8:1:{_}::1")
    with pytest.raises(TwoFactorLockedForAccount):
        pass_second_step(user=user, code=current_code(device), source="192.0.2.7")
    assert events(Action.TWO_FACTOR_LOCKED).count() == 2
    # So does a reset of the second step by a national administrator.
    reset_two_factor(actor=world.national, user=user)
    device, _codes = set_up(user)
    accepted, _ = pass_second_step(user=user, code=current_code(device), source="192.0.2.7")
    assert accepted.pk == device.pk


def test_the_source_is_kept_keyed_with_the_secret_key(world, settings):
    """Not a plain SHA-256 of the address, which trying every IPv4 address would undo."""
    user = world.alpha_coordinator
    device, _codes = set_up(user)
    with pytest.raises(TwoFactorCodeNotValid):
        pass_second_step(user=user, code=wrong(device), source="10.0.0.1")
    kept = SecondStepFailures.objects.get().source
    assert kept != hashlib.sha256(b"10.0.0.1").hexdigest()
    assert kept == keyed_digest("10.0.0.1", "second-step-source")
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    assert keyed_digest("10.0.0.1", "second-step-source") != kept


def test_recovery_codes_are_kept_only_as_salted_hashes(world):
    user = world.national
    _device, codes = set_up(user)
    stored = list(RecoveryCode.objects.filter(user=user))
    assert len(stored) == 10
    assert not StaticToken.objects.exists()
    kept = repr([(code.salt, code.digest) for code in stored])
    assert not any(code in kept for code in codes)
    assert len({code.salt for code in stored}) == 10  # each its own salt
    _accepted, left = pass_second_step(user=user, code=codes[5])
    assert left == 9


def test_the_migration_hashes_existing_plain_codes(world):
    """django-otp's plain recovery codes made before this version still work once, hashed."""
    import importlib

    from django.apps import apps
    from django_otp.plugins.otp_static.models import StaticDevice

    user = world.national
    _device, _codes = set_up(user)
    RecoveryCode.objects.all().delete()
    static = StaticDevice.objects.get(user=user)
    static.token_set.create(token="abcdefghijklmnop")
    migration = importlib.import_module(
        "kaikukanta.accounts.migrations.0006_hashed_recovery_codes_and_second_step_failures"
    )
    migration.hash_existing_codes(apps, None)
    assert not StaticToken.objects.exists()
    assert "abcdefghijklmnop" not in repr(list(RecoveryCode.objects.values()))
    accepted, left = pass_second_step(user=user, code="ABCD-EFGH-IJKL-MNOP")
    assert accepted.pk == static.pk
    assert left == 0


def test_a_recovery_code_works_once_and_tells_how_many_are_left(world):
    user = world.national
    device, codes = set_up(user)
    _accepted, left = pass_second_step(user=user, code=codes[3].upper())
    assert left == 9
    assert recovery_codes_left(user) == 9
    (event,) = events(Action.RECOVERY_CODE_USED)
    assert event.data == {"left": 9}
    with pytest.raises(TwoFactorCodeNotValid):
        pass_second_step(user=user, code=codes[3])
    assert_no_secret_in_the_trail(device, codes)


def test_new_recovery_codes_replace_the_old(world):
    user = world.alpha_coordinator
    device, old = set_up(user)
    new = renew_recovery_codes(user=user)
    assert not set(old) & set(new)
    assert recovery_codes_left(user) == len(new)
    assert not StaticToken.objects.exists()
    with pytest.raises(TwoFactorCodeNotValid):
        pass_second_step(user=user, code=old[0])
    assert events(Action.RECOVERY_CODES_RENEWED).count() == 1
    assert_no_secret_in_the_trail(device, old + new)


def test_a_new_session_gets_a_new_setup_key_and_the_earlier_ones_stop_working(world):
    user = world.alpha_coordinator
    first = pending_two_factor_device(user, None)
    second = pending_two_factor_device(user, None)  # another session, with the password too
    assert second.pk != first.pk
    assert second.key != first.key
    assert not TOTPDevice.objects.filter(pk=first.pk).exists()
    # Someone else's session asking for its own (gone) key also gets a new one, not the other's.
    third = pending_two_factor_device(user, first.pk)
    assert third.pk not in {first.pk, second.pk}
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [third.pk]
    # A key no longer pending cannot be confirmed.
    with pytest.raises(SetupKeyReplaced):
        confirm_two_factor(user=user, device=second, code=current_code(second))
    assert two_factor_device(user) is None
    assert not TOTPDevice.objects.filter(pk=second.pk).exists()  # not saved back by the check
    confirm_two_factor(user=user, device=third, code=current_code(third))
    assert two_factor_device(user).pk == third.pk


def test_who_may_reset_whose_two_factor(world):
    for user in [world.national, world.alpha_coordinator, world.beta_coordinator]:
        set_up(user)
    # A coordinator runs neither the national administrator's account nor another coordinator's.
    for actor, user in [
        (world.alpha_coordinator, world.national),
        (world.alpha_coordinator, world.beta_coordinator),
        (world.beta_coordinator, world.alpha_coordinator),
        (world.alpha_distributor, world.alpha_coordinator),
        (world.national, world.national),  # not one's own: ask another administrator
    ]:
        with pytest.raises(NotAllowed):
            reset_two_factor(actor=actor, user=user)
    assert not events(Action.TWO_FACTOR_RESET).exists()
    reset_two_factor(actor=world.national, user=world.alpha_coordinator)
    assert two_factor_device(world.alpha_coordinator) is None
    assert recovery_codes_left(world.alpha_coordinator) == 0
    (event,) = events(Action.TWO_FACTOR_RESET)
    assert event.actor == world.national
    assert event.object_id == str(world.alpha_coordinator.pk)
    # A coordinator may reset the staff they run (a distributor who also coordinates elsewhere
    # has roles they do not run: refused).
    TOTPDevice.objects.create(user=world.alpha_distributor, confirmed=True)
    reset_two_factor(actor=world.alpha_sote_coordinator, user=world.alpha_distributor)
    assert two_factor_device(world.alpha_distributor) is None


# --- the login, through the pages ----------------------------------------------------------------


def log_in(client, user):
    return client.post(reverse("web:login"), {"username": user.username, "password": PASSWORD})


def test_first_login_sets_up_then_shows_the_recovery_codes_once(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = log_in(client, world.alpha_coordinator)
    page = client.get(response["Location"], follow=True)
    assert page.request["PATH_INFO"] == reverse("web:two_factor_setup")
    html = page.content.decode()
    assert "<svg" in html
    assert "QR code for the authenticator app" in html
    device = TOTPDevice.objects.get(user=world.alpha_coordinator, confirmed=False)
    key = page.context["secret"]
    assert re.fullmatch(r"([A-Z2-7]{4} )*[A-Z2-7]{1,4}", key)
    # A wrong code: the page again, with a message to act on.
    wrong_page = client.post(reverse("web:two_factor_setup"), {"code": wrong(device)})
    assert wrong_page.status_code == 200
    assert "That code is not right" in wrong_page.content.decode()
    response = pass_two_factor(client, log_in(client, world.alpha_coordinator))
    codes_page = client.get(response["Location"])
    codes = codes_page.context["codes"]
    assert len(codes) == 10
    assert all(code in codes_page.content.decode() for code in codes)
    assert client.get(response["Location"]).context["codes"] is None  # shown once
    region = client.get(codes_page.context["next"], follow=True)
    assert region.request["PATH_INFO"] == reverse("web:region", args=["alpha"])


def test_the_setup_key_belongs_to_the_session_that_opened_the_page(world):
    user = world.alpha_coordinator
    owner = Client(HTTP_ACCEPT_LANGUAGE="en")
    log_in(owner, user)
    setup_url = reverse("web:two_factor_setup")
    key = owner.get(setup_url).context["secret"]
    assert owner.get(setup_url).context["secret"] == key  # a reload keeps the key
    # Someone else who knows the password opens the setup page: a key of their own, not the owner's.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    log_in(other, user)
    other_page = other.get(setup_url)
    other_key = other_page.context["secret"]
    assert other_key != key
    other_device = TOTPDevice.objects.get(user=user, confirmed=False)
    # The owner types a code of the key they scanned: refused, with a message, and a new key.
    replaced = owner.post(setup_url, {"code": "123456"})
    assert replaced.status_code == 200
    assert "setting up was started again in another browser" in replaced.content.decode()
    assert replaced.context["secret"] not in {key, other_key}
    assert two_factor_device(user) is None
    # The other session's key is gone: confirming it does nothing.
    refused = other.post(setup_url, {"code": current_code(other_device)})
    assert refused.status_code == 200
    assert two_factor_device(user) is None
    # The owner confirms the key now shown to them; only their session is verified.
    owner_page = owner.get(setup_url)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert (
        owner_page.context["secret"].replace(" ", "") in base64.b32encode(device.bin_key).decode()
    )
    done = owner.post(setup_url, {"code": current_code(device)})
    assert done.status_code == 302
    assert two_factor_device(user).pk == device.pk
    assert owner.get(reverse("web:audit")).status_code == 200
    assert other.get(reverse("web:audit")).status_code == 302


def test_a_later_login_asks_for_the_code_and_keeps_the_page_asked_for(world):
    device, _ = set_up(world.national)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("web:login"), {"username": "national", "password": PASSWORD})
    asked = client.get(reverse("web:audit"))
    assert asked.status_code == 302
    step = client.get(asked["Location"])
    assert step.request["PATH_INFO"] == reverse("web:two_factor")
    html = step.content.decode()
    assert 'autocomplete="one-time-code"' in html
    # Recovery codes have letters: the keyboard must offer them (not a phone's number pad).
    assert 'inputmode="text"' in html
    assert 'inputmode="numeric"' not in html
    assert "autofocus" in html
    refused = client.post(reverse("web:two_factor"), {"code": wrong(device), "next": "/audit/"})
    assert "That code is not right" in refused.content.decode()
    assert client.get(reverse("web:audit")).status_code == 302  # still held
    device.refresh_from_db()
    passed = client.post(
        reverse("web:two_factor"), {"code": current_code(device), "next": reverse("web:audit")}
    )
    assert passed["Location"] == reverse("web:audit")
    assert client.get(reverse("web:audit")).status_code == 200


def test_a_recovery_code_login_says_how_many_are_left(world):
    _, codes = set_up(world.national)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("web:login"), {"username": "national", "password": PASSWORD})
    page = client.post(reverse("web:two_factor"), {"code": codes[0]}, follow=True)
    assert page.request["PATH_INFO"] == reverse("web:national")
    assert "You have 9 recovery codes left" in page.content.decode()


def test_the_lock_is_shown_on_the_step(world, settings):
    _device, _ = set_up(world.alpha_coordinator)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    log_in(client, world.alpha_coordinator)
    for _ in range(settings.KAIKUKANTA_OTP_FAILURE_LIMIT):
        page = client.post(reverse("web:two_factor"), {"code": "000000"})
    assert "Too many wrong codes. Try again after" in page.content.decode()


def test_a_reset_undoes_the_verified_session_and_asks_for_setup_again(world):
    set_up(world.alpha_coordinator)
    client = Client()
    sign_in(client, world.alpha_coordinator)
    assert client.get(reverse("web:audit")).status_code == 200
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(admin, world.national)
    url = reverse("web:two_factor_reset", args=[world.alpha_coordinator.pk])
    back = {"next": reverse("web:network", args=["alpha"])}
    # First the confirmation page, which says what happens; a POST without it changes nothing.
    asked = admin.get(url, back)
    assert asked.status_code == 200
    assert "It cannot be undone" in asked.content.decode()
    assert admin.post(url, back).status_code == 200
    assert two_factor_device(world.alpha_coordinator) is not None
    reset = admin.post(url, {**back, "confirmed": "yes"})
    assert reset["Location"] == reverse("web:network", args=["alpha"])
    page = client.get(reverse("web:audit"), follow=True)
    assert page.request["PATH_INFO"] == reverse("web:two_factor_setup")


def test_a_get_of_the_reset_only_asks_or_refuses_and_never_resets(world, monkeypatch):
    """Only the confirmation page's POST reaches the service; a GET shows the page, or, to someone
    who may not reset this person, says why, without resetting anything."""
    from kaikukanta.web.views import two_factor as views

    def must_not_run(**_kwargs):
        raise AssertionError("a GET reached reset_two_factor")

    monkeypatch.setattr(views, "reset_two_factor", must_not_run)
    set_up(world.alpha_coordinator)
    url = reverse("web:two_factor_reset", args=[world.alpha_coordinator.pk])
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(admin, world.national)
    asked = admin.get(url, {"confirmed": "yes"})
    assert asked.status_code == 200
    assert "It cannot be undone" in asked.content.decode()
    other_side = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(other_side, world.alpha_sote_coordinator)
    refused = other_side.get(url, {"confirmed": "yes"}, follow=True)
    assert "It cannot be undone" not in refused.content.decode()
    assert [m.level_tag for m in refused.context["messages"]] == ["error"]
    assert two_factor_device(world.alpha_coordinator) is not None


def test_the_network_page_offers_the_reset_to_whoever_may(world):
    set_up(world.alpha_coordinator)
    admin = Client()
    sign_in(admin, world.national)
    url = reverse("web:two_factor_reset", args=[world.alpha_coordinator.pk])
    assert url in admin.get(reverse("web:network", args=["alpha"])).content.decode()
    coordinator = Client()
    sign_in(coordinator, world.alpha_sote_coordinator)
    assert url not in coordinator.get(reverse("web:network", args=["alpha"])).content.decode()


def test_own_page_makes_new_recovery_codes(world):
    set_up(world.alpha_coordinator)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, world.alpha_coordinator)
    assert (
        "You have 10 recovery codes left"
        in client.get(reverse("web:two_factor_account")).content.decode()
    )
    page = client.post(reverse("web:two_factor_account"), follow=True)
    assert len(page.context["codes"]) == 10
    assert page.context["next"] == reverse("web:two_factor_account")


def test_new_codes_after_a_recovery_code_login_keep_the_session_verified(world):
    _, codes = set_up(world.alpha_coordinator)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    log_in(client, world.alpha_coordinator)
    client.post(reverse("web:two_factor"), {"code": codes[0]})
    assert client.get(reverse("web:audit")).status_code == 200
    page = client.post(reverse("web:two_factor_account"), follow=True)
    assert page.request["PATH_INFO"] == reverse("web:recovery_codes")
    new = page.context["codes"]
    assert len(new) == 10
    assert not set(new) & set(codes)
    assert client.get(reverse("web:audit")).status_code == 200  # still verified
    assert client.get(reverse("web:two_factor_account")).status_code == 200
    # The new codes work at the next login, the old ones do not.
    again = Client(HTTP_ACCEPT_LANGUAGE="en")
    log_in(again, world.alpha_coordinator)
    refused = again.post(reverse("web:two_factor"), {"code": codes[1]})
    assert "That code is not right" in refused.content.decode()
    again.post(reverse("web:two_factor"), {"code": new[0]})
    assert again.get(reverse("web:audit")).status_code == 200


def test_the_help_sends_to_the_national_support_service_not_a_coordinator(world):
    set_up(world.alpha_coordinator)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    log_in(client, world.alpha_coordinator)
    step = client.get(reverse("web:two_factor")).content.decode()
    sign_in(client, world.alpha_coordinator)
    account = client.get(reverse("web:two_factor_account")).content.decode()
    for html in [step, account]:
        assert "region's coordinator" not in html
        assert "national support service (Kaikukortti's national administrators)" in html


# --- an unverified session reaches nothing else ---------------------------------------------------

OPEN = {"web:login", "web:logout", "web:two_factor", "web:two_factor_setup"}


def staff_paths() -> list[tuple[str, str]]:
    """Every staff page's address (web: and the admin's index), its arguments filled in."""
    found = []

    def walk(resolver, namespace, prefix):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern, pattern.namespace or namespace, route)
            elif isinstance(pattern, URLPattern) and namespace == "web" and pattern.name:
                path = re.sub(r"<int:\w+>", "1", route)
                path = re.sub(r"<(?:slug|str):\w+>", "alpha", path)
                path = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", path)
                found.append((f"web:{pattern.name}", "/" + path.lstrip("^")))

    walk(get_resolver(), "", "")
    return [*found, ("admin:index", reverse("admin:index"))]


@pytest.mark.parametrize("role", ["national", "alpha_coordinator"])
def test_an_unverified_session_is_sent_to_the_second_step_from_every_staff_page(world, role):
    user = getattr(world, role)
    set_up(user)
    client = Client()
    client.force_login(user)  # the password only
    paths = staff_paths()
    assert len(paths) > 40
    step = reverse("web:two_factor")
    for name, path in paths:
        if name in OPEN or capability_of(resolve(path).func) is PUBLIC:
            continue  # the step itself, and what anyone may open (the venue's service worker)
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, (name, path, response.status_code)
            assert response["Location"].startswith(step), (name, path, response["Location"])


def test_an_unverified_session_gets_401_from_the_api(world):
    set_up(world.alpha_coordinator)
    client = Client()
    client.force_login(world.alpha_coordinator)
    for path in ["/api/v1/venues", "/api/v1/uses", "/api/v1/events"]:
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["Content-Type"].startswith("application/json")
    posted = client.post(
        "/api/v1/checks", {"venue": 1, "card": "x"}, content_type="application/json"
    )
    assert posted.status_code in {401, 403}
    sign_in(client, world.alpha_coordinator)
    assert client.get("/api/v1/venues").status_code == 200


def test_others_are_not_affected(world):
    for user in [world.alpha_distributor, world.alpha_venue_staff]:
        client = Client()
        client.force_login(user)
        assert client.get(reverse("web:home"), follow=True).status_code == 200
        assert client.get("/api/v1/venues").status_code == 200
        assert client.get(reverse("web:two_factor"))["Location"] != reverse("web:two_factor")


def test_a_national_admin_resets_another_in_the_admin(world):
    from kaikukanta.accounts.models import User

    other = User.objects.create_user("toinen", password=PASSWORD)
    RoleAssignment.objects.create(user=other, role=Role.NATIONAL_ADMIN)
    set_up(other)
    admin = Client()
    sign_in(admin, world.national)
    response = admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [other.pk, world.national.pk]},
    )
    assert response.status_code == 302
    assert two_factor_device(other) is None
    assert events(Action.TWO_FACTOR_RESET).count() == 1  # not their own


def test_the_demos_stand_in_for_a_phone_works_in_debug_only(world, settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    device, _ = set_up(world.alpha_coordinator)
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_code", "alpha_coord")
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_code", world.alpha_coordinator.username, stdout=out)
    code = out.getvalue().split()[0]
    assert re.fullmatch(r"\d{6}", code)
    accepted, _ = pass_second_step(user=world.alpha_coordinator, code=code)
    assert accepted.pk == device.pk


def test_the_owner_logs_in_from_elsewhere_while_someone_else_is_locked(world, settings):
    device, _ = set_up(world.alpha_coordinator)
    attacker = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.9")
    log_in(attacker, world.alpha_coordinator)
    for _ in range(settings.KAIKUKANTA_OTP_FAILURE_LIMIT + 2):
        page = attacker.post(reverse("web:two_factor"), {"code": "000000"})
    assert "Too many wrong codes" in page.content.decode()
    owner = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.7")
    log_in(owner, world.alpha_coordinator)
    device.refresh_from_db()
    passed = owner.post(reverse("web:two_factor"), {"code": current_code(device)})
    assert passed.status_code == 302
    assert owner.get(reverse("web:audit")).status_code == 200
