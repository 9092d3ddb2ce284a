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
