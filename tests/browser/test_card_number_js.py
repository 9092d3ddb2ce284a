"""The card-number check in the page (static/kaikukanta/card-number.js) says what the server says."""

import random

import pytest
from django.utils import translation

from kaikukanta.cards import identifiers
from kaikukanta.cards.errors import IdentifierCheckFailed
from kaikukanta.cards.services import parse_identifier, unknown_number_error
from kaikukanta.core.errors import DomainError

from .support import assert_accessible, log_in


def typed_numbers():
    """Valid numbers, each with every kind of typo the check character must catch, and other shapes."""
    rng = random.Random(29)
    numbers = ["K7M4R", "ABCD1234", "O0I1LSZ", "k7m4r-xwp9a", "12345678901", "ÄÖ"]
    for _ in range(40):
        body = "".join(rng.choice(identifiers.ALPHABET) for _ in range(identifiers.BODY_LENGTH))
        number = body + identifiers.check_character(body)
        numbers.append(number)
        numbers.append(identifiers.display(number).lower())
        position = rng.randrange(identifiers.LENGTH)
        other = rng.choice(identifiers.ALPHABET.replace(number[position], ""))
        numbers.append(number[:position] + other + number[position + 1 :])  # one character wrong
        i, j = sorted(rng.sample(range(identifiers.LENGTH), 2))
        if number[i] != number[j]:
            numbers.append(number[:i] + number[j] + number[i + 1 : j] + number[i] + number[j + 1 :])
        numbers.append(number[:position] + "O" + number[position + 1 :])  # a letter O for a zero
        numbers.append(number[:-1])  # one character short
    return numbers


def server_code(number, mode):
    """The error code the registry gives for `number` as a new card's number, or as a look-up's
    number that matches no card (CardNotFound is no typo: the page cannot know it)."""
    normalized = identifiers.normalize(number)
    try:
        if mode == "new":
            parse_identifier(number)
            return None
        error = unknown_number_error(normalized)
    except DomainError as refused:
        return refused.code
    return None if error.code in {"card_not_found", "identifier_malformed"} else error.code


@pytest.fixture
def signed_in_page(page):
    log_in(page, "jakaja.tampere")
    page.goto("/cards/")
    return page


def test_the_page_flags_exactly_the_numbers_the_server_refuses(signed_in_page):
    numbers = typed_numbers()
    for mode in ["new", "any"]:
        in_page = signed_in_page.evaluate(
            """([numbers, mode]) => numbers.map(n => {
                const found = KaikukantaCardNumber.problem(n, mode, true);
                return found && found.code;
            })""",
            [numbers, mode],
        )
        expected = [server_code(number, mode) for number in numbers]
        assert list(zip(numbers, in_page, strict=True)) == list(
            zip(numbers, expected, strict=True)
        ), mode


def test_a_typo_is_told_as_it_is_typed_and_nothing_is_sent(signed_in_page):
    page = signed_in_page
    number = identifiers.generate()
    wrong = number[:3] + number[4] + number[3] + number[5:]  # two characters swapped
    if wrong == number:
        wrong = number[:-1] + identifiers.ALPHABET[(identifiers.VALUES[number[-1]] + 1) % 29]
    field = page.get_by_label("Kortin numero")
    requests = []
    page.on(
        "request", lambda request: requests.append(request) if request.method == "POST" else None
    )
    field.fill(wrong)
    with translation.override("fi"):
        expected = str(IdentifierCheckFailed(identifier=identifiers.display(wrong)).message)
    page.get_by_text(expected).wait_for()
    assert field.get_attribute("aria-invalid") == "true"
    field.press("Enter")
    page.wait_for_timeout(300)
    assert requests == []  # held back in the page
    assert page.evaluate("document.activeElement.name") == "identifier"
    field.fill(number)
    page.get_by_text("Tarkistusmerkki täsmää.").wait_for()
    assert field.get_attribute("aria-invalid") is None
    assert_accessible(page, "card list with a checked number")
