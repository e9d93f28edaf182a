/* Small enhancements of the booking pages; everything works without this file. */
(function () {
  "use strict";

  // A live character count under the case summary.
  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    var output = document.getElementById(area.getAttribute("data-counter"));
    var max = parseInt(area.getAttribute("maxlength"), 10) || 5000;
    if (!output) { return; }
    function update() {
      output.textContent = area.value.length.toLocaleString("vi-VN") + " / " + max.toLocaleString("vi-VN");
    }
    area.addEventListener("input", update);
    update();
  });

  // Disable a submit button once pressed (the server also refuses a second booking).
  document.querySelectorAll("button[data-once]").forEach(function (button) {
    var form = button.form;
    if (!form) { return; }
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      }, 0);
    });
  });

  // The receipt's print button (printing from the browser's menu works as well).
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
