// Server push for the polled screens (decision 0026). An element with
// data-push="<stream URL>" and data-push-parts="desk" (space-separated) opens one
// server-sent-events stream; when a change names one of the parts, "sk:push" is fired on the
// document and the screen asks for its fragment (the same conditional request as its poll).
// While the stream is open, window.skPush.open is true and the screens poll only slowly (a
// safety net); when it is not, they poll as before. A stream may also carry the fragment
// itself (decision 0062): an event named after the part, fired as "sk:push-html". Without
// JavaScript nothing of this runs.
(function () {
  var el = document.querySelector("[data-push]");
  window.skPush = { open: false };
  if (!el || !window.EventSource) return;
  var url = el.getAttribute("data-push");
  var wanted = (el.getAttribute("data-push-parts") || "").split(" ");
  var failures = 0;
  // data-push-gap (ms): at most one "sk:push" per gap, the last change never dropped (a
  // screen that polled every few seconds asks no more often with push).
  var gap = parseFloat(el.getAttribute("data-push-gap")) || 0;
  var lastFire = 0;
  var pending = null;
  function fire() {
    var wait = lastFire + gap - Date.now();
    if (wait > 0) {
      if (!pending) pending = setTimeout(function () { pending = null; fire(); }, wait);
      return;
    }
    lastFire = Date.now();
    document.dispatchEvent(new CustomEvent("sk:push"));
  }
  function connect() {
    var source = new EventSource(url);
    source.onopen = function () {
      window.skPush.open = true;
      failures = 0;
      fire(); // anything missed while connecting is checked once
    };
    // A fragment itself (decision 0062: "desk", the officer's waiting list): handed to the
    // screen as "sk:push-html" with {part, etag, html}; no request.
    wanted.forEach(function (part) {
      if (!part) return;
      source.addEventListener(part, function (event) {
        var data;
        try { data = JSON.parse(event.data); } catch (e) { fire(); return; }
        document.dispatchEvent(new CustomEvent("sk:push-html", {
          detail: { part: part, etag: data.etag, html: data.html },
        }));
      });
    });
    source.addEventListener("change", function (event) {
      var parts = String(event.data).split(" ");
      for (var i = 0; i < parts.length; i++) {
        if (wanted.indexOf(parts[i]) >= 0) { fire(); return; }
      }
    });
    source.onerror = function () {
      window.skPush.open = false;
      if (source.readyState === 2) { // closed for good (e.g. 403): try again later
        failures += 1;
        setTimeout(connect, Math.min(60000, 1000 * Math.pow(2, failures)));
      }
    };
  }
  connect();
})();
