"""Card numbers: the format (alphabet, check character) is in core/identifiers.py, so that the log
masking in core can tell a card number without importing cards; the cards' callers name it here."""

from kaikukanta.core.identifiers import ALPHABET as ALPHABET
from kaikukanta.core.identifiers import BODY_LENGTH as BODY_LENGTH
from kaikukanta.core.identifiers import IMPORTED_PATTERN as IMPORTED_PATTERN
from kaikukanta.core.identifiers import LENGTH as LENGTH
from kaikukanta.core.identifiers import MODULUS as MODULUS
from kaikukanta.core.identifiers import VALUES as VALUES
from kaikukanta.core.identifiers import check_character as check_character
from kaikukanta.core.identifiers import display as display
from kaikukanta.core.identifiers import generate as generate
from kaikukanta.core.identifiers import has_native_shape as has_native_shape
from kaikukanta.core.identifiers import invalid_characters as invalid_characters
from kaikukanta.core.identifiers import is_valid as is_valid
from kaikukanta.core.identifiers import normalize as normalize
