/* A call of up to four parties (the host, the citizen or their reception point, up to two
   guests): one RTCPeerConnection (a LivePeer) per other party, a full mesh.

   Party ids are the server's: "host", "citizen", "point", "guest:<n>". For each pair one
   side makes the offers: the host before the guests, the guests (by number) before the
   citizen or point. A party that enters the call offers to those it offers to and sends
   {ready} to the others, who then offer; an offerer answers every {ready} with a fresh
   connection (a reload, a reconnection). Each offer carries its call id (LivePeer), so a
   stale answer never reaches the connection that replaced it.

   With more than two parties every sender keeps to 360p and about 500 kbit/s
   (RTCRtpSender.setParameters); "audio only" stops sending video to everyone. */
(function () {
  "use strict";

  var MESH_MAX_BITRATE = 500000;  // bit/s per video stream when more than two are in the call
  var MESH_HEIGHT = 360;

  function rank(party) {
    if (party === "host") { return 0; }
    if (party.indexOf("guest:") === 0) { return 1 + Number(party.slice(6)) / 1e9; }
    return 2;  // the citizen or their point
  }

  function LiveMesh(options) {
    // {socket, sessionId, self, iceServers, localStream, onTrack(party, event, stream),
    //  onState(party, state), onPeer(party, peer)}
    this.options = options;
    this.peers = {};
    this.audioOnly = false;
    window.__liveMesh = this;
  }

  LiveMesh.prototype.offersTo = function (party) {
    return rank(this.options.self) < rank(party);
  };

  LiveMesh.prototype.count = function () { return Object.keys(this.peers).length; };

  LiveMesh.prototype.makePeer = function (party, callId) {
    var self = this, o = this.options;
    if (this.peers[party]) { this.peers[party].close(); }
    var peer = new window.LivePeer({
      socket: o.socket, sessionId: o.sessionId, iceServers: o.iceServers, to: party,
      callId: callId, localStream: o.localStream,
      onTrack: function (event) {
        if (self.peers[party] === peer && o.onTrack) { o.onTrack(party, event, event.streams[0]); }
      },
      onState: function (state) {
        if (self.peers[party] !== peer) { return; }
        if (state === "connected") { self.tune(); }
        if (o.onState) { o.onState(party, state); }
      }
    });
    this.peers[party] = peer;
    if (this.audioOnly) { this.applyAudioOnly(peer); }
    if (o.onPeer) { o.onPeer(party, peer); }
    this.tune();
    return peer;
  };

  /* Offer to ``party`` afresh (a new connection and call id). */
  LiveMesh.prototype.call = function (party) {
    return this.makePeer(party, window.LivePeer.newCallId()).offer();
  };

  /* Enter a call whose other parties are ``parties``: offer or ask for an offer. */
  LiveMesh.prototype.enter = function (parties) {
    var self = this;
    parties.forEach(function (party) {
      if (party === self.options.self) { return; }
      if (self.offersTo(party)) { self.call(party); } else { self.ready(party); }
    });
  };

  LiveMesh.prototype.ready = function (party) {
    this.options.socket.emit("signal", { session_id: this.options.sessionId, to: party,
                                         data: { ready: true } });
  };

  /* A relayed ``signal`` event for this page. */
  LiveMesh.prototype.handle = function (s) {
    var party = s.from, data = s.data || {};
    if (!party || party === this.options.self) { return; }
    if (data.ready) {
      if (this.offersTo(party)) { this.call(party); }
      return;
    }
    var peer = this.peers[party];
    var offer = data.sdp && data.sdp.type === "offer";
    if (offer && (!peer || peer.isStale(data))) {
      peer = this.makePeer(party, data.call || null);  // the other side restarted
    }
    if (peer) { peer.handle(data); }
  };

  LiveMesh.prototype.drop = function (party) {
    if (this.peers[party]) { this.peers[party].close(); delete this.peers[party]; }
    this.tune();
  };

  LiveMesh.prototype.close = function () {
    var self = this;
    Object.keys(this.peers).forEach(function (party) { self.peers[party].close(); });
    this.peers = {};
  };

  function videoSenders(peer) {
    return peer.pc.getSenders().filter(function (s) {
      return (s.track && s.track.kind === "video") || s.__liveVideo;
    });
  }

  /* More than two parties: each video stream at most 360p and 500 kbit/s. */
  LiveMesh.prototype.tune = function () {
    var many = this.count() >= 2, self = this;
    Object.keys(this.peers).forEach(function (party) {
      videoSenders(self.peers[party]).forEach(function (sender) {
        if (!sender.getParameters || !sender.setParameters) { return; }
        var params = sender.getParameters();
        if (!params.encodings || !params.encodings.length) { return; }  // not negotiated yet
        var height = sender.track && sender.track.getSettings ? sender.track.getSettings().height : 0;
        params.encodings.forEach(function (enc) {
          if (many) {
            enc.maxBitrate = MESH_MAX_BITRATE;
            enc.scaleResolutionDownBy = height > MESH_HEIGHT ? height / MESH_HEIGHT : 1;
          } else {
            delete enc.maxBitrate;
            enc.scaleResolutionDownBy = 1;
          }
        });
        sender.setParameters(params).catch(function () { /* kept as it was */ });
      });
    });
  };

  LiveMesh.prototype.applyAudioOnly = function (peer) {
    var stream = this.options.localStream;
    var video = stream ? stream.getVideoTracks()[0] : null;
    var off = this.audioOnly;
    videoSenders(peer).forEach(function (sender) {
      sender.__liveVideo = true;
      sender.replaceTrack(off ? null : video).catch(function () {});
    });
  };

  /* The one-tap "audio only": stop (or resume) sending video to every party. */
  LiveMesh.prototype.setAudioOnly = function (on) {
    var self = this;
    this.audioOnly = Boolean(on);
    Object.keys(this.peers).forEach(function (party) { self.applyAudioOnly(self.peers[party]); });
  };

  LiveMesh.rank = rank;
  window.LiveMesh = LiveMesh;
})();
