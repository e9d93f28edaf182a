/* The minutes editor: autosave with optimistic concurrency (templates/minutes/_editor.html).
 *
 * Each save sends the version the writer edited. A 409 answer carries the current
 * text: the writer chooses to take it or to overwrite it with their own. Remote
 * versions arrive as "minutes:remote" events (the live room) or by polling.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 1200;
  var RETRY_MS = 5000;
  var editors = {};

  function fmt(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }

  function timeNow() {
    var d = new Date();
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function Editor(form) {
    this.form = form;
    this.data = form.dataset;
    this.version = parseInt(this.data.version, 10) || 0;
    this.readonly = this.data.readonly === "true";
    this.fields = {
      content: form.elements.namedItem("content"),
      conclusion: form.elements.namedItem("conclusion"),
      outcome: form.elements.namedItem("outcome")
    };
    this.status = form.querySelector(".minutes-status");
    this.conflict = form.querySelector(".minutes-conflict");
    this.theirs = null;
    this.remote = null;
    this.dirty = false;
    this.saving = false;
    this.pending = false;
    this.timer = null;
    this.edits = 0;
    this.bind();
  }

  Editor.prototype.bind = function () {
    var self = this;
    if (!self.readonly) {
      ["content", "conclusion", "outcome"].forEach(function (name) {
        var field = self.fields[name];
        if (!field) { return; }
        field.addEventListener(name === "outcome" ? "change" : "input", function () {
          self.changed();
        });
      });
      self.form.addEventListener("submit", function (event) {
        event.preventDefault();
        self.save();
      });
      window.addEventListener("beforeunload", function () {
        if (self.dirty) { self.save(true); }
      });
    } else {
      self.form.addEventListener("submit", function (event) { event.preventDefault(); });
    }
    self.form.addEventListener("click", function (event) {
      var action = event.target.getAttribute("data-action");
      if (action === "take-theirs") { self.takeTheirs(); }
      if (action === "keep-mine") { self.keepMine(); }
    });
    var poll = parseInt(self.data.pollSeconds, 10) || 0;
    if (poll > 0) {
      window.setInterval(function () { self.refresh(); }, poll * 1000);
    }
  };

  Editor.prototype.say = function (text) {
    if (this.status) { this.status.textContent = text; }
  };

  Editor.prototype.values = function () {
    return {
      content: this.fields.content ? this.fields.content.value : undefined,
      conclusion: this.fields.conclusion ? this.fields.conclusion.value : undefined,
      outcome: this.fields.outcome ? (this.fields.outcome.value || null) : undefined
    };
  };

  Editor.prototype.changed = function () {
    var self = this;
    self.dirty = true;
    self.edits += 1;
    self.say(self.data.msgUnsaved);
    window.clearTimeout(self.timer);
    if (self.theirs) { return; }  // wait for the writer to resolve the conflict
    self.timer = window.setTimeout(function () { self.save(); }, DEBOUNCE_MS);
  };

  Editor.prototype.save = function (leaving) {
    var self = this;
    if (self.readonly || self.theirs) { return; }
    if (self.saving) { self.pending = true; return; }
    window.clearTimeout(self.timer);
    var body = self.values();
    body.version = self.version;
    var editsAtSend = self.edits;
    self.saving = true;
    self.say(self.data.msgSaving);
    fetch(self.data.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!leaving,
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": self.data.csrf},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return {status: response.status, data: data}; },
                                  function () { return {status: response.status, data: {}}; });
    }).then(function (answer) {
      self.saving = false;
      if (answer.status === 200) {
        self.saved(answer.data, editsAtSend);
      } else if (answer.status === 409 && answer.data.current) {
        self.showConflict(answer.data.current);
      } else {
        self.say(answer.data.message || self.data.msgOffline);
      }
      if (answer.status !== 200) { self.applyRemote(); }
      if (self.pending) { self.pending = false; if (self.dirty) { self.save(); } }
    }).catch(function () {
      self.saving = false;
      self.say(self.data.msgOffline);
      self.timer = window.setTimeout(function () { self.save(); }, RETRY_MS);
    });
  };

  Editor.prototype.saved = function (payload, editsAtSend) {
    this.version = payload.version;
    if (this.edits === editsAtSend) { this.dirty = false; }
    this.say(fmt(this.data.msgSaved, {version: payload.version, time: timeNow()}));
    this.form.dispatchEvent(new CustomEvent("minutes:saved", {detail: payload, bubbles: true}));
    this.applyRemote();
  };

  /* A version pushed while a save was on its way: apply it if it is newer than ours. */
  Editor.prototype.applyRemote = function () {
    var remote = this.remote;
    this.remote = null;
    if (remote && !this.saving) { this.apply(remote); }
  };

  Editor.prototype.fill = function (payload) {
    if (this.fields.content) { this.fields.content.value = payload.content || ""; }
    if (this.fields.conclusion) { this.fields.conclusion.value = payload.conclusion || ""; }
    if (this.fields.outcome) { this.fields.outcome.value = payload.outcome || ""; }
    this.version = payload.version;
    this.dirty = false;
  };

  Editor.prototype.showConflict = function (current) {
    this.theirs = current;
    var pre = this.conflict.querySelector(".minutes-theirs");
    if (pre) {
      pre.textContent = (current.content || "") + "\n\n" + (current.conclusion || "");
    }
    this.conflict.hidden = false;
    this.conflict.focus();
  };

  Editor.prototype.takeTheirs = function () {
    if (!this.theirs) { return; }
    this.fill(this.theirs);
    this.theirs = null;
    this.conflict.hidden = true;
    this.say(fmt(this.data.msgSaved, {version: this.version, time: timeNow()}));
  };

  Editor.prototype.keepMine = function () {
    if (!this.theirs) { return; }
    this.version = this.theirs.version;
    this.theirs = null;
    this.conflict.hidden = true;
    this.save();
  };

  /* A newer version written elsewhere: show it unless the writer has unsaved edits. */
  Editor.prototype.apply = function (payload) {
    if (!payload || payload.version <= this.version) { return; }
    if (this.saving) {
      // Perhaps the echo of our own save: decide once its answer has come.
      this.remote = payload;
      return;
    }
    if (this.dirty && !this.readonly) {
      this.showConflict(payload);
      return;
    }
    this.fill(payload);
    this.say(fmt(this.data.msgUpdated, {version: payload.version,
                                        author: payload.updated_by || ""}));
  };

  Editor.prototype.refresh = function () {
    var self = this;
    fetch(self.data.dataUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (payload) { if (payload) { self.apply(payload); } })
      .catch(function () { /* the next poll tries again */ });
  };

  /* Whether the writer has edits not yet saved (or being saved). */
  Editor.prototype.busy = function () {
    return !this.readonly && (this.dirty || this.saving || Boolean(this.theirs));
  };

  function mount(form) {
    var id = form.dataset.bookingId;
    if (!editors[id] || editors[id].form !== form) { editors[id] = new Editor(form); }
    return editors[id];
  }

  document.querySelectorAll("[data-minutes-editor]").forEach(mount);

  window.MinutesEditor = {
    /* Start the editors inside ``root`` (a fragment inserted after the page loaded). */
    mount: function (root) {
      var found = [];
      (root || document).querySelectorAll("[data-minutes-editor]").forEach(function (form) {
        found.push(mount(form));
      });
      return found;
    },
    /* Apply a payload of minutes_payload(booking) pushed by the live room. */
    apply: function (payload) {
      var editor = payload && editors[String(payload.booking_id)];
      if (editor) { editor.apply(payload); }
    },
    get: function (bookingId) { return editors[String(bookingId)]; }
  };

  document.addEventListener("minutes:remote", function (event) {
    window.MinutesEditor.apply(event.detail);
  });
}());
