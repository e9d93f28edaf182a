/* The citizen's waiting room: consent, device check, own place in the queue, the call. */
(function () {
  "use strict";
  var L = window.LiveCommon;
  var root = document.getElementById("live-room");
  if (!root) { return; }
  var sessionId = Number(root.dataset.sessionId);
  var chimeUrl = root.dataset.chimeUrl;
  var $ = function (id) { return document.getElementById(id); };
  var media = null;        // {stream, video} once the devices were checked
  var socket = null;
  var mesh = null;         // the call: one connection per other party (static/js/live-mesh.js)
  var iceServers = [];
  var lastState = null;
  var inCall = false;

  function step(id) {
    ["step-consent", "step-devices", "step-waiting", "step-call"].forEach(function (s) {
      L.show($(s), s === id || (id === "step-call" && s === "step-waiting"));
    });
    var heading = $(id) && $(id).querySelector("h2");
    if (heading) { heading.tabIndex = -1; heading.focus(); }
  }

  var cont = $("consent-continue");
  if (cont) { cont.addEventListener("click", function () { step("step-devices"); }); }

  function checkDevices(wantVideo) {
    return L.getMedia(wantVideo).then(function (found) {
      media = found;
      $("preview").srcObject = found.stream;
      L.text($("device-status"), found.video ? L.t("camera-ok") : L.t("audio-only"));
      return found;
    }).catch(function () {
      media = null;
      L.text($("device-status"), L.t("no-media"));
      return null;
    });
  }

  $("check-devices").addEventListener("click", function () { checkDevices(true); });
  $("enter-room").addEventListener("click", function () {
    L.primeChime(chimeUrl);
    (media ? Promise.resolve(media) : checkDevices(true)).then(startWaiting);
  });
  $("enter-without-camera").addEventListener("click", function () {
    L.primeChime(chimeUrl);
    if (media) { media.stream.getVideoTracks().forEach(function (t) { t.stop(); }); }
    L.getMedia(false).then(function (found) { media = found; }).catch(function () { media = null; })
      .then(function () {
        L.text($("device-status"), L.t("no-camera-chosen"));
        startWaiting();
      });
  });

  function showFinal(message) {
    var box = $("final-message");
    L.text(box, message);
    L.show(box, Boolean(message));
  }

  function join() {
    L.request(socket, "join", { session_id: sessionId }).then(function (ack) {
      if (!ack.ok) { showFinal(ack.message); return; }
      showFinal("");
      lastState = null;  // the next queue event shows the place (or the outcome) afresh
      L.text($("my-ticket"), ack.ticket || "—");
    });
  }

  function render(q) {
    L.text($("my-ticket"), q.ticket);
    L.text($("my-state"), L.t("state-" + q.state));
    var waiting = q.state === "waiting";
    L.text($("my-position"), waiting ? L.t("position", { position: q.position }) + " · " +
      L.t("ahead", { ahead: q.ahead }) : "");
    L.text($("my-eta"), waiting ? (q.eta_seconds < 60 ? L.t("eta-soon")
      : L.t("eta", { minutes: L.minutes(q.eta_seconds) })) : "");
    var called = q.state === "called" || q.state === "in_call";
    L.show($("called-banner"), called && !inCall);
    L.text($("called-text"), L.t("called"));
    if (q.state === "called" && lastState !== "called") {
      L.ring(chimeUrl);
      document.title = "🔔 " + document.title.replace(/^🔔 /, "");
    }
    // Once, on the change: later queue events must not hide a newer message (room closed).
    if ((q.state === "done" || q.state === "no_show") && q.state !== lastState) {
      endCall();
      showFinal(q.state === "done" ? L.t("done") : L.t("no-show"));
    }
    L.show($("after-turn"), q.state === "done");
    lastState = q.state;
  }

  function startWaiting() {
    step("step-waiting");
    if (socket) { return; }
    socket = L.connect();
    L.watchConnection(socket, $("connection-status"));
    socket.on("connect", join);  // again after every reconnection: the place is restored
    socket.on("queue", function (q) { if (q.session_id === sessionId) { render(q); } });
    socket.on("ring", function () { L.ring(chimeUrl); });
    socket.on("announce", function (a) {
      var p = document.createElement("p");
      p.className = "alert alert-secondary mb-2";
      p.textContent = a.message;
      $("announcements").prepend(p);
      L.chime(chimeUrl);
    });
    socket.on("room_status", function (s) {
      showFinal(s.status === "held" ? L.t("room-held") : L.t("room-live"));
    });
    socket.on("signal", function (s) {
      if (mesh && s.session_id === sessionId) { mesh.handle(s); }
    });
    socket.on("call_party", function (notice) {
      if (notice.session_id !== sessionId) { return; }
      guestLabels[notice.party] = notice.label;
      var p = document.createElement("p");
      p.className = "alert alert-info mb-2";
      p.textContent = notice.message;
      $("announcements").prepend(p);
      L.text($("call-status"), notice.message);
    });
  }

  $("join-call").addEventListener("click", function () {
    L.request(socket, "start_call", { session_id: sessionId }).then(function (ack) {
      if (!ack.ok) { showFinal(ack.message); return; }
      inCall = true;
      L.show($("called-banner"), false);
      step("step-call");
      L.text($("call-status"), L.t("call-connecting"));
      return L.fetchJson(root.dataset.iceUrl).then(function (ice) {
        iceServers = ice.iceServers;
        $("local-video").srcObject = media ? media.stream : null;
        makeMesh();
        L.request(socket, "call_parties", { session_id: sessionId }).then(function (got) {
          // Ask the host (and any guest already in the call) for an offer.
          mesh.enter(got.ok ? got.parties.map(function (p) { return p.party; }) : ["host"]);
        });
      });
    });
  });

  var guestLabels = {};

  /* The call's connections, one per other party: the host's picture in the main video,
     the guests' under it. */
  function makeMesh() {
    if (mesh) { mesh.close(); }
    mesh = new window.LiveMesh({
      socket: socket, sessionId: sessionId, self: "citizen", iceServers: iceServers,
      localStream: media ? media.stream : null,
      onTrack: function (party, event, stream) {
        if (!stream) { return; }
        if (party === "host") { $("remote-video").srcObject = stream; return; }
        L.showGuest($("guest-videos"), party, stream, guestLabels[party]);
      },
      onState: function (party, state) {
        if (party !== "host") { return; }
        if (state === "connected") { L.text($("call-status"), L.t("call-connected")); }
        if (state === "failed" || state === "disconnected") {
          L.text($("call-status"), L.t("call-failed"));
          if (inCall) { mesh.ready("host"); }
        }
      }
    });
    if ($("audio-only")) { mesh.setAudioOnly($("audio-only").getAttribute("aria-pressed") === "true"); }
    return mesh;
  }

  function endCall() {
    inCall = false;
    if (mesh) { mesh.close(); mesh = null; }
    if ($("guest-videos")) { $("guest-videos").textContent = ""; }
    L.show($("step-call"), false);
  }

  function toggle(button, kind) {
    button.addEventListener("click", function () {
      if (!media) { return; }
      var tracks = kind === "audio" ? media.stream.getAudioTracks() : media.stream.getVideoTracks();
      var off = button.getAttribute("aria-pressed") !== "true";
      tracks.forEach(function (track) { track.enabled = !off; });
      button.setAttribute("aria-pressed", off ? "true" : "false");
    });
  }
  if ($("audio-only")) {
    $("audio-only").addEventListener("click", function (event) {
      var on = event.currentTarget.getAttribute("aria-pressed") !== "true";
      event.currentTarget.setAttribute("aria-pressed", String(on));
      if (mesh) { mesh.setAudioOnly(on); }
    });
  }
  toggle($("toggle-mic"), "audio");
  toggle($("toggle-camera"), "video");
})();
