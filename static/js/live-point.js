/* The reception point's console: its citizens and their states, check-in, the recording
   consent confirmed by the officer, and the call (360p, audio only on one tap). */
(function () {
  "use strict";
  var L = window.LiveCommon;
  var root = document.getElementById("live-point");
  if (!root) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var sessionId = Number(root.dataset.sessionId);
  var chimeUrl = root.dataset.chimeUrl;
  var socket = L.connect();
  var media = null, mesh = null, iceServers = null;
  var callBooking = null;     // the booking whose call this point took
  var ringing = null;         // {booking_id, ticket} called by the host, not yet taken
  var guestLabels = {};

  function message(text) {
    L.text($("point-message"), text);
    L.show($("point-message"), Boolean(text));
  }

  function render(ps) {
    var list = $("point-citizens");
    list.textContent = "";
    var called = null;
    ps.citizens.forEach(function (c) {
      var li = document.createElement("li");
      li.className = "live-queue-item d-flex gap-2 align-items-baseline";
      li.dataset.bookingId = String(c.booking_id);
      li.dataset.state = c.state;
      var ticket = document.createElement("span");
      ticket.className = "live-queue-ticket";
      ticket.textContent = c.ticket;
      var state = document.createElement("span");
      state.className = "point-state";
      state.textContent = L.t("state-" + c.state);
      li.appendChild(ticket);
      li.appendChild(state);
      if (c.state === "expected") {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-outline-primary btn-sm ms-auto point-check-in";
        button.textContent = L.t("check-in");
        button.addEventListener("click", function () {
          button.disabled = true;
          L.request(socket, "point_check_in", { session_id: sessionId, booking_id: c.booking_id })
            .then(function (ack) { if (!ack.ok) { message(ack.message); button.disabled = false; } });
        });
        li.appendChild(button);
      }
      list.appendChild(li);
      if (c.state === "called" || c.state === "in_call") { called = c; }
    });
    // Called, or in the call but not on this page (taken before a reload): ring.
    if (called && !callBooking && (!ringing || ringing.booking_id !== called.booking_id)) {
      ringing = called;
      $("point-consent").checked = false;
      L.text($("point-ringing-text"), L.t("point-called", { ticket: called.ticket }));
      L.show($("point-ringing"), true);
      L.ring(chimeUrl);
    }
    if (!called) {
      ringing = null;
      L.show($("point-ringing"), false);
    }
    if (callBooking && (!called || called.booking_id !== callBooking)) { endCall(); }
  }

  L.watchConnection(socket, $("connection-status"));
  socket.on("connect", function () {
    L.request(socket, "join", { session_id: sessionId, as: "point" }).then(function (ack) {
      if (!ack.ok) { message(ack.message); }
    });
  });
  socket.on("point_state", function (ps) { if (ps.session_id === sessionId) { render(ps); } });
  socket.on("room_status", function (s) { message(s.status === "held" ? L.t("room-held") : L.t("room-live")); });
  socket.on("signal", function (s) { if (mesh && s.session_id === sessionId) { mesh.handle(s); } });
  socket.on("call_party", function (notice) {
    if (notice.session_id !== sessionId) { return; }
    guestLabels[notice.party] = notice.label;
    var p = document.createElement("p");
    p.className = "alert alert-info mb-2";
    p.textContent = notice.message;
    $("announcements").prepend(p);
  });

  function ensureMedia() {
    if (media) { return Promise.resolve(media); }
    return L.getMedia(true).then(function (found) {  // 640×360 (live-common.js)
      media = found;
      $("local-video").srcObject = found.stream;
      return found;
    }).catch(function () { return null; });
  }

  $("take-call").addEventListener("click", function () {
    if (!ringing) { return; }
    if (!$("point-consent").checked) { message(L.t("consent-needed")); $("point-consent").focus(); return; }
    var booking = ringing.booking_id;
    L.primeChime(chimeUrl);
    Promise.all([ensureMedia(), L.fetchJson(root.dataset.iceUrl)]).then(function (got) {
      iceServers = got[1].iceServers;
      return L.request(socket, "start_call", { session_id: sessionId, booking_id: booking, consent: true });
    }).then(function (ack) {
      if (!ack.ok) { message(ack.message); return; }
      message("");
      callBooking = booking;
      L.show($("point-ringing"), false);
      L.text($("call-status"), L.t("call-connecting"));
      makeMesh();
      return L.request(socket, "call_parties", { session_id: sessionId }).then(function (got) {
        mesh.enter(got.ok ? got.parties.map(function (p) { return p.party; }) : ["host"]);
      });
    });
  });

  function makeMesh() {
    if (mesh) { mesh.close(); }
    mesh = new window.LiveMesh({
      socket: socket, sessionId: sessionId, self: "point", iceServers: iceServers,
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
          if (callBooking) { mesh.ready("host"); }
        }
      }
    });
    mesh.setAudioOnly($("audio-only").getAttribute("aria-pressed") === "true");
  }

  function endCall() {
    callBooking = null;
    if (mesh) { mesh.close(); mesh = null; }
    $("remote-video").srcObject = null;
    $("guest-videos").textContent = "";
    L.text($("call-status"), "");
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
