// Lobby display: fetch the board fragment every second; 304 when nothing changed.
// On errors (network down, server restarting) it keeps trying with back-off up to 10 s and
// shows a small "reconnecting" sign; it never needs a person to press reload.
(function () {
  var board = document.getElementById("board");
  var offline = document.getElementById("offline");
  if (!board || !window.fetch) return;
  var url = board.getAttribute("data-src");
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
  var etag = null;
  var delay = 1000;
  function tick() {
    var headers = {};
    if (etag) headers["If-None-Match"] = etag;
    fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304) return;
        if (!response.ok) throw new Error("HTTP " + response.status);
        etag = response.headers.get("ETag");
        return response.text().then(function (html) { board.innerHTML = html; announce(); });
      })
      .then(function () { delay = 1000; offline.hidden = true; },
            function () { delay = Math.min(delay * 2, 10000); offline.hidden = false; })
      .then(function () { setTimeout(tick, delay); });
  }
  setTimeout(tick, delay);
  // Pick up new page code after a deploy without anyone touching the screen.
  setTimeout(function () { window.location.reload(); }, 6 * 3600 * 1000);
})();
