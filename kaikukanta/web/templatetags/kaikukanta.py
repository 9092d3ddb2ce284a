from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get(mapping, key):
    return mapping.get(key)


@register.simple_tag
def figure(value):
    """A statistics figure; a suppressed one says in words what "<5" means for screen readers."""
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
def stats_rounding():
    return settings.KAIKUKANTA_STATS_ROUNDING


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
