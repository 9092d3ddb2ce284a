"""API tokens moved to accounts/tokens.py (a token is a credential); named here during the move."""

from kaikukanta.accounts.tokens import TOKEN_PREFIX as TOKEN_PREFIX
from kaikukanta.accounts.tokens import ApiToken as ApiToken
from kaikukanta.accounts.tokens import token_hash as token_hash
