"""Issued IAM tokens and the authentication error the gateway answers with."""

import secrets
import time

BAD_AUTH = "Incorrect IAM authentication information: "


class AuthError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class TokenStore:
    """Issued tokens: value -> (project id, expiry epoch or None for never)."""

    def __init__(self, credentials, ttl):
        self.credentials = credentials
        self.ttl = ttl
        self.reset()

    def reset(self):
        self._tokens = {self.credentials.static_token: (self.credentials.project_id, None)}

    def issue(self, project_id):
        token = "MII" + secrets.token_urlsafe(96)
        issued = time.time()
        self._tokens[token] = (project_id, issued + self.ttl)
        return token, issued, issued + self.ttl

    def expire_all(self, include_static=False):
        """Mark tokens expired (kept, so their use answers 'expired', not 'unknown')."""
        expired = 0
        for token, (project_id, expires) in list(self._tokens.items()):
            if expires is not None or include_static:
                self._tokens[token] = (project_id, 0.0)
                expired += 1
        return expired

    def project_of(self, token):
        entry = self._tokens.get(token)
        if entry is None:
            raise AuthError(401, BAD_AUTH + "the token is invalid")
        project_id, expires = entry
        if expires is not None and time.time() >= expires:
            raise AuthError(401, BAD_AUTH + "the token has expired")
        return project_id
