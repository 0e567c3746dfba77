"""Single sign-on from the exchange: a short-lived token signed with a shared secret.

The exchange's site sends its logged-in user to `/sso/?token=…` where the token is

    base64url(JSON {"uid": "…", "email": "…", "name": "…", "iat": <unix seconds>})
    + "." + hex(HMAC-SHA256(SSO_SHARED_SECRET, <the base64url part>))

The desk accepts it once, within SSO_MAX_AGE seconds of `iat`, and signs the customer in.
"""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from tickets.models import UsedSignOnToken

# Clocks of two companies' servers never agree exactly.
CLOCK_SKEW_SECONDS = 60


class SignOnError(Exception):
    """The token was refused; `message` is safe to show to the customer."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class SignOnClaims:
    uid: str
    email: str
    name: str
    issued_at: int


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode("ascii"), hashlib.sha256).hexdigest()


def make_token(
    *, uid: str, email: str, name: str = "", issued_at: int | None = None, secret: str | None = None
) -> str:
    """What the exchange's side does (used by tests and by integrators as a reference)."""
    claims = {
        "uid": uid,
        "email": email,
        "name": name,
        "iat": int(time.time()) if issued_at is None else issued_at,
    }
    payload = _b64encode(json.dumps(claims, separators=(",", ":")).encode())
    return f"{payload}.{_signature(secret or settings.SSO_SHARED_SECRET, payload)}"


def verify(token: str, *, now: float | None = None) -> SignOnClaims:
    """Check signature, age and single use; return the claims or raise SignOnError."""
    secret = settings.SSO_SHARED_SECRET
    if not secret:
        raise SignOnError("Sign-on from the exchange is not enabled here.", "disabled")
    payload, _, signature = (token or "").strip().partition(".")
    if not payload or not signature:
        raise SignOnError("This sign-on link is incomplete. Please try again.", "malformed")
    if not hmac.compare_digest(_signature(secret, payload), signature.lower()):
        raise SignOnError("This sign-on link is not valid. Please try again.", "tampered")
    try:
        claims = json.loads(_b64decode(payload))
        uid, email = str(claims["uid"]), str(claims["email"])
        name, issued_at = str(claims.get("name", "")), int(claims["iat"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SignOnError("This sign-on link is not valid.", "malformed") from exc
    now = time.time() if now is None else now
    if issued_at > now + CLOCK_SKEW_SECONDS or now - issued_at > settings.SSO_MAX_AGE:
        raise SignOnError(
            "This sign-on link has expired. Please open the help center again from the exchange.",
            "expired",
        )
    digest = hashlib.sha256(signature.lower().encode()).hexdigest()
    try:
        with transaction.atomic():
            UsedSignOnToken.objects.create(digest=digest)
    except IntegrityError as exc:
        raise SignOnError(
            "This sign-on link was already used. Please open the help center again from the "
            "exchange.",
            "replayed",
        ) from exc
    return SignOnClaims(uid=uid, email=email, name=name, issued_at=issued_at)
