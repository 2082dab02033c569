// htmx's answers with an error status (4xx, 5xx), for every page that loads htmx
// (templates/core/_htmx.html). htmx 2 swaps none of them by default, so a refusal's reason
// (a check-in while the office is closed: 409) was lost with JavaScript on, though the same
// page shows it without. Here, in one place:
// - an answer that carries the element htmx targets (a fragment made for it, with its
//   message in role=alert) is swapped in as if it were a 200;
// - any other error answer (a 403/404/429/500 page, an empty body) leaves the target as it
//   is and shows the reason in one role=alert line just before the target, removed again
//   by the target's next good answer;
// - a request that never got an answer (the network) says so the same way.
// Scripts that fetch parts themselves (desk.js) say their refusals with the same line
// (window.skAlert.say(target, text, {href, text})).
// The fallback words come from the script tag's data attributes (translated by the page).
(function () {
  var script = document.currentScript;
  function words(name) { return (script && script.getAttribute("data-" + name)) || ""; }
  // `link` (optional): {href, text}, a way out after the sentence (sign in again).
  function say(target, text, link) {
    if (!target || !target.parentNode) return;
    var line = target.previousElementSibling;
    if (!line || !line.hasAttribute("data-htmx-error")) {
      line = document.createElement("p");
      line.className = "message error";
      line.setAttribute("role", "alert");
      line.setAttribute("data-htmx-error", "");
      target.parentNode.insertBefore(line, target);
    }
    var said = text + (link ? " " + link.text : "");
    if (line.textContent === said) return;  // said once, not at every poll
    line.textContent = text;
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      line.appendChild(document.createTextNode(" "));
      line.appendChild(anchor);
    }
  }
  function clear(target) {
    var line = target && target.previousElementSibling;
    if (line && line.hasAttribute("data-htmx-error")) line.remove();
  }
  // The same line for the pages' own requests (desk.js's polls): window.skAlert.
  window.skAlert = { say: say, clear: clear };
  function reason(html, status) {
    var doc = new DOMParser().parseFromString(html || "", "text/html");
    var alert = doc.querySelector("[role=alert]");
    var text = alert ? alert.textContent : "";
    if (!text.trim()) {
      var heading = doc.querySelector("main h1");
      var first = doc.querySelector("main h1 ~ p");
      text = [heading && heading.textContent, first && first.textContent].filter(Boolean).join(": ");
    }
    text = text.replace(/\s+/g, " ").trim();
    return text || words("unknown").replace("%(status)s", String(status));
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var xhr = detail.xhr;
    var target = detail.target;
    if (xhr.status < 400) { clear(target); return; }
    var html = xhr.responseText || "";
    if (target && target.id && html.indexOf(target.id) !== -1) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      if (doc.getElementById(target.id)) {
        clear(target);
        detail.shouldSwap = true;
        detail.isError = false;  // the answer is the part itself, its refusal shown in it
        return;
      }
    }
    say(target, reason(html, xhr.status));
  });
  document.addEventListener("htmx:sendError", function (event) {
    say(event.detail.target || event.detail.elt, words("offline"));
  });
})();
