from django.http import HttpRequest

from kaikukanta.accounts.middleware import held_at_second_step

from .navigation import menu


def navigation(request: HttpRequest) -> dict:
    """The links of the page header, from the one menu table (`navigation.py`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or held_at_second_step(request):
        # Before the second step of logging in, no page of the menu would open.
        return {"nav_links": []}
    current = request.path
    return {
        "nav_links": [
            {"url": link.url, "label": link.label, "current": current == link.url}
            for link in menu(user)
        ]
    }
