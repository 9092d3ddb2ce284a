from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get(mapping, key):
    return mapping.get(key)


@register.simple_tag
def figure(value):
    """A statistics figure as shown; holder data below the threshold says in words what "<5" means
    for screen readers."""
    if value.suppressed:
        return format_html(
            '<span aria-hidden="true">&lt;{}</span><span class="visually-hidden">{}</span>',
            value.threshold,
            _("fewer than %(threshold)s") % {"threshold": value.threshold},
        )
    return str(value.shown)


@register.simple_tag
def small_count_threshold():
    return settings.KAIKUKANTA_STATS_SMALL_COUNT - 1


@register.simple_tag
def stats_bound():
    """The most a statistics figure differs from the exact count (the cell key method)."""
    from kaikukanta.stats.suppression import bound

    return bound()


@register.simple_tag
def card_status(card, day):
    """ "valid", "expired" or "closed" on `day`: Card.status_on, the one rule lists and pages show."""
    return card.status_on(day)


@register.simple_tag
def lockout_minutes():
    """How long a locked-out login stays locked (KAIKUKANTA_LOGIN_LOCKOUT_MINUTES)."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


@register.simple_tag
def card_number_messages():
    """The registry's own messages about a mistyped card number, for card-number.js to show as the
    number is typed: the page says exactly what the server would, in the page's language."""
    from django.utils.html import json_script

    from kaikukanta.cards import errors

    messages = {
        error.code: str(error.template)
        for error in (
            errors.IdentifierMalformed,
            errors.IdentifierHasInvalidCharacters,
            errors.IdentifierCheckFailed,
        )
    }
    messages["identifier_ok"] = _("The check character matches.")
    return json_script(messages, "card-number-messages")


@register.inclusion_tag("web/_card_number_tools.html")
def card_number_tools(field):
    """Beside a card-number input: the live check's message and the camera button (which sends the
    form once it has read a number when the widget has a data-camera-submit attribute)."""
    return {"field": field, "submit_after_camera": "data-camera-submit" in field.field.widget.attrs}


@register.filter
def table_cells(table, row):
    """A statistics table's cells of one row, in its columns' order."""
    return table.cells(row)


@register.simple_tag
def stats_chart(table):
    """A bar chart of a table's trend as server-drawn SVG (no script, no inline style): hidden from
    screen readers, which read the table below it. A suppressed bar is drawn empty and labelled."""
    bars = table.chart
    width, height, top = 640, 200, 20
    highest = max((f.shown or 0 for _label, f in bars if not f.suppressed), default=0) or 1
    step = width / max(len(bars), 1)
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-hidden="true" focusable="false">',
            width,
            height + 40,
        ),
        format_html('<text x="0" y="12" class="chart-title">{}</text>', table.note),
    ]
    for index, (label, value) in enumerate(bars):
        shown = 0 if value.suppressed else (value.shown or 0)
        bar = round((height - top) * shown / highest)
        x = round(index * step + step * 0.15)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="bar"></rect>'
                '<text x="{}" y="{}" class="bar-value" text-anchor="middle">{}</text>'
                '<text x="{}" y="{}" class="bar-label" text-anchor="middle">{}</text>',
                x,
                height - bar,
                round(step * 0.7),
                bar,
                round(x + step * 0.35),
                height - bar - 4,
                str(value),
                round(x + step * 0.35),
                height + 16,
                label,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308  (each part escaped by format_html)


@register.filter
def verdict_title(verdict):
    """The box office's answer to a card in a few words (CardCheck.verdict, or a group member's
    line): what is wrong, not only that something is."""
    titles = {
        "accepted": _("Accepted"),
        "expired": _("Expired"),
        "closed": _("Closed"),
        "not_yet_valid": _("Not yet valid"),
        "not_here": _("Not accepted at this venue"),
        "group_only": _("Community card: group visits only"),
        "community_member": _("Community card: not a member's own card"),
        "unknown": _("No such card"),
        "refused": _("Not recorded"),
    }
    return titles.get(verdict, _("Not accepted here"))


def _error_target(field):
    """The id an error summary's link leads to: the input itself, or a group's first choice."""
    if not field.auto_id:
        return ""
    if field.use_fieldset:
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id


@register.inclusion_tag("web/_error_summary.html", takes_context=True)
def error_summary(context, *forms):
    """The error summary at the top of a staff form (the GOV.UK and Suomi.fi design systems'
    pattern): a heading, and every error of `forms` as a link to its field, in the forms' order; a
    form-wide error or one of a hidden field as plain text. static/kaikukanta/forms.js moves the
    focus to it when the page (or the part htmx swapped in) shows it, and a link's click to the
    field. Nothing is shown when there are no errors."""
    items: list[dict[str, str]] = []
    for form in forms:
        if form is None or not getattr(form, "is_bound", False) or not form.errors:
            continue
        items.extend({"href": "", "message": error} for error in form.non_field_errors())
        for field in form:
            for error in field.errors:
                href = "" if field.is_hidden else _error_target(field)
                items.append({"href": href, "message": error})
    count = context.render_context.get("error_summaries", 0) + 1
    context.render_context["error_summaries"] = count
    return {"items": items, "summary_id": f"error-summary-{count}"}
