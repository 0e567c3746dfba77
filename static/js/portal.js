/*
 * Customer portal enhancements. Every page works without this script; it only adds:
 *
 *  1. Live TXID / address check on the ticket form. On change/blur of the `txid`, `address`
 *     or `chain` field it asks GET /api/v1/tickets/validate/?chain=…&txid=…&address=…
 *     ({"txid": "ok" | "<message>", "address": …}) and shows the message in the field's
 *     error slot (<p class="field-error" id="<input id>_error">) with aria-invalid. Network
 *     errors, missing endpoint or odd answers are ignored: the server checks again on submit.
 *  2. Attachment preview for every [data-attachments] block: thumbnails for images
 *     (URL.createObjectURL), name and size for PDFs, and a client-side error for files that
 *     are too large (data-max-bytes) or not an allowed type. The server still checks every
 *     file by its content; this only saves a wasted upload.
 *  3. Copy buttons ([data-copy], hidden until the clipboard API is known to exist).
 *  4. <time data-local-time> shown in the reader's own time zone (UTC stays in the title).
 *  5. Focus on the error summary when a form comes back with errors, and no double submits.
 *
 * Nothing received from the network is inserted as HTML: only textContent.
 */
(function () {
  "use strict";

  var VALIDATE_ENDPOINT = "/api/v1/tickets/validate/";
  var CHECK_DELAY_MS = 250;
  var ALLOWED_TYPES = {
    "image/png": "image",
    "image/jpeg": "image",
    "image/gif": "image",
    "image/webp": "image",
    "application/pdf": "pdf",
  };
  var ALLOWED_EXTENSIONS = { png: "image", jpg: "image", jpeg: "image", gif: "image", webp: "image", pdf: "pdf" };

  var language = document.documentElement.dataset.language || "en";
  var zh = language === "zh-hans";
  var TEXT = {
    copy: zh ? "复制" : "Copy",
    copied: zh ? "已复制" : "Copied",
    copiedAnnounce: zh ? "已复制到剪贴板" : "Copied to the clipboard",
    tooLarge: function (limit) {
      return zh ? "文件过大：每个文件不能超过 " + limit + "。" : "Too large: each file may be at most " + limit + ".";
    },
    badType: zh ? "格式不支持：只能上传 PNG、JPEG、GIF、WebP 图片或 PDF 文件。" : "Not accepted: only PNG, JPEG, GIF or WebP images and PDF documents.",
    empty: zh ? "这是一个空文件。" : "This file is empty.",
    tooMany: function (limit) {
      return zh ? "每次最多上传 " + limit + " 个文件。" : "At most " + limit + " files at a time.";
    },
    remove: function (name) { return zh ? "移除 " + name : "Remove " + name; },
    removed: function (name) { return zh ? "已移除 " + name : name + " removed"; },
    selected: function (n) {
      return zh ? "已选择 " + n + " 个文件" : n + (n === 1 ? " file selected" : " files selected");
    },
    cantSend: function (names) {
      return zh
        ? "以下文件无法发送：" + names.join("、") + "。请查看下方说明，移除或更换这些文件。"
        : (names.length === 1 ? "This file can't be sent: " : "These files can't be sent: ") + names.join(", ") + ". See why below, then remove or replace them.";
    },
    fixFiles: zh ? "请先处理标出的附件问题。" : "Please fix the attachments marked below first.",
    looksValid: zh ? "格式正确" : "Format looks right",
    sending: zh ? "正在提交…" : "Sending…",
  };

  /* ---- A polite live region shared by the small announcements ------------------------- */
  var liveRegion = null;
  function announce(message) {
    if (!liveRegion) {
      liveRegion = document.createElement("div");
      liveRegion.className = "visually-hidden";
      liveRegion.setAttribute("role", "status");
      liveRegion.setAttribute("aria-live", "polite");
      document.body.appendChild(liveRegion);
    }
    liveRegion.textContent = "";
    window.setTimeout(function () { liveRegion.textContent = message; }, 50);
  }

  /* ---- Field error slots ---------------------------------------------------------------- */
  function errorSlot(input) {
    var id = input.id ? input.id + "_error" : "";
    var slot = id ? document.getElementById(id) : null;
    if (!slot) {
      slot = document.createElement("p");
      slot.className = "field-error";
      if (id) slot.id = id;
      slot.hidden = true;
      var field = input.closest(".field") || input.parentNode;
      field.appendChild(slot);
    }
    return slot;
  }

  function describedBy(input, id, present) {
    if (!id) return;
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    var at = ids.indexOf(id);
    if (present && at === -1) ids.push(id);
    if (!present && at !== -1) ids.splice(at, 1);
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  function showError(input, message) {
    var slot = errorSlot(input);
    slot.classList.remove("field-ok");
    slot.textContent = message;
    slot.hidden = false;
    input.setAttribute("aria-invalid", "true");
    describedBy(input, slot.id, true);
    var field = input.closest(".field");
    if (field) field.classList.add("has-error");
  }

  function clearError(input, okMessage) {
    var slot = errorSlot(input);
    input.removeAttribute("aria-invalid");
    var field = input.closest(".field");
    if (field) field.classList.remove("has-error");
    if (okMessage) {
      slot.textContent = okMessage;
      slot.classList.add("field-ok");
      slot.hidden = false;
    } else {
      slot.textContent = "";
      slot.classList.remove("field-ok");
      slot.hidden = true;
    }
  }

  /* ---- 1. TXID / address check ---------------------------------------------------------- */
  function enhanceTransferChecks(form) {
    var chain = form.elements.namedItem("chain");
    var fields = ["txid", "address"]
      .map(function (name) { return form.elements.namedItem(name); })
      .filter(function (input) { return input && input.tagName === "INPUT"; });
    if (!chain || !fields.length || !("fetch" in window)) return;

    var checked = {}; // name -> "chain\nvalue" last answered, so an unchanged value is not re-asked
    var pending = {}; // name -> request counter; only the latest answer is shown
    var timer = null;

    function check(inputs) {
      var chainValue = chain.value;
      var params = new URLSearchParams();
      var asked = [];
      inputs.forEach(function (input) {
        var value = input.value.trim();
        var key = chainValue + "\n" + value;
        if (!value || !chainValue) {
          // Nothing to check (the server asks for the network itself): drop an old live answer.
          if (checked[input.name] !== undefined) clearError(input);
          delete checked[input.name];
          return;
        }
        if (checked[input.name] === key) return;
        params.set(input.name, value);
        asked.push({ input: input, key: key });
      });
      if (!asked.length) return;
      params.set("chain", chainValue);
      var ticket = {};
      asked.forEach(function (item) {
        pending[item.input.name] = (pending[item.input.name] || 0) + 1;
        ticket[item.input.name] = pending[item.input.name];
      });
      window.fetch(VALIDATE_ENDPOINT + "?" + params.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          if (!data || typeof data !== "object") return;
          asked.forEach(function (item) {
            var name = item.input.name;
            if (ticket[name] !== pending[name]) return; // a newer check is on its way
            if (chain.value + "\n" + item.input.value.trim() !== item.key) return; // edited since
            var verdict = data[name];
            if (typeof verdict !== "string" || !verdict) return;
            checked[name] = item.key;
            if (verdict === "ok") clearError(item.input, TEXT.looksValid);
            else showError(item.input, verdict.slice(0, 300));
          });
        })
        .catch(function () { /* offline, endpoint missing, bad JSON: the server checks on submit */ });
    }

    var queued = [];
    function later(inputs) {
      // Collect what changed (a blur and the next field's change often come together).
      inputs.forEach(function (input) { if (queued.indexOf(input) === -1) queued.push(input); });
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var batch = queued;
        queued = [];
        check(batch);
      }, CHECK_DELAY_MS);
    }

    fields.forEach(function (input) {
      input.addEventListener("change", function () { later([input]); });
      input.addEventListener("blur", function () { later([input]); });
    });
    chain.addEventListener("change", function () {
      checked = {}; // every answer depended on the old network
      later(fields);
    });
  }

  /* ---- 2. Attachment previews ----------------------------------------------------------- */
  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "") + " MB";
  }

  function kindOf(file) {
    if (file.type) return ALLOWED_TYPES[file.type] || null;
    // Some systems don't know a type; fall back to the extension (the server sniffs anyway).
    var match = /\.([a-z0-9]+)$/i.exec(file.name || "");
    return match ? ALLOWED_EXTENSIONS[match[1].toLowerCase()] || null : null;
  }

  var canEditFiles = (function () {
    try { return typeof DataTransfer === "function" && !!new DataTransfer().items; } catch (e) { return false; }
  })();

  function enhanceAttachments(block) {
    var input = block.querySelector('input[type="file"]');
    if (!input || input.dataset.previewReady) return;
    input.dataset.previewReady = "1";
    var maxBytes = parseInt(block.dataset.maxBytes || "", 10) || 0;
    var maxFiles = parseInt(block.dataset.maxFiles || "", 10) || 0;
    var urls = [];

    var list = document.createElement("ul");
    list.className = "upload-preview";
    list.setAttribute("aria-label", zh ? "已选择的文件" : "Selected files");
    var field = input.closest(".field") || block;
    var slot = errorSlot(input);
    if (slot.parentNode === field) field.insertBefore(list, slot.nextSibling);
    else field.appendChild(list);

    function release() {
      urls.forEach(function (url) { URL.revokeObjectURL(url); });
      urls = [];
    }

    function removeFile(index) {
      var transfer = new DataTransfer();
      var name = input.files[index] ? input.files[index].name : "";
      Array.prototype.forEach.call(input.files, function (file, i) {
        if (i !== index) transfer.items.add(file);
      });
      input.files = transfer.files;
      render();
      announce(TEXT.removed(name));
      input.focus();
    }

    function render() {
      release();
      list.textContent = "";
      var files = Array.prototype.slice.call(input.files || []);
      var bad = []; // names of files the server would refuse

      files.forEach(function (file, index) {
        var kind = kindOf(file);
        var problem = null;
        if (!kind) problem = TEXT.badType;
        else if (maxBytes && file.size > maxBytes) problem = TEXT.tooLarge(formatSize(maxBytes));
        else if (file.size === 0) problem = TEXT.empty;
        if (problem) bad.push(file.name);

        var item = document.createElement("li");
        item.className = "upload-item" + (problem ? " is-invalid" : "");

        var thumb = document.createElement("span");
        thumb.className = "upload-thumb";
        if (kind === "image" && !problem && typeof URL.createObjectURL === "function") {
          var url = URL.createObjectURL(file);
          urls.push(url);
          var img = document.createElement("img");
          img.src = url;
          img.alt = "";
          img.decoding = "async";
          thumb.appendChild(img);
        } else {
          thumb.classList.add(kind === "pdf" ? "upload-thumb-pdf" : "upload-thumb-file");
          thumb.textContent = kind === "pdf" ? "PDF" : (/\.([a-z0-9]{1,5})$/i.exec(file.name || "") || ["", "?"])[1].toUpperCase();
        }
        thumb.setAttribute("aria-hidden", "true");
        item.appendChild(thumb);

        var text = document.createElement("span");
        text.className = "upload-text";
        var name = document.createElement("span");
        name.className = "upload-name";
        name.textContent = file.name;
        var size = document.createElement("span");
        size.className = "upload-size";
        size.textContent = formatSize(file.size);
        text.appendChild(name);
        text.appendChild(size);
        if (problem) {
          var why = document.createElement("span");
          why.className = "upload-problem";
          why.textContent = problem;
          text.appendChild(why);
        }
        item.appendChild(text);

        if (canEditFiles) {
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "upload-remove";
          remove.setAttribute("aria-label", TEXT.remove(file.name));
          remove.textContent = "\u00d7";
          remove.addEventListener("click", function () { removeFile(index); });
          item.appendChild(remove);
        }
        list.appendChild(item);
      });

      list.hidden = !files.length;
      // The error slot (read out with the input) names the files; each item says what is wrong.
      var messages = [];
      if (maxFiles && files.length > maxFiles) messages.push(TEXT.tooMany(maxFiles));
      if (bad.length) messages.push(TEXT.cantSend(bad));
      if (messages.length) showError(input, messages.join(" "));
      else clearError(input);
      input.dataset.clientInvalid = messages.length ? "1" : "";
    }

    input.addEventListener("change", function () {
      render();
      var count = (input.files || []).length;
      if (count) announce(TEXT.selected(count));
    });
    window.addEventListener("pagehide", release);
    if (input.files && input.files.length) render();
    else list.hidden = true;
  }

  /* ---- Forms: don't send known-bad attachments, no double submits ----------------------- */
  function guardSubmit(form) {
    form.addEventListener("submit", function (event) {
      var bad = form.querySelector('input[type="file"][data-client-invalid="1"]');
      if (bad) {
        event.preventDefault();
        announce(TEXT.fixFiles);
        bad.focus();
        return;
      }
      var button = form.querySelector('button[type="submit"]:not([name])');
      if (!button || form.dataset.submitting) return;
      form.dataset.submitting = "1";
      window.setTimeout(function () {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
        button.dataset.label = button.innerHTML;
        var label = document.createElement("span");
        label.textContent = TEXT.sending;
        button.textContent = "";
        button.appendChild(label);
      }, 0);
    });
  }

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    // Coming back through the browser's history: make the buttons usable again.
    Array.prototype.forEach.call(document.querySelectorAll("form[data-submitting]"), function (form) {
      delete form.dataset.submitting;
      var button = form.querySelector('button[type="submit"][aria-busy]');
      if (button && button.dataset.label !== undefined) {
        button.innerHTML = button.dataset.label; // our own markup from before the submit
        button.disabled = false;
        button.removeAttribute("aria-busy");
      }
    });
  });

  /* ---- 3. Copy buttons ------------------------------------------------------------------ */
  function enhanceCopy(button) {
    if (!navigator.clipboard || typeof navigator.clipboard.writeText !== "function") return;
    button.hidden = false;
    var label = button.querySelector("[data-copy-label]");
    var original = label ? label.textContent : "";
    var timer = null;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copy || "").then(function () {
        button.classList.add("is-copied");
        if (label && !label.classList.contains("visually-hidden")) label.textContent = button.dataset.copiedText || TEXT.copied;
        announce(TEXT.copiedAnnounce);
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          button.classList.remove("is-copied");
          if (label) label.textContent = original;
        }, 2000);
      }, function () { /* permission refused: the text stays selectable on the page */ });
    });
  }

  /* ---- 4. Local times ------------------------------------------------------------------- */
  function enhanceTime(element) {
    if (!window.Intl || typeof Intl.DateTimeFormat !== "function") return;
    var when = new Date(element.getAttribute("datetime"));
    if (isNaN(when.getTime())) return;
    try {
      var parts = {};
      new Intl.DateTimeFormat(zh ? "zh-CN" : "en-GB", {
        year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
      }).formatToParts(when).forEach(function (part) { parts[part.type] = part.value; });
      if (!parts.year || !parts.timeZoneName) return;
      var zone = parts.timeZoneName;
      if (zone === "UTC" || zone === "GMT") return; // already shown in UTC
      element.title = element.textContent.trim();
      element.textContent = parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute + " " + zone;
    } catch (error) { /* old browser: keep the UTC text */ }
  }

  /* ---- Start ----------------------------------------------------------------------------- */
  function init() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();

    Array.prototype.forEach.call(document.querySelectorAll("form[data-ticket-form]"), enhanceTransferChecks);
    Array.prototype.forEach.call(document.querySelectorAll("[data-attachments]"), enhanceAttachments);
    Array.prototype.forEach.call(document.querySelectorAll("main form[method='post']"), guardSubmit);
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), enhanceCopy);
    Array.prototype.forEach.call(document.querySelectorAll("time[data-local-time]"), enhanceTime);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
