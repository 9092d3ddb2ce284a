import itertools
import math
import random
import string

import pytest
import zxingcpp
from PIL import Image

from kaikukanta.cards import identifiers, printing

SAMPLE = [identifiers.generate() for _ in range(300)]
CODE39_CHARACTERS = set(string.ascii_uppercase + string.digits + "-. $/+%")


def test_a_number_is_ten_characters_of_which_the_last_checks_the_rest():
    for number in SAMPLE:
        assert len(number) == 10
        assert identifiers.is_valid(number)
        assert identifiers.check_character(number[:9]) == number[9]


@pytest.mark.parametrize("number", SAMPLE[:100])
def test_every_single_character_error_is_caught(number):
    for position in range(len(number)):
        for replacement in identifiers.ALPHABET:
            if replacement == number[position]:
                continue
            typo = number[:position] + replacement + number[position + 1 :]
            assert not identifiers.is_valid(typo), (number, typo)


@pytest.mark.parametrize("number", SAMPLE)
def test_every_swap_of_two_characters_is_caught(number):
    # Adjacent swaps are the common typing error; the weights catch swaps at any distance too.
    for first, second in itertools.combinations(range(len(number)), 2):
        a, b = number[first], number[second]
        if a == b:
            continue
        swapped = list(number)
        swapped[first], swapped[second] = b, a
        assert not identifiers.is_valid("".join(swapped)), (number, first, second)


def test_numbers_have_at_least_40_random_bits_and_no_confusable_characters():
    assert identifiers.BODY_LENGTH * math.log2(len(identifiers.ALPHABET)) >= 40
    for confusable in "01ILOSZ":
        assert confusable not in identifiers.ALPHABET
    assert all(character in CODE39_CHARACTERS for character in identifiers.ALPHABET)


def test_neighbouring_numbers_share_no_pattern():
    # Consecutively generated numbers agree in a position about as often as chance says (1 in 29).
    numbers = [identifiers.generate() for _ in range(2000)]
    same = sum(
        a == b
        for first, second in itertools.pairwise(numbers)
        for a, b in zip(first, second, strict=True)
    )
    positions = (len(numbers) - 1) * identifiers.LENGTH
    assert same / positions < 0.06
    assert len(set(numbers)) == len(numbers)


def test_typed_numbers_are_normalised():
    number = SAMPLE[0]
    typed = f" {number[:5].lower()}-{number[5:]} "
    assert identifiers.normalize(typed) == number
    assert identifiers.display(number) == f"{number[:5]}-{number[5:]}"
    assert identifiers.display("AB123456") == "AB123456"  # an imported number stays as it is


def _decode(png: bytes) -> list[str]:
    import io

    image = Image.open(io.BytesIO(png))
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("number", random.Random(7).sample(SAMPLE, 10))
def test_the_printed_qr_code_and_code39_read_back_as_the_number(number):
    assert _decode(printing.qr_code(number, kind="png")) == [number]
    assert _decode(printing.code39(number, kind="png")) == [number]
