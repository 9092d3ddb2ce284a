"""Login throttling (django-axes) reads the client's address from core/clients.py
(AXES_CLIENT_IP_CALLABLE names it here)."""

from kaikukanta.core.clients import client_ip as client_ip
