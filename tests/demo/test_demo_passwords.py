"""The demo hashes its public password once for all its users; under the production hasher they must
still log in with it. (The rest of the suite uses a fast hasher, so this is checked here on its own.)"""

from django.conf import global_settings
from django.contrib.auth.hashers import identify_hasher

from kaikukanta.accounts.models import User
from kaikukanta.demo.loader import DEMO_PASSWORD, DemoLoader, demo_users


def test_demo_users_log_in_with_the_demo_password_under_pbkdf2(db, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # as in production
    loader = DemoLoader()
    loader.load_network()
    loader.load_users()

    users = list(User.objects.all())
    assert sorted(user.username for user in users) == sorted(u.username for u in demo_users())
    hashes = {user.password for user in users}
    assert len(hashes) == 1  # hashed once
    assert identify_hasher(hashes.pop()).algorithm == "pbkdf2_sha256"
    # Checking costs a full PBKDF2 run each; one user shows the shared hash is right.
    assert users[0].check_password(DEMO_PASSWORD)
    assert not users[0].check_password("kaikukortti-demo-wrong")
