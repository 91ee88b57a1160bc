/* Lodestar feedback widget (docs/listen-intake.md). CSS: a constructed sheet, CSP-safe. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || (window.Lodestar && window.Lodestar.version)) return;
  var d = me.dataset, base = new URL(me.src).origin;
  var cfg = { key: d.key || "", email: d.email || "", name: d.name || "" };
  var CSS = "*{box-sizing:border-box;font:15px/1.4 system-ui,sans-serif;color:#1d2733}" +
    ".open{position:fixed;right:1rem;bottom:1rem;z-index:99999;border-radius:2rem;" +
    "padding:.6rem 1rem}.open,.send{background:#1f4fa3;color:#fff}button{cursor:pointer;" +
    "border:1px solid #1f4fa3;border-radius:6px;padding:.4rem .9rem;background:#fff}" +
    ":focus-visible{outline:3px solid #f0a500}dialog{border-radius:10px;width:min(26rem,92vw)}" +
    "dialog::backdrop{background:#0005}h2{font-size:1.2rem;margin:0}label{display:block;" +
    "font-weight:600;margin:.6rem 0 .2rem}textarea,input{width:100%;padding:.4rem}" +
    "textarea{min-height:7rem}.hp{position:absolute;left:-9999px}.row{text-align:right}" +
    "p{min-height:1.2em}.err{color:#b3261e}";
  var root, dialog, form, text, email, trap, status, send, opener;

  function el(tag, attrs, content) {
    var n = document.createElement(tag);
    for (var k in attrs) n.setAttribute(k, attrs[k]);
    if (content) n.textContent = content;
    return n;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  function field(label, input) {
    add(form, el("label", { for: input.id }, label));
    return add(form, input);
  }

  function build() {
    if (root) return;
    root = add(document.body, el("div", { "data-lodestar-widget": "" })).attachShadow({ mode: "open" });
    try {
      root.adoptedStyleSheets = [new CSSStyleSheet()];
      root.adoptedStyleSheets[0].replaceSync(CSS);
    } catch (e) { add(root, el("style", {}, CSS)); }
    if (d.button !== "off") {
      opener = add(root, el("button", { type: "button", class: "open" }, d.label || "Feedback"));
      opener.addEventListener("click", function () { open(); });
    }
    dialog = add(root, el("dialog", { "aria-labelledby": "lw-title" }));
    form = add(dialog, el("form", { novalidate: "" }));
    add(form, el("h2", { id: "lw-title" }, "Send feedback"));
    text = field("Your feedback", el("textarea", { id: "lw-text", maxlength: "10000" }));
    email = el("input", { id: "lw-email", type: "email", autocomplete: "email" });
    if (!cfg.email) field("Your email (optional)", email);
    var hp = add(form, el("div", { class: "hp", "aria-hidden": "true" }));
    add(hp, el("label", { for: "lw-website" }, "Leave this empty"));
    trap = add(hp, el("input", { id: "lw-website", tabindex: "-1", autocomplete: "off" }));
    status = add(form, el("p", { role: "status" }));
    var row = add(form, el("div", { class: "row" }));
    add(row, el("button", { type: "button" }, "Cancel"))
      .addEventListener("click", function () { dialog.close(); });
    send = add(row, el("button", { type: "submit", class: "send" }, "Send"));
    form.addEventListener("submit", submit);
    dialog.addEventListener("close", function () { if (opener) opener.focus(); });
  }

  function say(m, bad) {
    status.textContent = m;
    status.className = bad ? "err" : "";
  }

  function problem(body, code) {
    var e = body.error || {}, all = [];
    for (var k in e.fields || {}) all = all.concat(e.fields[k]);
    return all.join(" ") || e.message || "Sending failed (" + code + ").";
  }

  function submit(event) {
    event.preventDefault();
    if (!text.value.trim()) { say("Write your feedback first.", true); return text.focus(); }
    send.disabled = true;
    say("Sending…");
    fetch(base + "/widget/v1/feedback", {
      method: "POST", mode: "cors", credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ key: cfg.key, text: text.value, email: cfg.email || email.value,
        name: cfg.name, url: location.href, website: trap.value })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) return say(problem(body, response.status), true);
        text.value = "";
        say(body.message || "Thank you! Your feedback was sent.");
      });
    }, function () {
      say("Could not send: Lodestar is unreachable or does not accept this site. " +
        "Your text is kept.", true);
    }).then(function () { send.disabled = false; });
  }

  function open(options) {
    options = options || {};
    for (var k in options) if (k !== "text") cfg[k] = options[k];
    build();
    if (options.text) text.value = options.text;
    say("");
    if (!dialog.open) dialog.showModal();
    text.focus();
  }

  window.Lodestar = window.Lodestar || {};
  window.Lodestar.version = 1;
  window.Lodestar.feedback = open;
  if (!cfg.key) return console.error("Lodestar widget: the script tag needs data-key.");
  if (document.body) build();
  else document.addEventListener("DOMContentLoaded", build);
})();
