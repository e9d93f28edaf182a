/* The connection test: camera, microphone, the chime, the server loopback and STUN/TURN. */
(function () {
  "use strict";
  var L = window.LiveCommon;
  var root = document.getElementById("live-test");
  if (!root || !document.getElementById("test-media")) { return; }
  var $ = function (id) { return document.getElementById(id); };

  $("test-media").addEventListener("click", function () {
    L.getMedia(true).then(function (found) {
      $("test-preview").srcObject = found.stream;
      L.text($("media-result"), found.video ? L.t("camera-ok") : L.t("audio-only"));
      meter(found.stream);
    }).catch(function () { L.text($("media-result"), L.t("no-media")); });
  });

  $("test-sound").addEventListener("click", function () { L.chime(root.dataset.chimeUrl); });

  function meter(stream) {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context || !stream.getAudioTracks().length) { return; }
    var ctx = new Context();
    var analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    ctx.createMediaStreamSource(stream).connect(analyser);
    var data = new Uint8Array(analyser.fftSize);
    (function draw() {
      analyser.getByteTimeDomainData(data);
      var peak = 0;
      for (var i = 0; i < data.length; i++) { peak = Math.max(peak, Math.abs(data[i] - 128)); }
      $("mic-level").value = Math.min(100, Math.round(peak / 128 * 200));
      window.requestAnimationFrame(draw);
    })();
  }

  function result(text) {
    var li = document.createElement("li");
    li.textContent = text;
    $("net-results").appendChild(li);
  }

  $("test-network").addEventListener("click", function () {
    $("net-results").textContent = "";
    result(L.t("connecting"));
    var socket = L.connect();
    socket.on("connect", function () {
      var times = [];
      var round = function (n) {
        var sent = performance.now();
        L.request(socket, "echo", { t: sent }).then(function (ack) {
          if (ack.ok) { times.push(performance.now() - sent); }
          if (n > 1) { round(n - 1); return; }
          times.sort(function (a, b) { return a - b; });
          result(L.t("connected") + " · " + L.t("rtt", { ms: Math.round(times[Math.floor(times.length / 2)] || 0) }));
          socket.close();
          checkIce();
        });
      };
      round(5);
    });
  });

  /* Gather ICE candidates: a "srflx" or "relay" one means STUN or TURN answered. */
  function checkIce() {
    L.fetchJson(root.dataset.iceUrl).then(function (ice) {
      var pc = new RTCPeerConnection({ iceServers: ice.iceServers });
      var found = null;
      pc.createDataChannel("probe");
      pc.onicecandidate = function (event) {
        var c = event.candidate;
        if (c && /typ (srflx|relay)/.test(c.candidate)) { found = found || c.candidate.match(/typ (\w+)/)[1]; }
        if (!c) { finish(); }
      };
      var finished = false;
      var finish = function () {
        if (finished) { return; }
        finished = true;
        result(found ? L.t("stun-ok", { kind: found }) : L.t("stun-fail"));
        pc.close();
      };
      pc.createOffer().then(function (o) { return pc.setLocalDescription(o); });
      window.setTimeout(finish, 8000);
    }).catch(function () { result(L.t("stun-fail")); });
  }
})();
