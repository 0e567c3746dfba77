"""API authentication: DRF's token lookup, reading the agent's desk scope in the same query."""

from functools import cache

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from tickets import selectors


@cache
def _tokens() -> QuerySet[Token]:
    # Built once per process: resolving the scope's subqueries costs more Python than running
    # them. Every lookup filters a clone, so the shared queryset itself is never evaluated.
    return Token.objects.select_related("user").annotate(
        **selectors.desk_scope_annotations("user_id")
    )


class DeskTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's; the token row also brings what the user may
    see of the desk (selectors.DeskScope), so a ticket list needs no query for it."""

    def authenticate_credentials(self, key: str) -> tuple[object, Token]:
        try:
            token = _tokens().get(key=key)
        except Token.DoesNotExist as exc:
            raise AuthenticationFailed(_("Invalid token.")) from exc
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        selectors.remember_desk_scope(token.user, token)
        return token.user, token
