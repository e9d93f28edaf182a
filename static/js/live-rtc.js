/* A WebRTC call between the host and the called citizen, signalled over Socket.IO.
   The host makes the offer when the citizen says "ready"; both relay ICE candidates. */
(function () {
  "use strict";

  function LivePeer(options) {
    this.options = options;
    this.pending = [];
    var pc = new RTCPeerConnection({ iceServers: options.iceServers || [] });
    this.pc = pc;
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
    this.options.socket.emit("signal", { session_id: this.options.sessionId, data: data });
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

  window.LivePeer = LivePeer;
})();
