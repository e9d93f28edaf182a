/* Records the host's calls (Decree 154/2026) and uploads them in chunks.
   One queue, processed strictly in order, holds the chunks of every take and the
   "finish" of each take: a failed upload is retried (the server keeps one file per
   index, so a retry is harmless) and never overtaken by a later chunk. */
(function () {
  "use strict";

  var TIMESLICE_MS = 4000;

  function pickType(video) {
    var types = video ? ["video/webm;codecs=vp8,opus", "video/webm"] : ["audio/webm;codecs=opus", "audio/webm"];
    for (var i = 0; i < types.length; i++) {
      if (window.MediaRecorder && MediaRecorder.isTypeSupported(types[i])) { return types[i]; }
    }
    return "";
  }

  function randomTake() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function LiveRecorder(options) {
    this.options = options;   // {chunkUrl(bookingId), finishUrl(bookingId), csrf, onStatus}
    this.queue = [];
    this.busy = false;
    this.current = null;
  }

  /* Start recording ``stream`` for ``bookingId`` (stops any take still running). */
  LiveRecorder.prototype.start = function (stream, bookingId) {
    this.stop();
    if (!window.MediaRecorder) { return; }
    var take = { id: randomTake(), bookingId: bookingId, next: 0 };
    var self = this;
    var type = pickType(stream.getVideoTracks().length > 0);
    var recorder;
    try {
      recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    } catch (e) {
      this.status("unsupported");
      return;
    }
    recorder.ondataavailable = function (event) {
      if (!event.data || !event.data.size) { return; }
      self.queue.push({ take: take, index: take.next++, blob: event.data });
      self.pump();
    };
    recorder.onstop = function () {
      self.queue.push({ take: take, finish: true });
      self.pump();
    };
    take.recorder = recorder;
    this.current = take;
    recorder.start(TIMESLICE_MS);
    this.status("recording");
  };

  LiveRecorder.prototype.stop = function () {
    if (this.current && this.current.recorder.state !== "inactive") {
      this.current.recorder.stop();
    }
    this.current = null;
  };

  LiveRecorder.prototype.status = function (kind, detail) {
    if (this.options.onStatus) { this.options.onStatus(kind, detail); }
  };

  LiveRecorder.prototype.send = function (item) {
    var o = this.options;
    var headers = { "X-CSRFToken": o.csrf };
    if (item.finish) {
      headers["Content-Type"] = "application/json";
      return fetch(o.finishUrl(item.take.bookingId), {
        method: "POST", credentials: "same-origin", headers: headers,
        body: JSON.stringify({ take: item.take.id, chunks: item.take.next })
      });
    }
    headers["Content-Type"] = "application/octet-stream";
    return fetch(o.chunkUrl(item.take.bookingId) + "?take=" + item.take.id + "&index=" +
                 item.index, { method: "POST", credentials: "same-origin", headers: headers,
                               body: item.blob });
  };

  LiveRecorder.prototype.pump = function () {
    if (this.busy || !this.queue.length) { return; }
    this.busy = true;
    var self = this, item = this.queue[0], delay = 1000;
    if (item.finish && item.take.next === 0) {
      // Nothing was recorded (the call ended at once): there is no take to finish.
      this.queue.shift();
      this.busy = false;
      this.status("empty");
      this.pump();
      return;
    }
    var attempt = function () {
      self.send(item).then(function (response) {
        if (response.status >= 500 || response.status === 0) { throw new Error("retry"); }
        return response.json().catch(function () { return {}; }).then(function (body) {
          self.queue.shift();
          if (item.finish && body.sha256) { self.status("saved", body.sha256); }
          self.busy = false;
          self.pump();
        });
      }).catch(function () {
        self.status("retrying");
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(attempt, delay);
      });
    };
    attempt();
  };

  window.LiveRecorder = LiveRecorder;
})();
