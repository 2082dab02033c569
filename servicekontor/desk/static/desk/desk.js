// Single-key shortcuts for the desk: a button with data-key="n" is pressed by the key n,
// unless the focus is in a text field. Without JavaScript the accesskey attributes remain.
document.addEventListener("keydown", function (event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  var target = event.target;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
  var button = document.querySelector('[data-key="' + event.key.toLowerCase() + '"]');
  if (!button) return;
  event.preventDefault();
  if (button.tagName === "SELECT" || button.tagName === "INPUT") { button.focus(); } else { button.click(); }
});

// Parts of the desk that change by themselves (the waiting list; the officer's own visit,
// which another tab may change): an element with data-poll-url is fetched every
// data-poll-seconds with If-None-Match and replaced only when the server sends a new
// version (200), never on 304 — so a half-filled form is not wiped while nothing changed.
// The focus stays on the same control (by id or data-focus-key) across a replacement.
// With server push (an open stream, window.skPush.open) a part is asked for when a change
// arrives, and only once a minute otherwise (booked visits move up with the clock alone).
// A poll refused because the officer's session ended (signed out in another tab, or expired:
// the answer is the sign-in page a redirect led to) or the desk is no longer theirs (403: left
// in another tab, signed out of it) says so above the part, with a link to sign in again or
// to open the desk page again (core/htmx_errors.js's line, decision 0063); the part is kept as
// it was, and the line goes with the next good answer. The words come from the script tag.
(function () {
  if (!window.fetch || !window.DOMParser) return;
  var SAFETY_SECONDS = 60;
  var script = document.currentScript;
  function words(name) { return (script && script.getAttribute("data-" + name)) || ""; }
  function refused(element, response) {
    if (!window.skAlert || !element) return;
    if (response.redirected) {
      window.skAlert.say(element, words("session-ended"), { href: words("login"), text: words("sign-in") });
    } else {
      window.skAlert.say(element, words("desk-left"), { href: window.location.href, text: words("reopen") });
    }
  }
  function accepted(element) { if (window.skAlert && element) window.skAlert.clear(element); }
  function pushed() { return !!(window.skPush && window.skPush.open); }
  function csrfToken() {
    var holder = document.querySelector("[data-csrf]");
    if (holder) return holder.getAttribute("data-csrf");
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }
  function key(element) {
    if (!element || element === document.body) return null;
    if (element.getAttribute("data-focus-key")) return '[data-focus-key="' + element.getAttribute("data-focus-key") + '"]';
    if (element.id) return "#" + element.id;
    return null;
  }
  function poll(id) {
    var element = document.getElementById(id);
    if (!element) return;
    var etag = element.getAttribute("data-poll-etag");  // the version the page was made from
    var url = element.getAttribute("data-poll-url");
    var seconds = parseFloat(element.getAttribute("data-poll-seconds")) || 3;
    var timer = null, busy = false, again = false;
    var owned = element;
    // Put a new version of the part in place (`html`: the part's element; `pushed`: sent by
    // the push server with its placeholders, decision 0062: the list's tag and each form's
    // CSRF token are filled in from this page).
    function put(html, fresh, pushed) {
      etag = fresh;
      var current = document.getElementById(id);
      var replacement = new DOMParser().parseFromString(html, "text/html").getElementById(id);
      if (!current || !replacement) return;
      if (pushed) {
        replacement.setAttribute("data-poll-etag", fresh);
        var token = csrfToken();
        var inputs = replacement.querySelectorAll('input[name="csrfmiddlewaretoken"]');
        for (var i = 0; i < inputs.length; i++) inputs[i].value = token;
      }
      var focused = current.contains(document.activeElement) ? key(document.activeElement) : null;
      current.replaceWith(replacement);
      owned = replacement;
      if (focused) {
        var again = replacement.querySelector(focused);
        if (again) again.focus();
      }
    }
    function tick() {
      // Replaced by a desk action's answer (below): take the version that came with it.
      var now = document.getElementById(id);
      if (now && now !== owned) { owned = now; etag = now.getAttribute("data-poll-etag") || etag; }
      var headers = { "X-Requested-With": "fetch" };
      if (etag) headers["If-None-Match"] = etag;
      fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          var shown = document.getElementById(id);
          // the part never redirects: a redirect led to the sign-in page
          if (response.redirected || response.status === 401 || response.status === 403) {
            refused(shown, response);
            return;
          }
          if (response.status === 304) { accepted(shown); return; }
          if (!response.ok) return;
          accepted(shown);
          var fresh = response.headers.get("ETag");
          return response.text().then(function (html) { put(html, fresh, false); });
        })
        .catch(function () {})
        .then(function () {
          busy = false;
          if (again) { var forced = again === "now"; again = false; schedule(0, forced); return; }
          schedule(pushed() ? SAFETY_SECONDS * 1000 : seconds * 1000);
        });
    }
    var last = 0;
    function schedule(ms, now) {
      // never more often than the old poll: many changes in a few seconds make one request
      // (`now`: the officer's own action changed the part; asked at once)
      var wait = now ? 0 : Math.max(ms, last + seconds * 1000 - Date.now(), 0);
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () {
        timer = null;
        if (busy) { again = again === "now" || now ? "now" : true; return; }
        busy = true;
        last = Date.now();
        tick();
      }, wait);
    }
    // Server push (core/push.js, decision 0026): ask now when a change may concern the list
    // (the officer's own visit changes with the officer's own actions, answered directly).
    if (id === "waiting-panel") document.addEventListener("sk:push", function () { schedule(0); });
    // The list itself, sent by the push server (decision 0062): no request.
    if (id === "waiting-panel") document.addEventListener("sk:push-html", function (event) {
      if (event.detail.part === "desk" && event.detail.etag !== etag) put(event.detail.html, event.detail.etag, true);
    });
    // A desk action's answer carries the officer's own visit, not the list (decision 0035):
    // the list is asked for at once, on the screens' lane — unless a stream is open, which
    // brings it (the change, or the officer's own visit beginning or ending: decision 0062).
    if (id === "waiting-panel") document.addEventListener("sk:desk-acted", function () { if (!pushed()) schedule(0, true); });
    // An action whose outcome the server could not tell (503, its database connection lost:
    // core/lost_connection.py): both parts are asked for at once, to show what was done.
    document.addEventListener("sk:desk-unsure", function () { schedule(0, true); });
    schedule(seconds * 1000);
  }
  ["current-panel", "waiting-panel"].forEach(poll);
})();

