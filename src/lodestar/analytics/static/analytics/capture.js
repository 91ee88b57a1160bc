/* Lodestar capture snippet (docs/measure-snippet.md). Hand-written, no dependencies.
 * Install: <script src="https://LODESTAR/capture.js" data-key="KEY" defer></script>
 * Posts PostHog's /batch/ format as text/plain (a CORS "simple" request: no preflight),
 * with fetch every few seconds and with sendBeacon when the page is hidden.
 * Never reads the value of a form field. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || (window.lodestar && window.lodestar.version)) return;
  var VERSION = "1.0.0";
  var d = me.dataset;
  var KEY = d.key || "";
  var API = (d.api || new URL(me.src).origin).replace(/\/+$/, "");
  var COOKIES = d.cookies !== "false";
  var AUTO = d.autocapture !== "false";
  var FLUSH_MS = 3000, MAX_QUEUE = 1000, BEACON_BYTES = 60000, SESSION_IDLE_MS = 30 * 60000;
  var RAGE_PX = 30, RAGE_MS = 1000, RAGE_CLICKS = 3;
  var DEAD_MS = 2500, DEAD_QUIET_MS = 100, ERROR_CLICK_MS = 1000;
  var ID_NAME = "lodestar_id", SESSION_NAME = "lodestar_session";
  var queue = [], timer = 0, memory = {}; // queue: {e: event, tries}
  if (!KEY) {
    console.warn("lodestar: the capture script needs data-key");
    return;
  }

  // -- ids and storage ---------------------------------------------------------------------
  function uuid() {
    var b = crypto.getRandomValues(new Uint8Array(16)), h = "";
    b[6] = (b[6] & 15) | 64; // version 4 (crypto.randomUUID needs a secure context)
    b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) h += (b[i] + 256).toString(16).slice(1) + ([3, 5, 7, 9].indexOf(i) >= 0 ? "-" : "");
    return h;
  }
  function session(name, value) {
    // sessionStorage when allowed (sandboxed frames, some privacy modes throw), else memory.
    try {
      if (value === undefined) return sessionStorage.getItem(name);
      sessionStorage.setItem(name, value);
    } catch (e) {
      if (value === undefined) return memory[name] || null;
      memory[name] = value;
    }
  }
  function cookie(value) {
    if (value === undefined) {
      var m = document.cookie.match(/(?:^|; )lodestar_id=([^;]*)/);
      return m ? decodeURIComponent(m[1]) : null;
    }
    document.cookie = ID_NAME + "=" + encodeURIComponent(value) + "; path=/; max-age=31536000; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }
  // The identity is "a:<id>" (anonymous) or "i:<id>" (identified), read from storage once
  // and kept here too, so a browser that refuses the cookie still keeps one id per page.
  var known = null;
  function identity(value) {
    if (value !== undefined) {
      known = value;
      return COOKIES ? cookie(value) : session(ID_NAME, value);
    }
    if (!known) {
      var v = COOKIES ? cookie() : session(ID_NAME);
      identity(v && /^[ai]:./.test(v) ? v : "a:" + uuid());
    }
    return known;
  }
  function distinctId() { return identity().slice(2); }
  function sessionId() {
    var now = Date.now(), s = (session(SESSION_NAME) || "").split("|");
    if (!s[0] || now - (+s[1] || 0) > SESSION_IDLE_MS) s = [uuid()];
    session(SESSION_NAME, s[0] + "|" + now);
    return s[0];
  }

  // -- events ------------------------------------------------------------------------------
  function base() {
    return {
      $session_id: sessionId(),
      $current_url: location.href,
      $host: location.host,
      $pathname: location.pathname,
      $referrer: document.referrer || "$direct",
      $lib: "lodestar-js",
      $lib_version: VERSION,
      $screen_width: screen.width,
      $screen_height: screen.height,
      $viewport_width: innerWidth,
      $viewport_height: innerHeight
    };
  }
  function capture(event, properties) {
    var p = base();
    for (var k in properties || {}) p[k] = properties[k];
    if (queue.length >= MAX_QUEUE) queue.shift();
    queue.push({ tries: 0, e: { event: String(event), distinct_id: distinctId(), properties: p,
      timestamp: new Date().toISOString(), uuid: uuid() } });
    if (queue.length >= 50) flush();
    else if (!timer) timer = setTimeout(flush, FLUSH_MS);
  }
  function body(items) {
    return JSON.stringify({ api_key: KEY, sent_at: new Date().toISOString(),
      batch: items.map(function (i) { return i.e; }) });
  }
  function post(items, beacon) {
    var text = body(items);
    if (beacon && navigator.sendBeacon &&
        navigator.sendBeacon(API + "/batch/", new Blob([text], { type: "text/plain" }))) return;
    fetch(API + "/batch/", { method: "POST", body: text, keepalive: text.length < BEACON_BYTES,
      credentials: "omit", headers: { "Content-Type": "text/plain" } }).then(function (r) {
      if (r.status >= 500 || r.status === 429) retry(items);
    }, function () { retry(items); });
  }
  function retry(items) {
    // Resending is safe: Lodestar stores each uuid once. Give up after three tries.
    items = items.filter(function (i) { return ++i.tries < 3; });
    queue = items.concat(queue).slice(-MAX_QUEUE);
    if (!timer && queue.length) timer = setTimeout(flush, FLUSH_MS * 3);
  }
  function flush(beacon) {
    clearTimeout(timer);
    timer = 0;
    // sendBeacon and keepalive fetches share a 64 kB budget: send pieces under it.
    var part = [], size = 200;
    queue.splice(0).forEach(function (item) {
      var n = JSON.stringify(item.e).length + 1;
      if (part.length && size + n > BEACON_BYTES) {
        post(part, beacon === true);
        part = [];
        size = 200;
      }
      part.push(item);
      size += n;
    });
    if (part.length) post(part, beacon === true);
  }

  // -- identity ----------------------------------------------------------------------------
  function identify(id, set) {
    id = String(id || "");
    if (!id) return;
    var current = identity();
    if (current === "i:" + id) return;
    var props = { $set: set || {} };
    // Only an anonymous id is merged into the person; a different signed-in user is a new one.
    if (current.charAt(0) === "a") props.$anon_distinct_id = current.slice(2);
    identity("i:" + id);
    capture("$identify", props);
  }
  function reset() {
    identity("a:" + uuid());
    session(SESSION_NAME, "");
  }

  // -- elements ----------------------------------------------------------------------------
  var esc = window.CSS && CSS.escape ? CSS.escape : function (s) { return s.replace(/[^\w-]/g, "\\$&"); };
  function selector(el) {
    // tag#id.class:nth-of-type(n) steps from the element up to an id or <body>.
    var steps = [];
    for (var depth = 0; el && el.nodeType === 1 && depth < 12; depth++, el = el.parentElement) {
      var tag = el.tagName.toLowerCase(), step = tag;
      if (tag === "html" || tag === "body") { steps.unshift(tag); break; }
      if (el.id) step += "#" + esc(el.id);
      var classes = (typeof el.className === "string" ? el.className : "").trim().split(/\s+/);
      classes.slice(0, 3).forEach(function (c) { if (c) step += "." + esc(c); });
      var n = 1, same = 0, sib = el.parentElement ? el.parentElement.firstElementChild : null;
      for (; sib; sib = sib.nextElementSibling) {
        if (sib.tagName === el.tagName) {
          same++;
          if (sib === el) n = same;
        }
      }
      if (same > 1 && !el.id) step += ":nth-of-type(" + n + ")";
      steps.unshift(step);
      if (el.id) break;
    }
    return steps.join(" > ");
  }
  var FIELDS = /^(input|textarea|select|option)$/;
  var INTERACTIVE = "a,button,input,select,textarea,label,summary,[role=button],[role=link]," +
    "[role=tab],[role=menuitem],[role=checkbox],[role=switch],[onclick]";
  function ignored(el) {
    return !el || !el.closest || !!el.closest("[data-lodestar-ignore],.ph-no-capture");
  }
  function text(el) {
    // A button's label, never what someone typed: fields give no text (buttons their label).
    var tag = el.tagName.toLowerCase(), t;
    if (FIELDS.test(tag)) t = /^(submit|button|reset)$/.test(el.type) ? el.value : "";
    else t = el.textContent || el.getAttribute("aria-label") || "";
    return t.replace(/\s+/g, " ").trim().slice(0, 255);
  }
  function describe(el, extra) {
    var p = { $selector: selector(el), $el_text: text(el), $tag_name: el.tagName.toLowerCase() };
    if (el.getAttribute("href")) p.$href = String(el.getAttribute("href")).slice(0, 2048);
    for (var k in extra || {}) p[k] = extra[k];
    return p;
  }

  // -- pageviews (also single-page apps' history changes) -----------------------------------
  var lastPage = "";
  function pageview() {
    var here = location.pathname + location.search;
    if (here === lastPage) return;
    var first = !lastPage;
    lastPage = here;
    if (!first) formsLeft(false);
    capture("$pageview", { title: document.title });
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    history[name] = function () {
      var r = original.apply(this, arguments);
      pageview();
      return r;
    };
  });
  addEventListener("popstate", pageview);

  // -- clicks: autocapture, rage, dead, error ------------------------------------------------
  var clicks = [], lastClick = null, lastMutation = 0, lastScroll = 0, lastSelection = 0;
  function onClick(e) {
    var target = e.target, now = Date.now();
    if (!target || target.nodeType !== 1 || ignored(target)) return;
    var hit = target.closest(INTERACTIVE), el = hit || target;
    var where = { $x: Math.round(e.clientX), $y: Math.round(e.clientY) };
    lastClick = { at: now, props: describe(el, where), reported: false };
    // $autocapture for what is meant to be clicked; every click counts for friction below.
    if (AUTO && hit) capture("$autocapture", describe(el, { $event_type: "click", $x: where.$x, $y: where.$y }));
    // Rage: each click within 30 px and 1 s of the previous one.
    var prev = clicks[clicks.length - 1];
    if (!prev || now - prev.at > RAGE_MS || Math.abs(e.clientX - prev.x) > RAGE_PX ||
        Math.abs(e.clientY - prev.y) > RAGE_PX) clicks = [];
    clicks.push({ at: now, x: e.clientX, y: e.clientY });
    if (clicks.length === RAGE_CLICKS) capture("$rageclick", describe(el, { $click_count: RAGE_CLICKS, $x: where.$x, $y: where.$y }));
    // Dead: nothing in the page changes within 2.5 s, and no scroll or text selection
    // within 100 ms. Checked for the first click of a burst only; fields (focus, caret) and
    // links that leave the page never count.
    if (clicks.length > 1 || FIELDS.test(el.tagName.toLowerCase()) || el.isContentEditable ||
        el.tagName === "LABEL") return;
    var props = lastClick.props, url = location.href;
    setTimeout(function () {
      if (lastMutation >= now || location.href !== url || document.visibilityState !== "visible") return;
      if ((lastScroll >= now && lastScroll - now <= DEAD_QUIET_MS) ||
          (lastSelection >= now && lastSelection - now <= DEAD_QUIET_MS)) return;
      capture("$dead_click", props);
    }, DEAD_MS);
  }
  document.addEventListener("click", onClick, true);
  addEventListener("scroll", function () { lastScroll = Date.now(); }, { capture: true, passive: true });
  document.addEventListener("selectionchange", function () {
    var s = getSelection();
    if (s && !s.isCollapsed) lastSelection = Date.now(); // a caret from a click is not a selection
  });
  new MutationObserver(function () { lastMutation = Date.now(); }).observe(document.documentElement,
    { childList: true, subtree: true, attributes: true, characterData: true });

  // -- exceptions --------------------------------------------------------------------------
  function exception(type, message, extra) {
    var props = { $exception_type: type, $exception_message: String(message || "").slice(0, 1000) };
    for (var k in extra) props[k] = extra[k];
    capture("$exception", props);
    var c = lastClick;
    if (c && !c.reported && Date.now() - c.at <= ERROR_CLICK_MS) {
      c.reported = true;
      var p = { $error_click: true, $exception_message: props.$exception_message };
      for (var key in c.props) p[key] = c.props[key];
      capture("$error_click", p);
    }
  }
  addEventListener("error", function (e) {
    if (!e || !("message" in e)) return; // a resource that failed to load
    var err = e.error;
    exception(err && err.name || "Error", err && err.message || e.message, { $exception_source: e.filename || "",
      $exception_lineno: e.lineno || 0, $exception_colno: e.colno || 0,
      $exception_stack: String(err && err.stack || "").slice(0, 4000) });
  });
  addEventListener("unhandledrejection", function (e) {
    var r = e.reason;
    exception(r && r.name || "UnhandledRejection", r && r.message || r,
      { $exception_stack: String(r && r.stack || "").slice(0, 4000) });
  });

  // -- web vitals: LCP, INP, CLS, sent once when the page is hidden --------------------------
  var lcp = -1, cls = -1, clsWindow = 0, clsFirst = 0, clsLast = 0, interactions = {};
  function watch(type, fn, options) {
    try {
      var o = { type: type, buffered: true };
      for (var k in options || {}) o[k] = options[k];
      new PerformanceObserver(function (list) { list.getEntries().forEach(fn); }).observe(o);
      return true;
    } catch (e) { /* this browser does not report that entry type */ }
  }
  watch("largest-contentful-paint", function (e) { lcp = e.startTime; });
  if (watch("layout-shift", function (e) {
    if (e.hadRecentInput) return;
    // Session windows: shifts less than 1 s apart, at most 5 s long; CLS is the largest.
    if (clsWindow && e.startTime - clsLast < 1000 && e.startTime - clsFirst < 5000) clsWindow += e.value;
    else { clsWindow = e.value; clsFirst = e.startTime; }
    clsLast = e.startTime;
    cls = Math.max(cls, clsWindow);
  })) cls = Math.max(cls, 0); // observed and no shift: CLS is 0
  function interaction(e) {
    if (e.interactionId) interactions[e.interactionId] = Math.max(interactions[e.interactionId] || 0, e.duration);
  }
  watch("event", interaction, { durationThreshold: 40 });
  watch("first-input", interaction);
  function inp() {
    // The worst interaction, ignoring one outlier per 50 interactions (web-vitals' estimate).
    var all = Object.keys(interactions).map(function (k) { return interactions[k]; });
    if (!all.length) return -1;
    all.sort(function (a, b) { return b - a; });
    return all[Math.min(all.length - 1, Math.floor(all.length / 50))];
  }
  var vitalsSent = false;
  function vitals() {
    if (vitalsSent) return;
    var p = {}, i = inp();
    if (lcp >= 0) p.$lcp = Math.round(lcp);
    if (i >= 0) p.$inp = Math.round(i);
    if (cls >= 0) p.$cls = Math.round(cls * 10000) / 10000;
    if (Object.keys(p).length) {
      vitalsSent = true;
      capture("$web_vitals", p);
    }
  }

  // -- form abandonment: a form with input, left without submitting --------------------------
  var forms = [];
  function touched(e) {
    var field = e.target, form = field && field.form;
    if (!form || ignored(field)) return;
    var entry = forms.filter(function (f) { return f.form === form; })[0];
    if (!entry) forms.push(entry = { form: form, fields: [] });
    var name = field.name || field.id || selector(field);
    if (entry.fields.indexOf(name) < 0) entry.fields.push(name);
  }
  document.addEventListener("input", touched, true);
  document.addEventListener("change", touched, true);
  document.addEventListener("submit", function (e) {
    var form = e.target;
    forms = forms.filter(function (f) { return f.form !== form; });
    if (AUTO && form && !ignored(form)) capture("$autocapture", describe(form, { $event_type: "submit" }));
  }, true);
  function formsLeft(all) {
    // all: the page is going away; else (a single-page app's route change) only forms gone.
    forms = forms.filter(function (f) {
      if (!all && f.form.isConnected) return true;
      capture("$form_abandon", describe(f.form, { $fields: f.fields.slice(0, 50),
        $field_count: f.fields.length }));
      return false;
    });
  }

  // -- page hide: send everything with sendBeacon --------------------------------------------
  function hidden(leaving) {
    vitals();
    if (leaving) formsLeft(true);
    flush(true);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") hidden(false);
  });
  addEventListener("pagehide", function () { hidden(true); });

  window.lodestar = {
    version: VERSION,
    capture: capture,
    identify: identify,
    reset: reset,
    flush: function () { flush(); },
    distinctId: distinctId
  };
  if (d.person) identify(d.person);
  pageview();
})();
