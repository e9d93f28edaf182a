/* Schedules pages: submit filters on change; live preview of a schedule's dates.
   Everything works without this script (a submit button and a server-side preview). */
(function () {
  "use strict";

  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () {
      var form = select.form;
      if (select.name === "province") {
        var commune = form.querySelector("select[name=commune]");
        if (commune) { commune.value = ""; }
      }
      form.submit();
    });
  });

  var form = document.getElementById("schedule-form");
  var target = document.getElementById("live-preview");
  if (!form || !target || !window.fetch) { return; }
  var timer = null;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function render(data) {
    target.replaceChildren();
    var errors = data.errors || {};
    Object.keys(errors).forEach(function (field) {
      target.appendChild(element("div", "alert alert-danger py-2", errors[field]));
    });
    (data.warnings || []).forEach(function (text) {
      target.appendChild(element("div", "alert alert-warning py-2", text));
    });
    if (!data.sessions) { return; }
    var label = target.dataset.countLabel || "__N__";
    target.appendChild(element("p", "", label.replace("__N__", String(data.sessions.length))));
    var list = element("ol", "preview-list");
    data.sessions.forEach(function (item) {
      var li = element("li", "", item.label);
      if (item.shifted_from) {
        var shifted = (target.dataset.shiftedLabel || "__D__").replace("__D__", item.shifted_from);
        li.appendChild(element("span", "shifted", " (" + shifted + ")"));
      }
      list.appendChild(li);
    });
    target.appendChild(list);
  }

  function preview() {
    var body = new FormData(form);
    var token = form.querySelector("input[name=csrf_token]");
    fetch(form.dataset.previewUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: token ? { "X-CSRFToken": token.value } : {}
    }).then(function (response) {
      return response.json();
    }).then(render).catch(function () { /* the server-side preview still works */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(preview, 400);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(preview, 150);
  });
})();
