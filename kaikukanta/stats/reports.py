"""A region's yearly report as a PDF (reportlab): the statistics page's tables, the same figures."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import figures
from .figures import Subject
from .periods import Period
from .suppression import bound


def _cell(cell: object) -> str:
    return "" if cell is None else str(cell)


def region_report_pdf(subject: Subject, year: int) -> bytes:
    report = figures.report(subject, Period.of_year(year))  # a yearly report, by nature
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Kaikukortti in %(region)s, %(year)s") % {"region": subject.label, "year": year},
        leftMargin=15 * mm,
        rightMargin=15 * mm,
    )
    story: list = [
        Paragraph(
            _("Kaikukortti in %(region)s, %(year)s")
            % {"region": escape(str(subject.label)), "year": year},
            styles["Title"],
        ),
        Paragraph(
            _(
                "Figures are perturbed for privacy: each count may differ from the exact one by up "
                "to %(bound)s, and counts of 1 and 2 are never shown as such. Holder data of fewer "
                "than %(limit)s cards is shown as “<%(limit)s”."
            )
            % {"bound": bound(), "limit": settings.KAIKUKANTA_STATS_SMALL_COUNT},
            styles["Normal"],
        ),
    ]
    if report.wellbeing and report.wellbeing.get("mean"):
        story.append(
            Paragraph(
                _(
                    "Mean change of the WHO-5 score between issue and renewal: %(mean)s (%(count)s holders)."
                )
                % {"mean": report.wellbeing["mean"], "count": report.wellbeing["count"]},
                styles["Normal"],
            )
        )
    for table in [report.key_figures, *report.tables]:
        if table is None or not table.rows:
            continue
        story += [Spacer(1, 6 * mm), Paragraph(escape(str(table.title)), styles["Heading2"])]
        columns = table.columns
        if len(columns) > 6:  # the yearly table: too wide for the page, in two halves
            chunks = [columns[: len(columns) // 2], columns[len(columns) // 2 :]]
        else:
            chunks = [columns]
        for chunk in chunks:
            data = [[table.label_heading, *[label for _key, label in chunk]]]
            for row in table.rows:
                data.append([row.label, *[_cell(row.cells.get(key)) for key, _label in chunk]])
            grid = Table(data, repeatRows=1)
            grid.setStyle(
                TableStyle(
                    [
                        ("FONTSIZE", (0, 0), (-1, -1), 8),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    ]
                )
            )
            story += [grid, Spacer(1, 3 * mm)]
    document.build(story)
    return buffer.getvalue()
