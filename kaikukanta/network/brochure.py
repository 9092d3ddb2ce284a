"""A region's printable brochure (PDF, reportlab): what a card of the region offers, in the active
language (fi, sv or en; descriptions fall back to Finnish). The public catalogue links one per
language; it reads the same list as the catalogue page (VenueQuerySet.offered_to)."""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from .models import Region, Venue


def _offers(venue: Venue) -> str:
    labels = {
        "entry": _("entry tickets"),
        "courses": _("courses"),
        "sports": _("sports"),
        "events": _("events and performances"),
    }
    return ", ".join(str(labels[key]) for key in venue.offers())


def _day(day: dt.date | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""


def region_brochure(region: Region, day: dt.date) -> bytes:
    styles = getSampleStyleSheet()
    body, heading, title = styles["BodyText"], styles["Heading2"], styles["Title"]
    small = styles["BodyText"].clone("small", fontSize=9, leading=11)
    title_text = _("Kaikukortti in %(region)s") % {"region": region.display_name}
    story = [
        Paragraph(escape(title_text), title),
        Paragraph(
            escape(
                _(
                    "With the Kaikukortti, clients of social services get free tickets to culture "
                    "and sports. Show the card at the ticket office or the door."
                )
            ),
            body,
        ),
    ]
    if region.description_text:
        story.append(Paragraph(escape(region.description_text), body))
    venues = (
        Venue.objects.offered_to(region, day)
        .select_related("municipality")
        .order_by("is_popup", "name", "pk")
    )
    sections = [
        (
            _("Venues in %(region)s") % {"region": region.display_name},
            [v for v in venues if not v.is_popup],
        ),
        (_("National pop-up venues"), [v for v in venues if v.is_popup]),
    ]
    for name, items in sections:
        if not items:
            continue
        story.append(Paragraph(escape(name), heading))
        for venue in items:
            lines = [f"<b>{escape(venue.display_name)}</b>"]
            where = ", ".join(
                part
                for part in [
                    venue.location,
                    venue.municipality.display_name if venue.municipality else "",
                ]
                if part
            )
            facts = [str(venue.get_category_display()).capitalize()]
            if where:
                facts.append(where)
            lines.append(escape(" · ".join(facts)))
            if venue.is_popup:
                lines.append(
                    escape(
                        _("Accepts every region's cards from %(starts)s to %(ends)s.")
                        % {"starts": _day(venue.active_from), "ends": _day(venue.active_until)}
                    )
                )
            if venue.description_text:
                lines.append(escape(venue.description_text))
            offers = _offers(venue)
            if offers:
                lines.append(escape(_("Offered: %(offers)s") % {"offers": offers}))
            lines.append(
                escape(
                    _("Child tickets apply.")
                    if venue.child_tickets
                    else _("Tickets for the cardholder only.")
                )
            )
            if venue.accessibility_text:
                lines.append(
                    escape(_("Accessibility: %(text)s") % {"text": venue.accessibility_text})
                )
            if venue.web_link:
                lines.append(escape(venue.web_link))
            story.append(KeepTogether([Paragraph("<br/>".join(lines), body), Spacer(1, 2 * mm)]))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            escape(
                _("Printed %(day)s. The latest list is in the online catalogue.")
                % {"day": _day(day)}
            ),
            small,
        )
    )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title_text,
        author="Kaikukortti",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    document.build(story)
    return buffer.getvalue()
