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
    }
    serving = board.now_serving;
    var list = document.getElementById("next-tickets");
    list.textContent = "";
    board.next.forEach(function (ticket) {
      var li = document.createElement("li");
      li.textContent = ticket;
      list.appendChild(li);
    });
  });
})();
