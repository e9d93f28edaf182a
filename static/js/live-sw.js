/* Service worker of the live room (served at /live/sw.js, scope /live/): shows the
   "your turn is near" Web Push message and opens the waiting room when it is clicked.
   The message is JSON {title, body, url, tag} (app/notify/push.py). */
"use strict";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("push", function (event) {
  var message = {};
  try { message = event.data ? event.data.json() : {}; } catch (e) { message = {}; }
  var title = message.title || "";
  event.waitUntil(self.registration.showNotification(title, {
    body: message.body || "",
    tag: message.tag || "turn_near",
    icon: "/static/img/icon.svg",
    requireInteraction: true,
    renotify: true,
    vibrate: [300, 100, 300],
    data: { url: message.url || "/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/",
                       self.location.origin);
  if (target.origin !== self.location.origin) { target = new URL("/", self.location.origin); }
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true })
    .then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        var w = windows[i];
        if (new URL(w.url).pathname === target.pathname && "focus" in w) { return w.focus(); }
      }
      return self.clients.openWindow(target.href);
    }));
});
