"""The printed card, card-stock sheets and the offering list: rendered as a printer would, and the
barcodes read back with a barcode reader."""

import io

import pypdfium2
import pytest
import zxingcpp
from django.utils import translation

from kaikukanta.cards import pdf
from kaikukanta.cards.services import create_card_stock
from kaikukanta.network.models import Venue

from ..conftest import TODAY


def pages(data: bytes) -> list:
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    return [document[index] for index in range(len(document))]


def text_of(data: bytes) -> str:
    return "\n".join(page.get_textpage().get_text_range() for page in pages(data))


def read_barcodes(data: bytes, page: int = 0) -> dict[str, str]:
    image = pages(data)[page].render(scale=300 / 72).to_pil()
    found = zxingcpp.read_barcodes(image)
    return {str(result.format): result.text for result in found}


def formats_read(data: bytes, page: int = 0) -> dict[str, str]:
    return {
        ("QR" if "QR" in name else "Code39" if "39" in name else name): text
        for name, text in read_barcodes(data, page).items()
    }


@pytest.mark.parametrize("sheet", [False, True])
def test_a_printed_card_reads_back_to_its_number(world, alpha_card, sheet):
    data = pdf.card_pdf(alpha_card, sheet=sheet)
    assert formats_read(data) == {"QR": alpha_card.identifier, "Code39": alpha_card.identifier}
    size = pages(data)[0].get_size()
    if sheet:
        assert [round(v) for v in size] == [595, 842]  # A4
    else:
        assert [round(v / 72 * 25.4, 1) for v in size] == [85.6, 54.0]  # a bank card's size


def test_a_printed_card_carries_only_what_the_holder_needs(world, alpha_card):
    with translation.override("fi"):
        text = text_of(pdf.card_pdf(alpha_card))
    assert "15.6.2027" in text  # valid until
    assert "Alfala" in text  # the region
    assert ": 2" in text  # children
    assert alpha_card.display_identifier in text
    # Nothing else about the holder: no birth year, no postcode, no site.
    assert "1980" not in text
    assert "33100" not in text
    assert "Aikuispsykiatria" not in text


def test_a_printed_community_card_has_the_templates_dates(world, community_card):
    with translation.override("fi"):
        data = pdf.card_pdf(community_card)
        text = text_of(data)
    assert "Yhdistys ry" in text
    assert "15.6.2026" in text  # registered
    assert "15.6.2027" in text  # last valid
    assert formats_read(data)["QR"] == community_card.identifier


def test_stock_sheets_print_every_number_of_the_batch(world):
    batch = create_card_stock(actor=world.alpha_coordinator, region=world.alpha, size=12)
    numbers = list(batch.numbers.values_list("identifier", flat=True))
    for_printer = pdf.stock_pdf(world.alpha, numbers)
    assert len(pages(for_printer)) == 12
    assert formats_read(for_printer, 11) == {"QR": numbers[11], "Code39": numbers[11]}
    sheets = pdf.stock_pdf(world.alpha, numbers, sheet=True)
    assert len(pages(sheets)) == 2  # ten to a sheet
    text = text_of(sheets)
    assert all(f"{n[:5]}-{n[5:]}" in text for n in numbers)


def test_the_offering_lists_the_regions_venues_and_popups_by_category_in_the_clients_language(
    world,
):
    world.alpha_venue.name_sv = "Alfala museum"
    world.alpha_venue.save()
    venues = Venue.objects.offered_to(world.alpha, TODAY)
    with translation.override("sv"):
        text = text_of(pdf.offering_pdf(world.alpha, venues, TODAY))
    assert "Alfala museum" in text
    assert "Alfalan opisto" in text
    assert "Pop-up-museo" in text
    assert "Beetalan teatteri" not in text  # another region's venue
    with translation.override("fi"):
        finnish = text_of(pdf.offering_pdf(world.alpha, venues, TODAY))
    assert "Alfalan museo" in finnish
    assert finnish != text
