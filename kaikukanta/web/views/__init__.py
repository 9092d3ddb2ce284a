"""Staff pages, a module per area. Each module owns its `urlpatterns`; `web/urls.py` joins them.

Every page names the capability it needs (`web/access.py`), starts from a `visible_to(request.user)`
scope and changes nothing except through a service function; what a role may not see is a 404 (an
object) or a 403 (another role's page)."""
