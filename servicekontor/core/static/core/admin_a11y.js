// The admin's autocomplete fields (select2) hide the labelled <select> and show a combobox
// labelled by its own rendered text, which is empty until something is chosen: screen
// readers (and axe) find a nameless control. Give each combobox the name of its select: the
// select's aria-label (inline rows) or its <label>. Runs for rows added later too.
(function () {
  function nameOf(select) {
    if (select.getAttribute("aria-label")) return select.getAttribute("aria-label");
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }
  function label(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) return;
      var name = nameOf(select);
      if (!name) return;
      container.querySelectorAll(".select2-selection, .select2-selection__rendered").forEach(function (el) {
        el.removeAttribute("aria-labelledby");
        el.setAttribute("aria-label", name);
      });
    });
  }
  function start() {
    label(document);
    new MutationObserver(function () { label(document); })
      .observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
