/* The public display board: the ticket being served and the next ones. */
(function () {
  "use strict";
  var L = window.LiveCommon;
  var root = document.getElementById("live-board");
  if (!root) { return; }
  var sessionId = Number(root.dataset.sessionId);
  var status = document.getElementById("board-status");
  var socket = L.connect();
  var serving = null;
  var DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];

  /* A ticket read digit by digit ("002": "không không hai"), never as a number. */
  function spokenTicket(ticket) {
    return String(ticket).split("").map(function (c) {
      return /[0-9]/.test(c) ? DIGITS[Number(c)] : c;
    }).join(" ");
  }

  /* A new call: the chime, then the ticket spoken in Vietnamese where the browser can. */
  function announce(ticket) {
    var words = L.t("next-call", { ticket: spokenTicket(ticket) });
    root.dataset.spoken = words;
    L.chime(root.dataset.chimeUrl);
    if (!window.speechSynthesis || !window.SpeechSynthesisUtterance) { return; }
    window.setTimeout(function () {
      var say = new window.SpeechSynthesisUtterance(words);
      say.lang = "vi-VN";
      var voice = window.speechSynthesis.getVoices().filter(function (v) {
        return /^vi/i.test(v.lang);
      })[0];
      if (voice) { say.voice = voice; }
      say.rate = 0.9;
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(say);
    }, 1200);  // after the chime
  }

  L.watchConnection(socket, status);
  socket.on("connect", function () {
    L.request(socket, "join", { session_id: sessionId, as: "display" }).then(function (ack) {
      if (!ack.ok) { L.text(status, ack.message); }
    });
  });
  socket.on("room_status", function (s) {
    L.text(status, s.status === "held" ? L.t("room-held") : L.t("room-live"));
  });
  socket.on("board", function (board) {
    if (board.session_id !== sessionId) { return; }
    var now = document.getElementById("now-serving");
    L.text(now, board.now_serving || "—");
    if (board.now_serving && board.now_serving !== serving) {
      now.classList.remove("flash");
      void now.offsetWidth;  // restart the animation
      now.classList.add("flash");
      if (serving !== null) { announce(board.now_serving); }
    }
    serving = board.now_serving || "";
    var list = document.getElementById("next-tickets");
    list.textContent = "";
    board.next.forEach(function (ticket) {
      var li = document.createElement("li");
      li.textContent = ticket;
      list.appendChild(li);
    });
  });
})();
