from django import template
from django.utils.safestring import SafeString, mark_safe

from ..styles import CSS

register = template.Library()


@register.simple_tag
def inline_styles() -> SafeString:
    # Our own stylesheet (public/static/public/public.css), allowed by its hash (styles.py).
    return mark_safe(f"<style>{CSS}</style>")  # noqa: S308
