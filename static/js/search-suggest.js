/*
 * Search-as-you-type suggestions for every <input data-suggest>.
 *
 * Progressive enhancement: without this script the search form simply submits. With it the
 * input becomes an ARIA 1.2 combobox with a listbox of up to five articles from
 * GET /api/v1/kb/search/?q=…&lang=…&limit=5. Arrow keys move, Enter opens the active
 * suggestion (or submits the form when none is active), Escape and clicking outside close.
 *
 * Snippets arrive as HTML with <mark> around matches. They are never assigned to innerHTML:
 * the text is split on <mark>/</mark>, entities are decoded by hand, and the pieces are
 * inserted as text nodes, so nothing but <mark> can reach the page.
 */
(function () {
  "use strict";

  var ENDPOINT = "/api/v1/kb/search/";
  var MIN_CHARS = 2;
  var DELAY_MS = 200;
  var LIMIT = 5;

  var language = document.documentElement.dataset.language || "en";
  var zh = language === "zh-hans";
  var TEXT = {
    list: zh ? "推荐文章" : "Suggested articles",
    count: function (n) {
      return zh
        ? "有 " + n + " 条推荐文章，可使用上下方向键选择。"
        : n + (n === 1 ? " suggestion" : " suggestions") + " available, use the up and down arrow keys to choose.";
    },
    none: zh ? "没有推荐文章，按回车键搜索。" : "No suggestions. Press Enter to search.",
  };

  var ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", hellip: "\u2026" };

  function decodeEntities(text) {
    return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, function (whole, name) {
      if (name.charAt(0) === "#") {
        var code = name.charAt(1).toLowerCase() === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
      }
      var known = ENTITIES[name.toLowerCase()];
      return known === undefined ? whole : known;
    });
  }

  /* Build the snippet from text, allowing only <mark>. Returns a DocumentFragment. */
  function snippetFragment(html) {
    var fragment = document.createDocumentFragment();
    var parts = String(html || "").split(/(<\/?mark>)/i);
    var marked = false;
    parts.forEach(function (part) {
      if (/^<mark>$/i.test(part)) { marked = true; return; }
      if (/^<\/mark>$/i.test(part)) { marked = false; return; }
      var text = decodeEntities(part.replace(/<[^>]*>/g, ""));
      if (!text) return;
      if (marked) {
        var mark = document.createElement("mark");
        mark.textContent = text;
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(text));
      }
    });
    return fragment;
  }

  /* Only follow links that stay on this site. */
  function safeUrl(url) {
    try {
      var parsed = new URL(String(url), window.location.href);
      if (parsed.origin !== window.location.origin) return null;
      return parsed.href;
    } catch (error) {
      return null;
    }
  }

  var counter = 0;

  function enhance(input) {
    if (input.dataset.suggestReady) return;
    input.dataset.suggestReady = "1";
    counter += 1;
    var listId = "suggest-list-" + counter;
    var container = input.closest(".search-field") || input.parentElement;
    if (window.getComputedStyle(container).position === "static") container.style.position = "relative";

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", TEXT.list);
    list.hidden = true;
    container.appendChild(list);

    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    container.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    var timer = null;
    var controller = null;
    var options = [];
    var active = -1;
    var composing = false;
    var lastQuery = "";

    function setActive(index) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function open() {
      if (!options.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function cancel() {
      window.clearTimeout(timer);
      if (controller) controller.abort();
      controller = null;
    }

    function go(index) {
      var url = options[index] && options[index].dataset.url;
      if (url) window.location.assign(url);
    }

    function render(results) {
      list.textContent = "";
      options = [];
      active = -1;
      results.slice(0, LIMIT).forEach(function (result) {
        var url = safeUrl(result.url);
        if (!url || !result.title) return;
        var option = document.createElement("li");
        option.id = listId + "-option-" + options.length;
        option.className = "suggest-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.url = url;
        var title = document.createElement("span");
        title.className = "suggest-title";
        title.textContent = String(result.title);
        option.appendChild(title);
        if (result.snippet) {
          var snippet = document.createElement("span");
          snippet.className = "suggest-snippet";
          snippet.appendChild(snippetFragment(result.snippet));
          option.appendChild(snippet);
        }
        var index = options.length;
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { go(index); });
        options.push(option);
        list.appendChild(option);
      });
      if (options.length) {
        open();
        status.textContent = TEXT.count(options.length);
      } else {
        close();
        status.textContent = TEXT.none;
      }
    }

    function fetchSuggestions(query) {
      if (controller) controller.abort();
      controller = new AbortController();
      var mine = controller;
      var url = ENDPOINT + "?q=" + encodeURIComponent(query) + "&lang=" + encodeURIComponent(language) + "&limit=" + LIMIT;
      window.fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal: mine.signal })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          // A newer request replaced this one: its answer no longer matters.
          if (mine !== controller || input.value.trim() !== query) return;
          controller = null;
          render(Array.isArray(data && data.results) ? data.results : []);
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          if (mine === controller) { controller = null; options = []; list.textContent = ""; close(); }
        });
    }

    function schedule() {
      var query = input.value.trim();
      if (query === lastQuery && options.length) { open(); return; }
      lastQuery = query;
      cancel();
      if (query.length < MIN_CHARS) {
        options = [];
        list.textContent = "";
        status.textContent = "";
        close();
        return;
      }
      timer = window.setTimeout(function () { fetchSuggestions(query); }, DELAY_MS);
    }

    input.addEventListener("compositionstart", function () { composing = true; });
    input.addEventListener("compositionend", function () { composing = false; schedule(); });
    input.addEventListener("input", function (event) {
      if (composing || event.isComposing) return;
      schedule();
    });

    input.addEventListener("keydown", function (event) {
      if (event.isComposing || composing || event.keyCode === 229) return;
      switch (event.key) {
        case "ArrowDown":
          if (!options.length) return;
          event.preventDefault();
          open();
          setActive(active + 1 >= options.length ? 0 : active + 1);
          break;
        case "ArrowUp":
          if (!options.length) return;
          event.preventDefault();
          open();
          setActive(active <= 0 ? options.length - 1 : active - 1);
          break;
        case "Enter":
          if (!list.hidden && active >= 0) {
            event.preventDefault();
            go(active);
          } else {
            cancel();
            close();
          }
          break;
        case "Escape":
          if (!list.hidden) {
            event.preventDefault();
            close();
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    document.addEventListener("pointerdown", function (event) {
      if (!container.contains(event.target)) close();
    });
    input.addEventListener("blur", function () {
      window.setTimeout(function () {
        if (!container.contains(document.activeElement)) close();
      }, 0);
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), enhance);
  }

  if (!("fetch" in window) || !("AbortController" in window)) return;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
