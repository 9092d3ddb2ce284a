"""Finnish is the default and Swedish and English are complete: every string in the code has a Finnish
and a Swedish translation, none is fuzzy, and every catalogue compiles with its placeholders intact."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "kaikukanta" / "locale"
LANGUAGES = ["fi", "sv"]


def catalogue(language: str, root: Path = ROOT):
    path = root / "kaikukanta" / "locale" / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    messages = [m for m in catalogue(language) if m.id]
    assert len(messages) > 200
    untranslated = [
        m.id
        for m in messages
        if not m.string or (isinstance(m.string, tuple) and not all(m.string))
    ]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    problems = [
        (message.id, [str(error) for error in errors])
        for message, errors in catalogue(language).check()
        if errors
    ]
    assert problems == []


def test_the_catalogues_hold_every_string_of_the_code(tmp_path):
    if not shutil.which("xgettext"):
        if os.environ.get("KAIKUKANTA_CI"):
            pytest.fail("GNU gettext (xgettext) is missing; .ci/run installs it")
        pytest.skip(
            "GNU gettext is not installed: cannot collect the strings (apt-get install gettext)"
        )
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT / "kaikukanta",
        copy / "kaikukanta",
        ignore=shutil.ignore_patterns("*.mo", "__pycache__"),
    )
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(KAIKUKANTA_DEBUG="1", KAIKUKANTA_VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "fi",
            "-l",
            "sv",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for language in LANGUAGES:
        in_code = {m.id for m in catalogue(language, copy) if m.id}
        committed = {m.id for m in catalogue(language) if m.id}
        assert in_code - committed == set(), f"run `make messages` and translate ({language})"
        assert committed - in_code == set(), (
            f"run `make messages` to drop unused strings ({language})"
        )
