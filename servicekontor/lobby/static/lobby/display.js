// Lobby display: fetch the board fragment when it may have changed; 304 when nothing changed.
// With server push (decision 0026: data-push on #board, an EventSource stream) it asks when
// a change that concerns the board arrives (at most once a second), and once a minute as a
// safety net; when the stream brings the board itself (decision 0062: "board" events) it is
// put in place with no request; without a stream (push off, or the stream down) it polls every second as
// before (decision 0017). On errors (network down, server restarting) it keeps trying with
// back-off up to 10 s and shows a small "reconnecting" sign; it never needs a person to
// press reload. A device no longer allowed (revoked, or pairing now required) reloads the page,
// which then says the screen must be paired.
(function () {
  var board = document.getElementById("board");
  var offline = document.getElementById("offline");
  if (!board || !window.fetch) return;
  var url = board.getAttribute("data-src");
  var pushUrl = board.getAttribute("data-push");
  var announcer = document.getElementById("announcer");
  function lastCall() {
    var element = board.querySelector("#board-announcement");
    return element ? { key: element.getAttribute("data-key"), text: element.textContent } : null;
  }
  var announced = lastCall();  // on the page when it opened: not news
  function announce() {
    var call = lastCall();
    if (!call || !announcer || (announced && announced.key === call.key)) return;
    announced = call;
    // A recall has the same words: empty the region first so the change is announced again.
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = call.text; }, 50);
  }
  var MIN_GAP = 1000; // never more often than the old poll
  var etag = null;
  var delay = 1000;
  var pushed = false; // a stream is open
  var timer = null;
  var busy = false;
  var again = false;
  var last = 0;
  function schedule(ms) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, Math.max(ms, last + MIN_GAP - Date.now(), 0));
  }
  function tick() {
    timer = null;
    if (busy) { again = true; return; }
    busy = true;
    last = Date.now();
    var headers = {};
    if (etag) headers["If-None-Match"] = etag;
    fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304) return;
        // not (or no longer) a paired device: the page says so and how to pair
        if (response.status === 403) { window.location.reload(); return; }
        if (!response.ok) throw new Error("HTTP " + response.status);
        etag = response.headers.get("ETag");
        return response.text().then(function (html) { board.innerHTML = html; announce(); });
      })
      .then(function () { delay = 1000; offline.hidden = true; },
            function () { delay = Math.min(delay * 2, 10000); offline.hidden = false; })
      .then(function () {
        busy = false;
        if (again) { again = false; schedule(0); return; }
        schedule(pushed && offline.hidden ? 60000 : delay);
      });
  }
  if (pushUrl && window.EventSource) {
    var failures = 0;
    var connect = function () {
      var source = new EventSource(pushUrl);
      source.onopen = function () { pushed = true; failures = 0; schedule(0); };
      source.addEventListener("change", function (event) {
        if (String(event.data).split(" ").indexOf("board") >= 0) schedule(0);
      });
      // The board itself (decision 0062): put in place without a request.
      source.addEventListener("board", function (event) {
        var data;
        try { data = JSON.parse(event.data); } catch (e) { schedule(0); return; }
        if (data.etag === etag) return;
        etag = data.etag;
        board.innerHTML = data.html;
        announce();
      });
      // The device was revoked (or pairing is now required): the push server closes the
      // stream; the page, reloaded, asks to be paired.
      source.addEventListener("revoked", function () { source.close(); window.location.reload(); });
      source.onerror = function () {
        if (pushed) { pushed = false; schedule(delay); }
        if (source.readyState === 2) {
          failures += 1;
          setTimeout(connect, Math.min(60000, 1000 * Math.pow(2, failures)));
        }
      };
    };
    connect();
  }
  schedule(delay);
  // Pick up new page code after a deploy without anyone touching the screen.
  setTimeout(function () { window.location.reload(); }, 6 * 3600 * 1000);
})();
