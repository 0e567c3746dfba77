"""Project-wide REST conventions: pagination, filtering and one error shape for every failure."""

import copy
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache, partial
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import EmptyPage, Page
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, filters, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class _Page(Page):
    """A page that may know by itself whether another follows (see CappedCountPaginator)."""

    more: bool | None = None

    def has_next(self) -> bool:
        return super().has_next() if self.more is None else self.more

    def next_page_number(self) -> int:
        # Not checked against the paginator when the page knows more rows follow: past the
        # deepest page served, the link leads to a 404 that says why, rather than nowhere.
        return super().next_page_number() if self.more is None else self.number + 1


class CappedCountPaginator(DjangoPaginator):
    """Counts matching rows only up to COUNT_CAP.

    An exact COUNT(*) reads every matching row, so on a large desk it would cost more than
    the page itself on every request; past the cap the answer says "more than" instead.
    The count then says nothing about the last page, so pages past it stay reachable, and
    each page reads one row more than it shows to know whether a next one exists.
    """

    COUNT_CAP = 10_000
    # Past the counted rows, pages go this deep and no deeper: an OFFSET reads every row it
    # skips, and paging far beyond the cap would cost what the cap saves. Filters narrow
    # the list instead.
    MAX_DEPTH = 10 * COUNT_CAP

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *,
        page_rows: Callable[[Any], Sequence] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        # Turns the page's slice of the queryset into what the page holds (plain rows, say),
        # while the count runs on the bare queryset, without the joins the rows need.
        self.page_rows = page_rows

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if hasattr(object_list, "query"):
            # Count ids only: a sliced queryset counts as a subquery of its whole SELECT,
            # joins of select_related and ORDER BY included, none of which change the count.
            return object_list.order_by().values("pk")[: self.COUNT_CAP + 1].count()
        return len(object_list)

    def page(self, number: Any) -> Page:
        """As Django's; a first page shorter than a full page needs no COUNT query: it holds
        the whole list, so its length is the count. (Lookups by TXID, email or reference
        mostly end here.)"""
        if self._is_first(number) and not self.orphans and hasattr(self.object_list, "query"):
            page = self._get_page(self.object_list[: self.per_page], 1, self)
            if not page.object_list and not self.allow_empty_first_page:
                raise EmptyPage(self.error_messages["no_results"])
            if len(page.object_list) < self.per_page:
                self.__dict__["count"] = len(page.object_list)  # fills the cached_property
            return page
        number = self.validate_number(number)
        if not self.count_capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        page = self._get_page(self.object_list[bottom : bottom + self.per_page + 1], number, self)
        if not page.object_list:
            raise EmptyPage(self.error_messages["no_results"])
        page.more = len(page.object_list) > self.per_page
        page.object_list = page.object_list[: self.per_page]
        return page

    def validate_number(self, number: Any) -> int:
        try:
            return super().validate_number(number)
        except EmptyPage:
            # Past the counted rows, when more matched than were counted, a page may still
            # exist: `page` finds out from its rows. A number below 1 stays an error.
            if self.count_capped and int(number) > self.num_pages:
                if (int(number) - 1) * self.per_page >= self.MAX_DEPTH:
                    raise EmptyPage(
                        f"Pages stop at row {self.MAX_DEPTH:,} of a list this long; "
                        "narrow it with filters."
                    ) from None
                return int(number)
            raise

    @staticmethod
    def _is_first(number: Any) -> bool:
        try:
            return int(number) == 1
        except (TypeError, ValueError):
            return False

    def _get_page(self, object_list: Any, number: int, paginator: DjangoPaginator) -> Any:
        if self.page_rows is not None:
            object_list = self.page_rows(object_list)
        return _Page(object_list, number, paginator)

    @property
    def count_capped(self) -> bool:
        return self.count > self.COUNT_CAP


