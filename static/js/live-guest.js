/* A guest invited by a one-time link: the recording notice and consent, a camera and
   microphone check, then the call once their case is in it (a mesh of up to four). */
(function () {
  "use strict";
  var L = window.LiveCommon;
  var root = document.getElementById("live-guest");
  if (!root) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var sessionId = Number(root.dataset.sessionId);
  var self = root.dataset.party;
  var iceServers = JSON.parse(root.dataset.iceServers || "[]");
  var media = null, socket = null, mesh = null, caseState = null, inCall = false;
  var labels = {};

  function step(id) {
    ["guest-consent", "guest-devices", "guest-call"].forEach(function (s) {
      L.show($(s), s === id);
    });
  }

  function final(text) {
    L.text($("final-message"), text);
    L.show($("final-message"), Boolean(text));
  }

  $("guest-consent-box").addEventListener("change", function (event) {
    $("guest-continue").disabled = !event.target.checked;
  });
  $("guest-continue").addEventListener("click", function () {
    step("guest-devices");
    checkDevices();
    connect();
  });
  $("check-devices").addEventListener("click", checkDevices);

  function checkDevices() {
    return L.getMedia(true).then(function (found) {
      media = found;
      $("preview").srcObject = found.stream;
      L.text($("device-status"), found.video ? L.t("camera-ok") : L.t("audio-only"));
    }).catch(function () {
      media = null;
      L.text($("device-status"), L.t("no-media"));
    });
  }

  function showState(state) {
    caseState = state;
    var ready = state === "called" || state === "in_call";
    $("guest-join").disabled = !ready;
    L.text($("guest-state"), ready ? L.t("guest-ready")
      : (state === "done" || state === "no_show") ? L.t("guest-over") : L.t("guest-waiting"));
    if (inCall && !ready) { leave(); final(L.t("guest-over")); }
  }

  function connect() {
    if (socket) { return; }
    socket = L.connect({ guest: root.dataset.token, key: root.dataset.key });
    L.watchConnection(socket, $("connection-status"));
    socket.on("connect", function () {
      L.request(socket, "join", { session_id: sessionId, as: "guest" }).then(function (ack) {
        if (!ack.ok) { final(ack.message); return; }
        if (inCall) { enter(); }  // back after a lost connection
      });
    });
    socket.on("connect_error", function (error) {
      if (error && error.data && error.data.message) { final(error.data.message); }
    });
    socket.on("guest_state", function (g) { if (g.session_id === sessionId) { showState(g.state); } });
    socket.on("signal", function (s) { if (mesh && s.session_id === sessionId) { mesh.handle(s); } });
    socket.on("call_party", function (notice) {
      labels[notice.party] = notice.label;
      L.text($("call-status"), notice.message);
    });
    socket.on("room_status", function (s) { if (s.status === "held") { leave(); final(L.t("room-held")); } });
  }

  $("guest-join").addEventListener("click", function () {
    (media ? Promise.resolve() : checkDevices()).then(enter);
  });

  function enter() {
    L.request(socket, "enter_call", { session_id: sessionId }).then(function (ack) {
      if (!ack.ok) { final(ack.message); return; }
      final("");
      inCall = true;
      step("guest-call");
      L.text($("call-status"), L.t("call-connecting"));
      $("local-video").srcObject = media ? media.stream : null;
      ack.parties.forEach(function (p) { labels[p.party] = p.label; });
      if (mesh) { mesh.close(); }
      mesh = new window.LiveMesh({
        socket: socket, sessionId: sessionId, self: self, iceServers: iceServers,
        localStream: media ? media.stream : null,
        onTrack: function (party, event, stream) {
          if (!stream) { return; }
          if (party === "host") { $("remote-video").srcObject = stream; return; }
          L.showGuest($("guest-videos"), party, stream, labels[party]);
        },
        onState: function (party, state) {
          if (party === "host" && state === "connected") { L.text($("call-status"), L.t("call-connected")); }
          if (party === "host" && state === "failed" && inCall) { mesh.ready("host"); }
        }
      });
      mesh.setAudioOnly($("audio-only").getAttribute("aria-pressed") === "true");
      mesh.enter(ack.parties.map(function (p) { return p.party; }));
    });
  }

  function leave() {
    inCall = false;
    if (mesh) { mesh.close(); mesh = null; }
    $("guest-videos").textContent = "";
    $("remote-video").srcObject = null;
  }

  $("audio-only").addEventListener("click", function (event) {
    var on = event.currentTarget.getAttribute("aria-pressed") !== "true";
    event.currentTarget.setAttribute("aria-pressed", String(on));
    if (mesh) { mesh.setAudioOnly(on); }
  });
  $("toggle-mic").addEventListener("click", function (event) {
    if (!media) { return; }
    var off = event.currentTarget.getAttribute("aria-pressed") !== "true";
    media.stream.getAudioTracks().forEach(function (t) { t.enabled = !off; });
    event.currentTarget.setAttribute("aria-pressed", String(off));
  });
})();
