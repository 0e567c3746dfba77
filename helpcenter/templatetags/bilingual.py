"""Bilingual text for the public pages without gettext catalogs.

    {% load bilingual %}
    {% t "Help Center" "帮助中心" %}
    {{ category|name_in:language }}  {{ category|description_in:language }}
    <html lang="{% html_lang %}" data-language="{% page_language %}">

The page language is context["language"] ("en" or "zh-hans"). Pages rendered without it
(Django's 404 handler) fall back to the active language that LocaleMiddleware chose
(LANGUAGE_CODE from the i18n context processor), and then to English (the bare 500 page).
"""

from typing import Any, Protocol

from django import template

register = template.Library()

ENGLISH = "en"
CHINESE = "zh-hans"


class Bilingual(Protocol):
    def name(self, language: str) -> str: ...

    def description(self, language: str) -> str: ...


def _language(context: template.Context) -> str:
    chosen = context.get("language") or context.get("LANGUAGE_CODE") or ENGLISH
    return CHINESE if str(chosen).lower() == CHINESE else ENGLISH


@register.simple_tag(takes_context=True)
def t(context: template.Context, english: str, chinese: str) -> str:
    """The text in the page's language (autoescaped like any other output)."""
    return chinese if _language(context) == CHINESE else english


@register.simple_tag(takes_context=True)
def page_language(context: template.Context) -> str:
    """The page language as the site spells it: "en" or "zh-hans"."""
    return _language(context)


@register.simple_tag(takes_context=True)
def html_lang(context: template.Context) -> str:
    """The BCP 47 tag for <html lang>: "zh-Hans" or "en"."""
    return "zh-Hans" if _language(context) == CHINESE else "en"


@register.filter
def name_in(obj: Bilingual | None, language: Any) -> str:
    return obj.name(str(language)) if obj is not None else ""


@register.filter
def description_in(obj: Bilingual | None, language: Any) -> str:
    return obj.description(str(language)) if obj is not None else ""