class Pagination(PageNumberPagination):
    page_size = 25
    invalid_page_message = "Invalid page: {message}"
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = CappedCountPaginator

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: APIView | None = None
    ) -> list | None:
        """As DRF's; a view with a `page_rows(queryset_slice)` method gets its page from it."""
        page_rows = getattr(view, "page_rows", None)
        self.django_paginator_class = CappedCountPaginator
        if page_rows is not None:
            self.django_paginator_class = partial(CappedCountPaginator, page_rows=page_rows)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        paginator = self.page.paginator
        count = min(paginator.count, paginator.COUNT_CAP)
        return Response(
            {
                "count": count,
                # True when more rows match than were counted: "count" is then a floor.
                "count_is_capped": paginator.count_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_is_capped"] = {"type": "boolean"}
        return response


class _ShallowCopies(OrderedDict):
    """A FilterSet's filters, or its form's fields, that each instance copies shallowly.

    django-filter deep-copies every filter for every FilterSet (once a request), and the form
    then deep-copies its fields again: each filter's form field, widget and choices twice,
    about 0.4 ms for the ticket list's eight filters. An instance only sets its own `model`
    and `parent` on its filters and validates with its fields; nothing it does changes what
    they share, so a copy of each object will do.
    """

    def __deepcopy__(self, memo: dict) -> "_ShallowCopies":
        return _ShallowCopies((name, _shallow_copy(item)) for name, item in self.items())


def _shallow_copy(item: Any) -> Any:
    clone = copy.copy(item)
    if isinstance(item, django_filters.Filter):
        # A `method=` filter calls through a proxy that must find the clone's parent, not
        # the declared filter's; setting `method` again makes a new proxy.
        clone.method = item.method
    return clone


# Filters whose form field depends on the request or the queryset (choices read from the
# database): their field must be built per request, which this FilterSet does not do.
_PER_REQUEST_FILTERS = (
    django_filters.filters.QuerySetRequestMixin,
    django_filters.AllValuesFilter,
    django_filters.AllValuesMultipleFilter,
)


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, with less to build and copy for each request: its form
    class is built once, and the filters and form fields are copied shallowly. For filters
    whose fields are fixed when they are declared (choices, text, booleans, numbers)."""

    @classmethod
    def get_filters(cls) -> "OrderedDict[str, django_filters.Filter]":
        filters_ = super().get_filters()
        per_request = [name for name, f in filters_.items() if isinstance(f, _PER_REQUEST_FILTERS)]
        if per_request:
            raise ImproperlyConfigured(
                f"{cls.__name__}: {', '.join(per_request)} build their form field per request; "
                "derive from django_filters.FilterSet instead"
            )
        return _ShallowCopies(filters_)

    def get_form_class(self) -> type[forms.Form]:
        return self._form_class()

    @classmethod
    @cache
    def _form_class(cls) -> type[forms.Form]:
        # The fields follow from the declared filters alone, so the class need not be built
        # again on every request, as django-filter does.
        fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
        form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        form_class.base_fields = _ShallowCopies(form_class.base_fields)
        return form_class


class OrderingFilter(filters.OrderingFilter):
    """DRF's `?ordering=`, with the primary key as the last key.

    Rows that tie on the chosen fields (many tickets share a priority) would otherwise come
    back in any order, so a row could move from one page to the next between two requests,
    and be listed twice or never. The admin's change list does the same.
    """

    def get_ordering(self, request: Request, queryset: QuerySet, view: APIView) -> Any:
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(field.lstrip("-") == "pk" for field in ordering):
            return [*ordering, "-pk"]
        return ordering


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the view's filters.

    Without any of its parameters a FilterSet would copy its filters, build and validate a
    form, and hand back the queryset unchanged.
    """

    def filter_queryset(self, request: Request, queryset: QuerySet, view: APIView) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            names = tuple(filterset_class.base_filters)
            # startswith: a range filter's widget reads `<name>_min`, `<name>_after`, ...
            if not any(param.startswith(names) for param in request.query_params):
                return queryset
        return super().filter_queryset(request, queryset, view)


def _django_validation_detail(exc: DjangoValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(message) for error in errors for message in error.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"detail": " ".join(exc.messages)}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus the Django errors that services raise for bad input."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_400_BAD_REQUEST and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(item) for item in response.data)}
    return response