// Desk actions without a page load (decision 0026): a form posting to the desk's /act/ is
// sent with fetch and "X-Desk-Fragment: 1"; the answer is the changed parts (the message,
// the officer's own visit), put in place of the same ids; the waiting list is then asked for
// by its own poll at once (decision 0035; a list in the answer is still put in place). A 503
// with X-Outcome (the database connection lost, decision 0088) is said in the message line
// and both parts are asked for again; the action is not sent again by itself. Anything else
// (signed out meanwhile: a redirect) loads the page it points to; a network error reloads
// the desk (the action may or may not have reached the server: the page shows which).
// Without JavaScript the forms post and redirect as before.
(function () {
  if (!window.fetch || !window.FormData || !window.DOMParser) return;
  var PARTS = ["desk-message", "current-panel", "waiting-panel"];
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !/\/act\/$/.test(form.getAttribute("action") || "")) return;
    if (form.dataset.native === "1") return;  // sent again as a plain form (see below)
    event.preventDefault();
    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var buttons = form.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    // form.action would be the button named "action", not the form's address
    fetch(new URL(form.getAttribute("action"), window.location.href).href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Desk-Fragment": "1" },
    })
      .then(function (response) {
        if (response.headers.get("X-Desk-Form") === "1") {
          // The action needs a form of its own first (the handover to the agency): nothing was
          // done; send the same form as a plain POST so the browser shows that page.
          for (var j = 0; j < buttons.length; j++) buttons[j].disabled = false;
          form.dataset.native = "1";
          if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
          return;
        }
        if (response.status === 503 && response.headers.get("X-Outcome")) {
          // The database connection was lost (core/lost_connection.py): nothing was saved
          // ("not-saved") or it may have been ("unknown"). Never sent again by itself: the
          // message says which, the buttons come back, and both parts are asked for again
          // so the officer sees what the desk holds now.
          return response.text().then(function (html) {
            var said = new DOMParser().parseFromString(html, "text/html").querySelector("[data-outcome]");
            var line = document.getElementById("desk-message");
            if (!line) {
              line = document.createElement("div");
              line.id = "desk-message";
              var grid = document.querySelector(".desk-grid");
              if (grid) grid.parentNode.insertBefore(line, grid); else document.body.prepend(line);
            }
            line.className = "message error";
            line.setAttribute("role", "alert");
            line.textContent = said ? said.textContent : "";
            for (var k = 0; k < buttons.length; k++) buttons[k].disabled = false;
            document.dispatchEvent(new CustomEvent("sk:desk-unsure"));
          });
        }
        if (response.redirected || response.headers.get("X-Desk-Parts") !== "1") {
          window.location.href = response.url;
          return;
        }
        return response.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          PARTS.forEach(function (id) {
            var fresh = doc.getElementById(id);
            if (!fresh) return;
            var old = document.getElementById(id);
            if (old) { old.replaceWith(fresh); return; }
            var grid = document.querySelector(".desk-grid");
            if (grid) grid.parentNode.insertBefore(fresh, grid);
          });
          if (!doc.getElementById("waiting-panel")) document.dispatchEvent(new CustomEvent("sk:desk-acted"));
          if (!document.activeElement || document.activeElement === document.body) {
            var next = document.querySelector("#current-panel [data-key]") || document.getElementById("current-heading");
            if (next) next.focus();
          }
        });
      })
      .catch(function () { window.location.reload(); });
  });
})();
