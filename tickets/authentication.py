"""API authentication: DRF's token lookup, reading the agent's desk scope in the same query."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import router
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from config.prepared import PreparedQuery
from tickets import selectors


def _user_fields() -> list[str]:
    return [field.attname for field in get_user_model()._meta.concrete_fields]


def _token_user(key: str) -> QuerySet[AbstractBaseUser]:
    scope = selectors.desk_scope_annotations("pk")
    return (
        get_user_model()
        .objects.filter(auth_token__key=key)
        .annotate(**scope)
        .values(*_user_fields(), *scope)
    )


# Every API request runs this lookup. Compiling its three scope subqueries costs several
# times more than running it, and reading the row through `.raw()` twice as much again, so
# it is compiled once and its row read as `.values()` (config.prepared).
_TOKEN_USER = PreparedQuery(_token_user, "key")


class DeskTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's; the token's user row also brings what the user
    may see of the desk (selectors.DeskScope), so a ticket list needs no query for it."""

    def authenticate_credentials(self, key: str) -> tuple[AbstractBaseUser, Token]:
        using = router.db_for_read(Token)
        rows = _TOKEN_USER.rows(using, key=key)
        if not rows:
            raise AuthenticationFailed(_("Invalid token."))
        (row,) = rows
        fields = _user_fields()
        user = get_user_model().from_db(using, fields, [row[name] for name in fields])
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        selectors.remember_desk_scope(user, row)
        # The token as DRF's lookup returns it (request.auth); its creation time is read
        # only if something asks for it.
        token = Token.from_db(using, ["key", "user_id"], [key, user.pk])
        token.user = user
        return user, token
