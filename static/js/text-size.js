// Text size switch (A / A+ / A++): the links work without script (a cookie set by the
// server); with script the size changes at once and is also kept in localStorage.
(function () {
  "use strict";
  var CLASSES = { normal: "", large: "text-large", larger: "text-larger" };
  var root = document.documentElement;

  function apply(size) {
    if (!(size in CLASSES)) return;
    Object.keys(CLASSES).forEach(function (name) {
      if (CLASSES[name]) root.classList.remove(CLASSES[name]);
    });
    if (CLASSES[size]) root.classList.add(CLASSES[size]);
    document.cookie = "text_size=" + size + "; path=/; max-age=34560000; samesite=lax" +
      (location.protocol === "https:" ? "; secure" : "");
    try { localStorage.setItem("text_size", size); } catch (e) { /* private mode */ }
    document.querySelectorAll("[data-text-size]").forEach(function (link) {
      if (link.getAttribute("data-text-size") === size) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    });
  }

  var saved = null;
  try { saved = localStorage.getItem("text_size"); } catch (e) { /* private mode */ }
  if (saved && !/(?:^|; )text_size=/.test(document.cookie)) apply(saved);

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-text-size]");
    if (!link) return;
    event.preventDefault();
    apply(link.getAttribute("data-text-size"));
  });
})();
