/*
 * Article suggestions while a customer writes to us (ticket subject, chat opening line).
 *
 * Mark the field with data-deflect (optionally data-deflect="chat"; the default channel is
 * "ticket") and put an element with data-deflect-box in the same form. As the customer
 * types, up to three articles from GET /api/v1/kb/suggestions/?q=…&lang=…&channel=… are
 * listed there, and the returned token goes into the form's hidden input
 * name="deflection_token" (created if missing) so the server can tell whether the
 * suggestions helped. Without JavaScript the form works exactly the same, minus suggestions.
 *
 * Snippets are HTML with <mark>; only <mark> is rebuilt, everything else is inserted as text.
 */
(function () {
  "use strict";

  var ENDPOINT = "/api/v1/kb/suggestions/";
  var MIN_CHARS = 2;
  var DELAY_MS = 350;
  var LIMIT = 3;

  var language = document.documentElement.dataset.language || "en";
  var HEADING = language === "zh-hans" ? "这些文章或许能解决您的问题" : "These articles may answer your question";
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

  function snippetFragment(html) {
    var fragment = document.createDocumentFragment();
    var marked = false;
    String(html || "").split(/(<\/?mark>)/i).forEach(function (part) {
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

  function safeUrl(url) {
    try {
      var parsed = new URL(String(url), window.location.href);
      return parsed.origin === window.location.origin ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  function tokenInput(form) {
    var hidden = form.querySelector('input[name="deflection_token"]');
    if (!hidden) {
      hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "deflection_token";
      form.appendChild(hidden);
    }
    return hidden;
  }

  function enhance(field) {
    if (field.dataset.deflectReady) return;
    var form = field.form || field.closest("form");
    if (!form) return;
    field.dataset.deflectReady = "1";
    var channel = field.dataset.deflect || "ticket";

    var box = form.querySelector("[data-deflect-box]");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("data-deflect-box", "");
      var anchor = field.closest(".field") || field;
      anchor.insertAdjacentElement("afterend", box);
    }
    box.classList.add("deflect-box");
    box.setAttribute("aria-live", "polite");

    var timer = null;
    var controller = null;
    var composing = false;
    var shown = "";

    function clear() {
      box.textContent = "";
      shown = "";
    }

    function render(results) {
      var usable = results
        .map(function (result) { return { result: result, url: safeUrl(result.open_url || result.url) }; })
        .filter(function (item) { return item.url && item.result.title; })
        .slice(0, LIMIT);
      var signature = usable.map(function (item) { return item.url; }).join("\n");
      if (signature === shown) return; // Same articles: don't make screen readers repeat them.
      shown = signature;
      box.textContent = "";
      if (!usable.length) return;

      var heading = document.createElement("p");
      heading.className = "deflect-title";
      heading.textContent = HEADING;
      box.appendChild(heading);

      var list = document.createElement("ul");
      list.className = "deflect-list";
      usable.forEach(function (item) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = item.url;
        var title = document.createElement("span");
        title.className = "deflect-link-title";
        title.textContent = String(item.result.title);
        link.appendChild(title);
        if (item.result.snippet) {
          var snippet = document.createElement("span");
          snippet.className = "deflect-snippet";
          snippet.appendChild(snippetFragment(item.result.snippet));
          link.appendChild(snippet);
        }
        li.appendChild(link);
        list.appendChild(li);
      });
      box.appendChild(list);
    }

    function load(query) {
      if (controller) controller.abort();
      controller = new AbortController();
      var mine = controller;
      var url = ENDPOINT + "?q=" + encodeURIComponent(query) + "&lang=" + encodeURIComponent(language) + "&channel=" + encodeURIComponent(channel);
      window.fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal: mine.signal })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          if (mine !== controller) return;
          controller = null;
          if (data && typeof data.token === "string" && data.token) tokenInput(form).value = data.token;
          render(Array.isArray(data && data.results) ? data.results : []);
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          if (mine === controller) controller = null;
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      var query = field.value.trim();
      if (query.length < MIN_CHARS) {
        if (controller) controller.abort();
        controller = null;
        clear();
        return;
      }
      timer = window.setTimeout(function () { load(query); }, DELAY_MS);
    }

    field.addEventListener("compositionstart", function () { composing = true; });
    field.addEventListener("compositionend", function () { composing = false; schedule(); });
    field.addEventListener("input", function (event) {
      if (composing || event.isComposing) return;
      schedule();
    });
    if (field.value.trim().length >= MIN_CHARS) schedule();
  }

  function init() {
    Array.prototype.forEach.call(
      document.querySelectorAll("input[data-deflect], textarea[data-deflect]"),
      enhance
    );
  }

  if (!("fetch" in window) || !("AbortController" in window)) return;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
