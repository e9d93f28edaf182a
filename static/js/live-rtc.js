/* A WebRTC call between the host and the called citizen, signalled over Socket.IO.
   The host makes the offer when the citizen says "ready"; both relay ICE candidates.
   Every signal carries the call's id ("call"), chosen by the host for each offer, so
   that the answer or candidates of an earlier attempt (a reload, a reconnection)
   never reach the connection that replaced it. */
(function () {
  "use strict";

  function newCallId() {
    var bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function LivePeer(options) {
    this.options = options;
    this.pending = [];
    this.callId = options.callId || null;
    var pc = new RTCPeerConnection({ iceServers: options.iceServers || [] });
    this.pc = pc;
    window.__liveRtc = pc;  // the page's current call, for diagnostics (getStats in the console)
    var self = this;
    if (options.localStream) {
      options.localStream.getTracks().forEach(function (track) {
        pc.addTrack(track, options.localStream);
      });
    }
    // Receive audio and video even when this side sends none.
    if (!options.localStream || !options.localStream.getVideoTracks().length) {
      pc.addTransceiver("video", { direction: "recvonly" });
    }
    if (!options.localStream || !options.localStream.getAudioTracks().length) {
      pc.addTransceiver("audio", { direction: "recvonly" });
    }
    pc.ontrack = function (event) {
      if (options.remoteVideo && event.streams[0]) {
        options.remoteVideo.srcObject = event.streams[0];
      }
      if (options.onTrack) { options.onTrack(event); }
    };
    pc.onicecandidate = function (event) {
      if (event.candidate) { self.send({ candidate: event.candidate.toJSON() }); }
    };
    pc.onconnectionstatechange = function () {
      if (options.onState) { options.onState(pc.connectionState); }
    };
  }

  LivePeer.prototype.send = function (data) {
    var payload = {};
    Object.keys(data).forEach(function (key) { payload[key] = data[key]; });
    if (this.callId) { payload.call = this.callId; }
    var message = { session_id: this.options.sessionId, data: payload };
    if (this.options.to) { message.to = this.options.to; }  // a party of a call of more than two
    this.options.socket.emit("signal", message);
  };

  /* True when ``data`` belongs to another call than this connection's. */
  LivePeer.prototype.isStale = function (data) {
    return Boolean(this.callId && data.call && data.call !== this.callId);
  };

  LivePeer.prototype.offer = function () {
    var pc = this.pc, self = this;
    return pc.createOffer().then(function (offer) {
      return pc.setLocalDescription(offer);
    }).then(function () {
      self.send({ sdp: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
    });
  };

  LivePeer.prototype.handle = function (data) {
    var pc = this.pc, self = this;
    if (this.isStale(data) || pc.signalingState === "closed") { return Promise.resolve(); }
    if (!this.callId && data.call) { this.callId = data.call; }
    return this.apply(data).catch(function (error) {
      if (self.options.onError) { self.options.onError(error); }
    });
  };

  LivePeer.prototype.apply = function (data) {
    var pc = this.pc, self = this;
    if (data.sdp) {
      return pc.setRemoteDescription(data.sdp).then(function () {
        self.pending.splice(0).forEach(function (c) { pc.addIceCandidate(c).catch(function () {}); });
        if (data.sdp.type !== "offer") { return null; }
        return pc.createAnswer().then(function (answer) {
          return pc.setLocalDescription(answer);
        }).then(function () {
          self.send({ sdp: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
        });
      });
    }
    if (data.candidate) {
      if (!pc.remoteDescription) {
        this.pending.push(data.candidate);
        return Promise.resolve();
      }
      return pc.addIceCandidate(data.candidate).catch(function () {});
    }
    return Promise.resolve();
  };

  LivePeer.prototype.close = function () {
    try { this.pc.close(); } catch (e) { /* already closed */ }
    if (this.options.remoteVideo) { this.options.remoteVideo.srcObject = null; }
  };

  LivePeer.newCallId = newCallId;
  window.LivePeer = LivePeer;
})();
