import pytest
from django.core.management import call_command
from tests.conftest import make_user
from kaikukanta.accounts.models import Role

@pytest.mark.django_db
def test_scratch(tmp_path, capsys):
    make_user("national", Role.NATIONAL_ADMIN)
    call_command("import_registry", "kaikukanta/migration_import/sample", "--actor", "national", "--report", str(tmp_path / "r.txt"), "--language", "en")
    out = capsys.readouterr()
    print(out.out)
    print(out.err)
    assert 0
