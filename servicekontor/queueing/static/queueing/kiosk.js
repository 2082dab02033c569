// Kiosk ticket page: print button, and an announced, extendable return to the start
// screen so the next citizen finds the kiosk ready (WCAG 2.2.1: the user can extend it).
(function () {
  var print = document.getElementById("print-ticket");
  if (print) {
    print.hidden = false;  // without JavaScript there is nothing to press it for
    print.addEventListener("click", function () { window.print(); });
  }
  var box = document.getElementById("auto-return");
  if (!box) return;
  var start = parseInt(box.getAttribute("data-seconds"), 10) || 60;
  var left = start;
  var countdown = document.getElementById("countdown");
  box.hidden = false;
  document.getElementById("more-time").addEventListener("click", function () {
    left = start * 2;
    countdown.textContent = left;
  });
  setInterval(function () {
    left -= 1;
    if (left <= 0) { window.location.href = box.getAttribute("data-href"); return; }
    countdown.textContent = left;
  }, 1000);
})();
