/* "Tell me when my turn is near": on the citizen's click only, ask for permission to
   show notifications, subscribe this browser to Web Push with the server's VAPID key,
   and give the subscription to the server (JSON, with the CSRF token). */
(function () {
  "use strict";
  var L = window.LiveCommon;
  var button = document.getElementById("push-subscribe");
  var status = document.getElementById("push-status");
  if (!button) { return; }
  var supported = "serviceWorker" in navigator && "PushManager" in window &&
    "Notification" in window;
  if (!supported) { L.text(status, L.t("push-unsupported")); return; }
  L.show(button, true);

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function send(subscription) {
    return fetch(button.dataset.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": button.dataset.csrf },
      body: JSON.stringify(subscription.toJSON())
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
    });
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error("denied"); }
      return navigator.serviceWorker.register(button.dataset.worker, { scope: button.dataset.scope });
    }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (existing) {
        return existing || registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: keyBytes(button.dataset.key)
        });
      });
    }).then(send).then(function () {
      L.text(status, L.t("push-on"));
      L.show(button, false);
    }).catch(function (error) {
      button.disabled = false;
      L.text(status, error && error.message === "denied" ? L.t("push-denied") : L.t("push-failed"));
    });
  });
})();
