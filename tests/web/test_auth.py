import pytest
from django.urls import reverse

from ..conftest import PASSWORD


def test_login_page_is_finnish_by_default(client, db):
    page = client.get(reverse("web:login")).content.decode()
    assert '<html lang="fi">' in page
    assert "Kirjaudu sisään" in page


def test_wrong_password_says_so_and_keeps_the_user_name(client, world):
    response = client.post(
        reverse("web:login"),
        {"username": world.alpha_distributor.username, "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "correct username and password" in page
    assert f'value="{world.alpha_distributor.username}"' in page


def test_repeated_failures_lock_the_user_name_for_a_while(client, world):
    username = world.alpha_distributor.username
    for _ in range(5):
        client.post(reverse("web:login"), {"username": username, "password": "guess"})
    response = client.post(reverse("web:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 429
    assert "15" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked out.
    other = client.post(
        reverse("web:login"), {"username": world.alpha_venue_staff.username, "password": PASSWORD}
    )
    assert other.status_code == 302


def test_logout_needs_a_post_and_ends_the_session(client, world):
    client.force_login(world.alpha_distributor)
    assert client.get(reverse("web:logout")).status_code == 405
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert client.get(reverse("web:distributor")).status_code == 302  # back to login


def test_pages_need_a_login(client, db):
    # web:home is the public front page to those not signed in (tests/public/test_front_and_legal.py).
    for name in [
        "web:national",
        "web:distributor",
        "web:venue",
        "web:cards",
        "web:uses",
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fi", "Kortit"), ("sv", "Kort"), ("en", "Cards")],
)
def test_language_switch_is_remembered(client, world, language, heading):
    client.force_login(world.alpha_distributor)
    response = client.post(
        reverse("set_language"), {"language": language, "next": reverse("web:cards")}
    )
    assert response.status_code == 302
    page = client.get(reverse("web:cards")).content.decode()
    assert f'<html lang="{language}">' in page
    assert f"<h1>{heading}</h1>" in page


def test_user_without_a_role_is_told_what_to_do(client, world):
    client.force_login(world.nobody)
    page = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no role" in page.lower()


def test_admin_login_goes_through_the_one_login_page(client, db):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.request["PATH_INFO"] == reverse("web:login")
