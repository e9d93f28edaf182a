/* Shared helpers of the live room pages: messages, Socket.IO connection, chime. */
(function () {
  "use strict";

  var holder = document.getElementById("live-strings");
  var strings = holder ? holder.dataset : {};

  function camel(key) {
    return key.replace(/-([a-z])/g, function (_m, c) { return c.toUpperCase(); });
  }

  /* A message from templates/live/_strings.html, with {name} placeholders filled. */
  function t(key, params) {
    var text = strings[camel(key)] || key;
    Object.keys(params || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(params[name]));
    });
    return text;
  }

  /* The /live namespace; the browser's session cookie identifies the person. */
  function connect() {
    return io("/live", { transports: ["websocket", "polling"] });
  }

  /* Emit with an acknowledgement; a lost answer becomes {ok:false,error:"timeout"}. */
  function request(socket, event, data) {
    return new Promise(function (resolve) {
      socket.timeout(10000).emit(event, data, function (err, ack) {
        resolve(err ? { ok: false, error: "timeout", message: t("disconnected") } : ack);
      });
    });
  }

  var chimeAudio = null;

  /* Prepare the chime during a click so that browsers allow it to ring later. */
  function primeChime(url) {
    if (!chimeAudio) {
      chimeAudio = new Audio(url);
      chimeAudio.preload = "auto";
    }
    chimeAudio.muted = true;
    chimeAudio.play().then(function () {
      chimeAudio.pause();
      chimeAudio.currentTime = 0;
      chimeAudio.muted = false;
    }).catch(function () { chimeAudio.muted = false; });
  }

  function chime(url) {
    if (!chimeAudio) { chimeAudio = new Audio(url); }
    chimeAudio.currentTime = 0;
    chimeAudio.play().catch(function () { /* the page has not been clicked yet */ });
  }

  /* The call to a citizen: chime three times and vibrate. */
  function ring(url) {
    chime(url);
    window.setTimeout(function () { chime(url); }, 1600);
    window.setTimeout(function () { chime(url); }, 3200);
    if (navigator.vibrate) { navigator.vibrate([400, 200, 400, 200, 400]); }
  }

  function minutes(seconds) {
    return Math.max(1, Math.round(seconds / 60));
  }

  function show(el, visible) {
    if (el) { el.hidden = !visible; }
  }

  function text(el, value) {
    if (el) { el.textContent = value; }
  }

  /* getUserMedia with an audio-only fallback; resolves {stream, video} or rejects. */
  function getMedia(wantVideo) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.reject(new Error("no mediaDevices"));
    }
    if (!wantVideo) {
      return navigator.mediaDevices.getUserMedia({ audio: true, video: false })
        .then(function (stream) { return { stream: stream, video: false }; });
    }
    return navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } })
      .then(function (stream) { return { stream: stream, video: true }; })
      .catch(function () { return getMedia(false); });
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  window.LiveCommon = {
    t: t, connect: connect, request: request, primeChime: primeChime, chime: chime,
    ring: ring, minutes: minutes, show: show, text: text, getMedia: getMedia,
    fetchJson: fetchJson
  };
})();
