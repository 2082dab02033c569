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
