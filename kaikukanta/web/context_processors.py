from django.http import HttpRequest

from .navigation import menu


def navigation(request: HttpRequest) -> dict:
    """The links of the page header, from the one menu table (`navigation.py`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    current = request.path
    return {
        "nav_links": [
            {"url": link.url, "label": link.label, "current": current == link.url}
            for link in menu(user)
        ]
    }
