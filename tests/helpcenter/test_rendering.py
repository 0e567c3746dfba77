from html.parser import HTMLParser

import pytest

from helpcenter.text import plain_text, render


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click me](javascript:alert(1))",
        "[click me](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](javascript:alert(1))",
        '<a href="https://evil.example" onclick="steal()">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        "<svg onload=alert(1)>",
        '[x](https://ok.example "title" onmouseover="alert(1)")',
    ],
)
def test_xss_attempts_in_markdown_are_neutralized(attack):
    html = render(f"Intro\n\n{attack}\n").html

    elements = _elements(html)
    assert not {tag for tag, _ in elements} & {"script", "iframe", "svg", "object", "embed"}
    for _, attributes in elements:
        for name, value in attributes:
            assert not name.startswith("on"), html
            if name in ("href", "src"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:"))


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def _elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _Collector()
    collector.feed(html)
    return collector.elements


def test_headings_steps_tables_and_callouts_render():
    markdown = """## Before you start

1. Open **Assets** → **Deposit**.
2. Choose the coin and the *network*.

| Network | Confirmations |
| --- | --- |
| TRC-20 | 20 |

> **Warning:** Deposits on the wrong network may be lost.

### After the deposit
![Deposit page](/media/kb/2026/11/deposit.png)
"""
    rendered = render(markdown)

    assert '<h2 id="before-you-start">' in rendered.html
    assert "<ol>" in rendered.html and "<table>" in rendered.html
    assert '<blockquote class="callout callout-warning">' in rendered.html
    assert '<img src="/media/kb/2026/11/deposit.png" alt="Deposit page">' in rendered.html
    assert [(e.level, e.title) for e in rendered.toc] == [
        (2, "Before you start"),
        (3, "After the deposit"),
    ]


def test_chinese_callout_and_heading_anchor():
    rendered = render("## 操作步骤\n\n> **注意：** 请填写标签。")

    assert 'class="callout callout-note"' in rendered.html
    assert rendered.toc[0].title == "操作步骤"
    assert rendered.toc[0].anchor


def test_links_get_safe_rel():
    html = render("[docs](https://example.com/docs)").html

    assert 'rel="noopener noreferrer nofollow"' in html


def test_plain_text_keeps_words_and_drops_markup():
    assert plain_text("## Title\n1. Open **Assets** [here](/x)\n![img](/y.png)") == (
        "Title Open Assets here"
    )
