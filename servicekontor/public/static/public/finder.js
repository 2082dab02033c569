// Progressive enhancement: fill in the coordinates from the browser. The form works without it.
(function () {
  var button = document.getElementById("use-position");
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("id_lat").value = position.coords.latitude.toFixed(5);
      document.getElementById("id_lon").value = position.coords.longitude.toFixed(5);
      button.form.submit();
    });
  });
})();
