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

  /* The /live namespace; the browser's session cookie identifies the person. After a
     lost connection the client tries again by itself, waiting 1 s, then 2, 4, up to
     5 s, each wait spread by half either way: after a server restart its thousands of
     citizens do not all come back in the same second. */
  function connect(auth) {
    return io("/live", {
      auth: auth || undefined,
      transports: ["websocket", "polling"],
      reconnection: true, reconnectionAttempts: Infinity,
      reconnectionDelay: 1000, reconnectionDelayMax: 5000, randomizationFactor: 0.5
    });
  }

  /* Show the state of the connection in `el` ("connecting", "connected",
     "reconnecting") as its text and its data-state; the server's place is restored on
     every reconnection by the page's own "connect" handler (join again). */
  function watchConnection(socket, el) {
    function state(name, message) {
      if (!el) { return; }
      el.dataset.state = name;
      el.classList.toggle("text-warning", name === "reconnecting");
      el.classList.toggle("fw-semibold", name === "reconnecting");
      el.textContent = message;
    }
    state("connecting", t("connecting"));
    socket.on("connect", function () { state("connected", t("connected")); });
    socket.on("disconnect", function (reason) {
      state("reconnecting", t("reconnecting"));
      // The server ended this connection itself (a restart): the client does not try
      // again on its own in that case.
      if (reason === "io server disconnect") {
        window.setTimeout(function () { socket.connect(); }, 1000 + Math.random() * 2000);
      }
    });
    socket.on("connect_error", function () {
      if (!socket.connected) { state("reconnecting", t("reconnecting")); }
    });
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

  /* The picture of another party of the call (a guest, the point, the host), labelled,
     in ``box``; one <video> per party. */
  function showGuest(box, party, stream, label) {
    if (!box) { return null; }
    var video = box.querySelector("video[data-party='" + party + "']");
    if (!video) {
      var figure = document.createElement("figure");
      figure.className = "live-guest mb-0";
      video = document.createElement("video");
      video.className = "live-video live-video-small";
      video.dataset.party = party;
      video.autoplay = true;
      video.playsInline = true;
      var caption = document.createElement("figcaption");
      caption.className = "small";
      caption.textContent = label || "";
      figure.appendChild(video);
      figure.appendChild(caption);
      box.appendChild(figure);
    } else if (label) {
      video.parentNode.querySelector("figcaption").textContent = label;
    }
    video.srcObject = stream;
    return video;
  }

  window.LiveCommon = {
    showGuest: showGuest,
    t: t, connect: connect, watchConnection: watchConnection, request: request, primeChime: primeChime, chime: chime,
    ring: ring, minutes: minutes, show: show, text: text, getMedia: getMedia,
    fetchJson: fetchJson
  };
})();
