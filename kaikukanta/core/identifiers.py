"""Card numbers: random, short enough to type at a box office, with a check character.

A number is nine random characters and one check character from an alphabet of 29 that leaves out the
easily confused 0, 1, I, L, O, S and Z, for example ``K7M4R-XWP9A`` (the hyphen is only for reading; it is
neither stored nor needed when typing). Nine random characters give 29**9 = 1.4e13 numbers (43.7 bits), so
a number cannot be guessed from a neighbouring card's. All characters are valid in Code 39 and QR.

The check character makes the weighted sum ``sum((i + 1) * value(c_i) for i in 0..9)`` divisible by 29.
Because 29 is prime and the weights 1..10 are distinct and non-zero modulo 29, changing any one character
changes the sum by w * d with w, d non-zero, and swapping two characters changes it by (w_i - w_j) * d:
neither can be a multiple of 29, so every single-character error and every swap of two characters, adjacent
or not, is caught.

Numbers from the existing national registry are imported as they are (letters and digits) and are not
checked against this scheme.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRTUVWXY"
MODULUS = len(ALPHABET)  # 29, a prime
BODY_LENGTH = 9
LENGTH = BODY_LENGTH + 1
VALUES = {character: value for value, character in enumerate(ALPHABET)}
_CHECK_WEIGHT_INVERSE = pow(LENGTH, -1, MODULUS)
IMPORTED_PATTERN = re.compile(r"^[A-Z0-9]{4,32}$")
_SEPARATORS = re.compile(r"[\s\-\x00-\x1f\x7f]+")  # spaces, hyphens, control characters

assert MODULUS == 29


def normalize(raw: str) -> str:
    """What the clerk typed or the scanner read, as stored: upper case, no spaces or hyphens."""
    return _SEPARATORS.sub("", raw or "").upper()


def _weighted_sum(characters: str) -> int:
    return sum((position + 1) * VALUES[character] for position, character in enumerate(characters))


def check_character(body: str) -> str:
    """The character that completes a nine-character body into a valid number."""
    value = (-_weighted_sum(body) * _CHECK_WEIGHT_INVERSE) % MODULUS
    return ALPHABET[value]


def has_native_shape(identifier: str) -> bool:
    """Ten characters, all from the alphabet: the shape of a number this registry generates."""
    return len(identifier) == LENGTH and all(character in VALUES for character in identifier)


def is_valid(identifier: str) -> bool:
    return has_native_shape(identifier) and _weighted_sum(identifier) % MODULUS == 0


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def invalid_characters(identifier: str) -> list[str]:
    """Characters a native number never contains, in the order they appear, each once."""
    return list(dict.fromkeys(character for character in identifier if character not in VALUES))


def display(identifier: str) -> str:
    """A native number in two groups of five for reading aloud; an imported one as it is."""
    if has_native_shape(identifier):
        return f"{identifier[:5]}-{identifier[5:]}"
    return identifier
