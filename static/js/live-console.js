/* The host and secretary consoles: the whole queue, calls, the video and its recording. */
(function () {
  "use strict";
  var L = window.LiveCommon;
  var root = document.getElementById("live-console");
  if (!root) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var role = root.dataset.role;
  var sessionId = Number(root.dataset.sessionId);
  var chimeUrl = root.dataset.chimeUrl;
  var cases = {};            // booking id -> case details (names masked as the server decides)
  var seenWaiting = null;    // booking ids already announced by a chime
  var state = null;          // the latest queue_state
  var socket = L.connect();
  var media = null, mesh = null, peerBooking = null, recorder = null, graceTimer = null;
  var messageKey = null;     // what the message box says, when the queue can contradict it

  function message(text, kind, key) {
    var box = $("console-message");
    box.className = "alert mt-2 alert-" + (kind || "info");
    L.text(box, text);
    L.show(box, Boolean(text));
    messageKey = key || null;
  }

  /* A message about the queue that the latest queue no longer supports goes away. */
  function dropStaleMessage(s) {
    if ((messageKey === "nobody" && s.waiting.length) || messageKey === "disconnected") {
      message("", "info");
    }
  }

  function loadCases() {
    return L.fetchJson(root.dataset.casesUrl).then(function (data) {
      cases = {};
      data.cases.forEach(function (c) { cases[c.booking_id] = c; });
    }).catch(function () { /* shown without details until the next change */ });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function caseLine(item) {
    var c = cases[item.booking_id] || {};
    var li = el("li", "live-queue-item");
    var head = el("div", "d-flex gap-2 align-items-baseline");
    head.appendChild(el("span", "live-queue-ticket", item.ticket));
    head.appendChild(el("span", "fw-semibold", c.citizen_name || ""));
    if (item.priority) { head.appendChild(el("span", "badge text-bg-warning", L.t("priority"))); }
    if (item.late) { head.appendChild(el("span", "badge text-bg-secondary", L.t("late"))); }
    if (item.requeued) { head.appendChild(el("span", "badge text-bg-info", L.t("requeued"))); }
    li.appendChild(head);
    if (c.matter_type) {
      li.appendChild(el("div", "small", L.t("matter-" + c.matter_type) + " — " +
                        (c.summary || "").slice(0, 140)));
    }
    return li;
  }

  function renderCurrent(current, waiting) {
    var box = $("current-case");
    box.textContent = "";
    if (!current) {
      box.appendChild(el("p", "text-muted mb-0", waiting
        ? L.t("none-called", { count: waiting }) : L.t("nobody")));
      return;
    }
    var c = cases[current.booking_id] || {};
    box.appendChild(el("div", "ticket", current.ticket));
    box.appendChild(el("div", "fw-semibold", (c.citizen_name || "") + " · " +
                       L.t("state-" + current.state)));
    if (c.matter_type) { box.appendChild(el("div", "", L.t("matter-" + c.matter_type))); }
    if (c.join_from) {
      box.appendChild(el("div", "small", c.join_from === "satellite"
        ? L.t("from-satellite") + ": " + c.satellite_point : L.t("from-home")));
    }
    if (c.summary) { box.appendChild(el("p", "live-summary mt-2", c.summary)); }
    if (role === "secretary") { renderFiles(box, c); }
  }

  // The minutes panel: the case being written (secretary) or read live (host).
  var minutesCase = null;    // booking id shown in the panel
  var minutesChosen = false; // the secretary picked a case: do not follow the queue

  function editorOf(bookingId) {
    return window.MinutesEditor && bookingId ? window.MinutesEditor.get(bookingId) : null;
  }

  function showMinutes(bookingId) {
    var panel = $("minutes-panel");
    if (!panel || !root.dataset.minutesPanelUrl || !bookingId || bookingId === minutesCase) {
      return;
    }
    var previous = editorOf(minutesCase);
    if (previous && previous.dirty) { previous.save(); }
    minutesCase = bookingId;
    var select = $("minutes-case");
    if (select) { select.value = String(bookingId); }
    fetch(root.dataset.minutesPanelUrl.replace("/0/panel", "/" + bookingId + "/panel"),
          { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        if (minutesCase !== bookingId) { return; }  // another case was chosen meanwhile
        var doc = new DOMParser().parseFromString(html, "text/html");
        panel.textContent = "";
        Array.prototype.slice.call(doc.body.childNodes).forEach(function (node) {
          panel.appendChild(document.importNode(node, true));
        });
        if (window.MinutesEditor) { window.MinutesEditor.mount(panel); }
      })
      .catch(function () {
        if (minutesCase === bookingId) { minutesCase = null; }
        L.text(panel, L.t("minutes-failed"));
      });
  }

  /* Follow the case being served, unless the secretary's text is not saved yet. */
  function followMinutes(current) {
    var note = $("minutes-follow");
    if (!current) { if (note) { L.show(note, false); } return; }
    if (current.booking_id === minutesCase) { if (note) { L.show(note, false); } return; }
    var open = editorOf(minutesCase);
    if (role === "secretary" && ((open && open.busy()) || minutesChosen)) {
      if (note) {
        L.text(note, L.t("minutes-follow", { ticket: current.ticket }));
        L.show(note, true);
      }
      return;
    }
    if (note) { L.show(note, false); }
    showMinutes(current.booking_id);
  }

  function renderCaseChoice(s) {
    var select = $("minutes-case");
    if (!select) { return; }
    var tickets = {};
    if (!s) { s = { waiting: [], closed: [], current: null }; }
    s.waiting.concat(s.closed, s.current ? [s.current] : []).forEach(function (item) {
      tickets[item.booking_id] = item.ticket;
    });
    var ids = Object.keys(cases).map(Number).sort(function (a, b) {
      return String(cases[a].ticket || tickets[a] || "").localeCompare(
        String(cases[b].ticket || tickets[b] || "")) || a - b;
    });
    select.textContent = "";
    var placeholder = el("option", "", L.t("choose-case"));
    placeholder.value = "";
    placeholder.disabled = true;
    select.appendChild(placeholder);
    ids.forEach(function (id) {
      var c = cases[id];
      var option = el("option", "", L.t("case-option", {
        ticket: c.ticket || tickets[id] || "—", name: c.citizen_name || c.tracking_code || "" }));
      option.value = String(id);
      select.appendChild(option);
    });
    select.value = minutesCase ? String(minutesCase) : "";
  }

  function renderFiles(box, c) {
    [["attachments", c.attachments || []], ["recordings", c.recordings || []]]
      .forEach(function (pair) {
        if (!pair[1].length) { return; }
        box.appendChild(el("div", "fw-semibold mt-2", L.t(pair[0])));
        var ul = el("ul", "small mb-0");
        pair[1].forEach(function (f) {
          var li = el("li");
          var label = f.name || ("#" + f.id + " · SHA-256 " + (f.sha256 || "").slice(0, 12));
          if (f.url) {
            var a = el("a", "", label);
            a.href = f.url;
            li.appendChild(a);
          } else { li.textContent = label; }
          ul.appendChild(li);
        });
        box.appendChild(ul);
      });
  }

  function renderButtons(current) {
    if (role !== "host") { return; }
    $("recall").disabled = !current;
    $("finish").disabled = !current;
    $("no-show").disabled = true;
    L.text($("grace-note"), "");
    window.clearInterval(graceTimer);
    if (!current || current.state !== "called") { return; }
    var from = Date.parse(current.no_show_from);
    var tick = function () {
      var left = Math.ceil((from - Date.now()) / 1000);
      $("no-show").disabled = left > 0;
      L.text($("grace-note"), left > 0 ? L.t("grace", { seconds: left }) : "");
      if (left <= 0) { window.clearInterval(graceTimer); }
    };
    graceTimer = window.setInterval(tick, 1000);
    tick();
  }

  function render(s) {
    state = s;
    var list = $("queue-list");
    list.textContent = "";
    s.waiting.forEach(function (item) { list.appendChild(caseLine(item)); });
    L.text($("waiting-count"), String(s.waiting.length));
    L.text($("not-checked-in"), s.not_checked_in ? "+" + s.not_checked_in : "");
    var closed = $("closed-list");
    closed.textContent = "";
    s.closed.forEach(function (item) {
      closed.appendChild(el("li", "", item.ticket + " · " + L.t("state-" + item.state)));
    });
    renderCurrent(s.current, s.waiting.length);
    dropStaleMessage(s);
    renderButtons(s.current);
    renderCaseChoice(s);
    renderRefuseChoice(s);
    followMinutes(s.current);
    if (!s.current || s.current.booking_id !== peerBooking) { hangUp(); }
  }

  // Who may be refused at the session: the citizen in the turn and those waiting.
  function renderRefuseChoice(s) {
    var select = $("refuse-case");
    if (!select) { return; }
    var chosen = select.value;
    select.textContent = "";
    var people = (s.current ? [s.current] : []).concat(s.waiting);
    select.appendChild(el("option", "", "—")).value = "";
    people.forEach(function (item) {
      var option = el("option", "", item.ticket);
      option.value = String(item.booking_id);
      option.dataset.ticket = item.ticket;
      if (option.value === chosen) { option.selected = true; }
      select.appendChild(option);
    });
  }

  function bindRefuse() {
    var form = $("refuse-form");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var select = $("refuse-case"), ground = $("refuse-ground").value;
      var option = select.options[select.selectedIndex];
      if (!option || !option.value || !ground) { return; }
      var ticket = option.dataset.ticket || "";
      if (!window.confirm(form.dataset.confirm.replace("{ticket}", ticket))) { return; }
      act("refuse", { booking_id: Number(option.value), ground: ground,
                      note: $("refuse-note").value.trim() }).then(function (ack) {
        if (ack.ok) {
          $("refuse-note").value = "";
          $("refuse-ground").value = "";
          message(form.dataset.done.replace("{ticket}", ticket), "success");
        }
      });
    });
  }
  bindRefuse();

  function onQueueState(s) {
    if (s.session_id !== sessionId) { return; }
    var ids = s.waiting.map(function (w) { return w.booking_id; });
    var unknown = ids.concat(s.current ? [s.current.booking_id] : [])
      .some(function (id) { return !cases[id]; });
    var fresh = seenWaiting ? s.waiting.filter(function (w) { return !seenWaiting[w.booking_id]; }) : [];
    seenWaiting = seenWaiting || {};
    ids.forEach(function (id) { seenWaiting[id] = true; });
    if (fresh.length) {
      L.chime(chimeUrl);
      message(L.t("checked-in", { ticket: fresh[fresh.length - 1].ticket }), "info");
    }
    (unknown ? loadCases() : Promise.resolve()).then(function () { render(s); });
  }

  L.watchConnection(socket, $("connection-status"));
  socket.on("connect", function () {
    L.request(socket, "join", { session_id: sessionId, as: role }).then(function (ack) {
      if (!ack.ok) { message(ack.message, "warning"); }
    });
  });
  socket.on("queue_state", onQueueState);
  // A version saved by the secretary (or another tab): the editors show it at once.
  socket.on("minutes", function (payload) {
    if (payload.session_id === sessionId && window.MinutesEditor) {
      window.MinutesEditor.apply(payload);
    }
  });
  if ($("minutes-case")) {
    // The cases are listed even when the room is closed (minutes written afterwards).
    loadCases().then(function () { if (!state) { renderCaseChoice(null); } });
    $("minutes-case").addEventListener("change", function (event) {
      var chosen = Number(event.target.value);
      minutesChosen = !(state && state.current && state.current.booking_id === chosen);
      showMinutes(chosen);
      L.show($("minutes-follow"), false);
    });
  }
  socket.on("announce", function (a) { message(a.message, "secondary"); });
  socket.on("room_status", function (s) {
    message(s.status === "held" ? L.t("room-held") : L.t("room-live"), "info");
  });

  function act(event, extra) {
    var data = { session_id: sessionId };
    Object.keys(extra || {}).forEach(function (k) { data[k] = extra[k]; });
    return L.request(socket, event, data).then(function (ack) {
      if (!ack.ok) { message(ack.message, "warning", ack.error === "timeout" ? "disconnected" : null); }
      return ack;
    });
  }

  if (role === "host") { setUpHost(); }
  setUpInvites();

  /* A one-time link for an interpreter, a lawyer, a representative or an agency officer
     to join the case being served (POST …/call-invites). */
  function setUpInvites() {
    var form = $("invite-form");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!state || !state.current) { L.text($("invite-result"), L.t("invite-no-case")); return; }
      var url = root.dataset.inviteUrl.replace("/cases/0/", "/cases/" + state.current.booking_id + "/");
      fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
        body: JSON.stringify({ role: $("invite-role").value, name: $("invite-name").value.trim() })
      }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (answer) {
        var link = $("invite-link");
        if (!answer.ok) {
          L.show(link, false);
          L.text($("invite-result"), answer.body.message || "");
          return;
        }
        link.value = answer.body.url;
        L.show(link, true);
        link.select();
        L.text($("invite-result"), L.t("invite-made", { time: answer.body.expires_at.slice(11, 16) }));
        $("invite-name").value = "";
      }).catch(function () { L.text($("invite-result"), L.t("invite-failed")); });
    });
  }

  function setUpHost() {
    recorder = new window.LiveRecorder({
      csrf: root.dataset.csrf,
      chunkUrl: function (id) {
        return root.dataset.recordingUrl.replace("/recordings/0/", "/recordings/" + id + "/");
      },
      finishUrl: function (id) {
        return root.dataset.recordingUrl.replace("/recordings/0/chunks", "/recordings/" + id + "/finish");
      },
      onStatus: function (kind, detail) {
        L.show($("recording-badge"), kind === "recording");
        if (kind === "saved") { L.text($("recording-status"), L.t("saved", { sha: detail.slice(0, 16) })); }
        if (kind === "retrying") { L.text($("recording-status"), L.t("upload-failed")); }
      }
    });
    $("call-next").addEventListener("click", function (event) {
      var button = event.currentTarget;
      // Calling the next citizen ends the current turn: never by a slip of the hand.
      if (state && state.current && !window.confirm(L.t("confirm-next", { ticket: state.current.ticket }))) {
        return;
      }
      button.disabled = true;
      L.primeChime(chimeUrl);
      ensureMedia().then(function () { return act("call_next"); }).then(function (ack) {
        button.disabled = false;
        if (ack.ok && ack.ticket === null && !(state && state.waiting.length)) {
          message(L.t("nobody"), "info", "nobody");
        }
      });
    });
    $("mute").addEventListener("click", toggleMute);
    if ($("audio-only")) {
      $("audio-only").addEventListener("click", function (event) {
        var on = event.currentTarget.getAttribute("aria-pressed") !== "true";
        event.currentTarget.setAttribute("aria-pressed", String(on));
        if (mesh) { mesh.setAudioOnly(on); }
      });
    }
    document.addEventListener("keydown", onShortcut);
    [["recall", "recall"], ["no-show", "mark_no_show"], ["finish", "finish"]].forEach(function (p) {
      $(p[0]).addEventListener("click", function () {
        if (state && state.current) { act(p[1], { booking_id: state.current.booking_id }); }
      });
    });
    $("open-session").addEventListener("click", function () { act("open_session"); });
    $("close-session").addEventListener("click", function () {
      if (window.confirm(L.t("confirm-close"))) { act("close_session"); }
    });
    $("announce-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = $("announce-text").value.trim();
      if (!text) { return; }
      act("announce", { message: text }).then(function (ack) {
        if (ack.ok) { $("announce-text").value = ""; message(L.t("announce-sent"), "success"); }
      });
    });
    socket.on("signal", onSignal);
  }

  function ensureMedia() {
    if (media) { return Promise.resolve(media); }
    return L.getMedia(true).then(function (found) {
      media = found;
      var self = $("local-video");
      self.muted = true;  // never hear oneself
      self.playsInline = true;
      self.srcObject = found.stream;
      self.play().catch(function () { /* autoplay starts it when allowed */ });
      applyMute();
      return found;
    }).catch(function () { return null; });
  }

  /* The citizen's side of the call: the citizen at home, or their reception point. */
  function isCitizenSide(party) { return party === "citizen" || party === "point"; }

  function onSignal(s) {
    if (!state || !state.current) { return; }
    var bookingId = state.current.booking_id;
    if (s.data && s.data.ready) {
      // The citizen (or point, or a guest) is ready: a fresh connection to them.
      meshFor(bookingId).then(function (m) {
        if (m && isCitizenSide(s.from)) {
          citizenParty = s.from;
          L.text($("call-status"), L.t("call-connecting"));
        }
        if (m) { m.call(s.from); }
      });
      return;
    }
    if (mesh && peerBooking === bookingId) { mesh.handle(s); }
  }

  var citizenParty = "citizen";   // "point" when the citizen joins from a reception point
  var meshPromise = null;

  /* The call's mesh for ``bookingId`` (a new one for a new case). */
  function meshFor(bookingId) {
    if (mesh && peerBooking === bookingId) { return Promise.resolve(mesh); }
    if (meshPromise && meshPromise.bookingId === bookingId) { return meshPromise; }
    var made = Promise.all([ensureMedia(), L.fetchJson(root.dataset.iceUrl)]).then(function (got) {
      if (!state || !state.current || state.current.booking_id !== bookingId) { return null; }
      hangUp();
      peerBooking = bookingId;
      var recorded = false;
      mesh = new window.LiveMesh({
        socket: socket, sessionId: sessionId, self: "host", iceServers: got[1].iceServers,
        localStream: media ? media.stream : null,
        onPeer: function (party, peer) {
          if (!isCitizenSide(party)) { return; }
          peer.pc.addEventListener("iceconnectionstatechange", showQuality);
          peer.pc.addEventListener("track", function (event) {
            event.track.addEventListener("mute", showQuality);
            event.track.addEventListener("unmute", showQuality);
            event.track.addEventListener("ended", showQuality);
            showQuality();
          });
        },
        onTrack: function (party, event, stream) {
          if (!stream) { return; }
          if (!isCitizenSide(party)) { showGuest(party, stream); mixIn(stream); return; }
          $("remote-video").srcObject = stream;
          if (recorded) { return; }
          recorded = true;
          var current = mesh;
          window.setTimeout(function () {
            // A newer call (the citizen reconnected) or a hang-up makes this one obsolete.
            if (mesh === current && peerBooking === bookingId) { record(stream, bookingId); }
          }, 500);
        },
        onState: function (party, st) {
          if (isCitizenSide(party)) {
            if (st === "connected") { L.text($("call-status"), L.t("call-connected")); }
            if (st === "failed") { L.text($("call-status"), L.t("call-failed")); }
            showQuality();
          }
        }
      });
      if ($("audio-only")) { mesh.setAudioOnly($("audio-only").getAttribute("aria-pressed") === "true"); }
      return mesh;
    });
    made.bookingId = bookingId;
    meshPromise = made;
    return made;
  }

  function showGuest(party, stream) {
    L.showGuest($("guest-videos"), party, stream, guestLabels[party]);
  }

  var guestLabels = {};
  socket.on("call_party", function (notice) {
    if (notice.session_id !== sessionId) { return; }
    guestLabels[notice.party] = notice.label;
    message(notice.message, "info");
  });

  /* One recording of the call: the citizen's picture, every voice mixed (WebAudio). */
  var mixing = null;   // {ctx, dest, streams: [ids]}
  var pendingMix = [];

  function mixIn(stream) {
    if (!stream.getAudioTracks().length) { return; }
    if (!mixing) { pendingMix.push(stream); return; }
    if (mixing.streams.indexOf(stream.id) >= 0) { return; }
    mixing.streams.push(stream.id);
    try { mixing.ctx.createMediaStreamSource(stream).connect(mixing.dest); } catch (e) { /* not mixed */ }
  }

  function record(remote, bookingId) {
    var tracks = remote.getVideoTracks().slice(0, 1);
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      mixing = { ctx: ctx, dest: ctx.createMediaStreamDestination(), streams: [] };
      [remote, media && media.stream].concat(pendingMix.splice(0)).forEach(function (stream) {
        if (stream) { mixIn(stream); }
      });
      tracks = tracks.concat(mixing.dest.stream.getAudioTracks());
    } catch (e) {
      mixing = null;
      tracks = tracks.concat(remote.getAudioTracks());
    }
    recorder.start(new MediaStream(tracks), bookingId);
  }

  /* "Kết nối kém" when the connection falters, "Chỉ có âm thanh" without a live picture. */
  function showQuality() {
    var badge = $("call-quality");
    if (!badge) { return; }
    var word = "";
    var peer = mesh && mesh.peers[citizenParty];
    if (peer) {
      var pc = peer.pc;
      var stream = $("remote-video").srcObject;
      var pictures = stream ? stream.getVideoTracks().filter(function (t) {
        return t.readyState === "live" && !t.muted;
      }) : [];
      if (pc.connectionState === "disconnected" || pc.iceConnectionState === "disconnected") {
        word = L.t("poor-connection");
      } else if (pc.connectionState === "connected" && !pictures.length) {
        word = L.t("audio-only-call");
      }
    }
    badge.dataset.state = word ? (word === L.t("poor-connection") ? "poor" : "audio-only") : "";
    L.text(badge, word);
    L.show(badge, Boolean(word));
  }

  var muted = false;

  function applyMute() {
    if (media) { media.stream.getAudioTracks().forEach(function (t) { t.enabled = !muted; }); }
    var button = $("mute");
    if (!button) { return; }
    button.setAttribute("aria-pressed", String(muted));
    button.firstChild.textContent = (muted ? L.t("unmute") : L.t("mute")) + " ";
  }

  function toggleMute() {
    muted = !muted;
    applyMute();
  }

  /* N: call the next citizen, E: end the turn, M: microphone; never while typing. */
  function onShortcut(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var button = { n: "call-next", e: "finish", m: "mute" }[String(event.key).toLowerCase()];
    if (!button || $(button).disabled) { return; }
    event.preventDefault();
    $(button).click();
  }

  function hangUp() {
    if (mesh) { mesh.close(); mesh = null; }
    meshPromise = null;
    showQuality();
    if (recorder) { recorder.stop(); }
    if (mixing) { mixing.ctx.close().catch(function () {}); mixing = null; }
    pendingMix = [];
    if ($("guest-videos")) { $("guest-videos").textContent = ""; }
    if ($("remote-video")) { $("remote-video").srcObject = null; }
    peerBooking = null;
  }
})();
