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
(function () {
  if (!window.fetch || !window.DOMParser) return;
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
    function tick() {
      var headers = { "X-Requested-With": "fetch" };
      if (etag) headers["If-None-Match"] = etag;
      fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 304 || !response.ok) return;
          var fresh = response.headers.get("ETag");
          return response.text().then(function (html) {
            etag = fresh;
            var current = document.getElementById(id);
            var replacement = new DOMParser().parseFromString(html, "text/html").getElementById(id);
            if (!current || !replacement) return;
            var focused = current.contains(document.activeElement) ? key(document.activeElement) : null;
            current.replaceWith(replacement);
            if (focused) {
              var again = replacement.querySelector(focused);
              if (again) again.focus();
            }
          });
        })
        .catch(function () {})
        .then(function () { setTimeout(tick, seconds * 1000); });
    }
    setTimeout(tick, seconds * 1000);
  }
  ["current-panel", "waiting-panel"].forEach(poll);
})();
