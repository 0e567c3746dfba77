"""Page numbers for pagination links: `{% for n in page|page_window %}` gives numbers and
Paginator.ELLIPSIS ("…") in place of long runs, e.g. 1 … 4 5 6 7 8 … 20."""

from collections.abc import Iterator

from django import template
from django.core.paginator import Page

register = template.Library()


@register.filter
def page_window(page: Page | None) -> Iterator[int | str]:
    if page is None:
        return iter(())
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
