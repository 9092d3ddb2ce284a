# The same formats as Finnish: dates are written the Finnish way in every language of the service.
from kaikukanta.formats.fi.formats import *  # noqa: F403
