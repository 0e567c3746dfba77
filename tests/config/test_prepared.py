import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def _by_username(name: str):
    return get_user_model().objects.filter(username=name, is_active=True).order_by("pk")


def test_runs_the_orm_query_with_each_new_value():
    user_model = get_user_model()
    alice = user_model.objects.create_user("alice")
    user_model.objects.create_user("bob")
    built = []

    def build(name: str):
        built.append(name)
        return _by_username(name)

    prepared = PreparedQuery(build, "name")

    for username in ("alice", "bob", "nobody", "alice"):
        sql, params = prepared.bind(connection.alias, name=username)
        found = list(user_model.objects.raw(sql, params))
        assert found == list(_by_username(username))
    assert len(built) == 1  # compiled once
    assert next(iter(user_model.objects.raw(*prepared.bind(name="alice")))).pk == alice.pk


def test_a_value_the_orm_would_rewrite_is_refused_at_compile_time():
    prepared = PreparedQuery(
        lambda name: get_user_model().objects.filter(username__icontains=name), "name"
    )

    with pytest.raises(ImproperlyConfigured, match="exactly one SQL parameter"):
        prepared.bind(name="alice")


def test_values_must_match_the_declared_names():
    prepared = PreparedQuery(_by_username, "name")

    with pytest.raises(TypeError):
        prepared.bind(username="alice")
