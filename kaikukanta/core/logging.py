"""Log masking: no card number, nor anything shaped like one, reaches a log line.

A card number in a log (a URL such as ``/cards/K7M4RXWP9A/``, a look-up that failed, a traceback) links
whoever reads the log to a cardholder's visits. The filter below is attached to every handler in
``settings.LOGGING`` and masks, in the formatted message and in the traceback text:

- the hyphenated form of a card number, five and five characters of the card alphabet (``K7M4R-XWP9A``);
- a Finnish identity code pasted by mistake (``131052-308T``);
- any run of 6 to 32 ASCII letters and digits that has at least one letter and at least one digit (this
  registry's numbers, and the letters-and-digits numbers imported from the earlier registry);
- any run of six or more digits;
- a number of this registry's own shape made only of letters (about 4 % of them, such as
  ``KHTRWBNXEQ``): ten letters of the card alphabet whose check character is right, which one word in
  29 of that shape also passes;
- the secret of a mobile-card link, whatever its characters: everything after ``/m/`` up to the next
  ``/``, ``?``, space or quote becomes ``/m/[link]``, in paths, full URLs and referrers alike; a staff
  invitation's secret likewise becomes ``/invitation/[link]``, and a password reset link's
  ``/password-reset/link/[link]``.

Letter case does not matter. Numbers imported from the earlier registry made only of letters cannot be
told from words and stay readable. Ordinary words, short numbers, dates and times (``2026-11-28 00:07:28``), IP
addresses and HTTP status codes stay readable. Letters-and-digits words such as ``python3`` are masked
too: the rule cannot tell them from an imported card number.
"""

from __future__ import annotations

import logging
import re

from kaikukanta.core import identifiers

MASK = "[card number]"
LINK_MASK = "/m/[link]"
_MOBILE_CARD_LINK = re.compile(r"/m/(?!sw\.js\b)[^/?#\s\"']+")
INVITATION_MASK = "/invitation/[link]"
_INVITATION_LINK = re.compile(r"/invitation/[^/?#\s\"']+")
PASSWORD_RESET_MASK = "/password-reset/link/[link]"  # noqa: S105 - a mask, not a password
_PASSWORD_RESET_LINK = re.compile(r"/password-reset/link/[^/?#\s\"']+/[^/?#\s\"']+")

_ALNUM = "A-Za-z0-9"
_CARD_ALPHABET = "23456789ABCDEFGHJKMNPQRTUVWXY"
# The identity code's century signs: + (1800s), - and U-Y (1900s), A-F (2000s).
_IDENTITY_CODE = r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]"
_HYPHENATED_CARD = rf"[{_CARD_ALPHABET}]{{5}}-[{_CARD_ALPHABET}]{{5}}"

_CANDIDATE = re.compile(
    rf"(?<![{_ALNUM}])"
    rf"(?:(?P<identity>{_IDENTITY_CODE})|(?P<hyphenated>{_HYPHENATED_CARD})|(?P<run>[{_ALNUM}]+))"
    rf"(?![{_ALNUM}])",
    # ASCII: without it, IGNORECASE would let the Kelvin sign match "k" and the like.
    re.IGNORECASE | re.ASCII,
)


def _replacement(match: re.Match[str]) -> str:
    run = match.group("run")
    if run is None:  # an identity code or a hyphenated card number
        return MASK
    if run.isdigit():
        return MASK if len(run) >= 6 else run
    # Not only digits: masked when it has a digit too and is as long as a card number can be.
    has_digit = any(character.isdigit() for character in run)
    if has_digit and not run.isalpha() and 6 <= len(run) <= 32:
        return MASK
    if identifiers.is_valid(run.upper()):  # a native number of letters only
        return MASK
    return run


def mask_card_numbers(text: str) -> str:
    """``text`` with everything card-number-shaped replaced by ``[card number]``."""
    text = _MOBILE_CARD_LINK.sub(LINK_MASK, text)
    text = _INVITATION_LINK.sub(INVITATION_MASK, text)
    text = _PASSWORD_RESET_LINK.sub(PASSWORD_RESET_MASK, text)
    return _CANDIDATE.sub(_replacement, text)


class MaskCardNumbers(logging.Filter):
    """Masks card-number-shaped text in a record before any handler formats it.

    The message is formatted here (``msg % args``) and masked, and ``args`` dropped, so that no handler
    formats the raw arguments again. The traceback is formatted and masked into ``exc_text``, which
    ``logging.Formatter`` uses as it is instead of formatting the exception itself.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_card_numbers(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_card_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_card_numbers(record.stack_info)
        return True
