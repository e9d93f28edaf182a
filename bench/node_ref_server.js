// Reference server for bench/bench_stress.py: Node's socket.io (the npm package pinned in
// bench/package.json), WebSocket only, no per-message compression.
//
//   node bench/node_ref_server.js PORT
//
// It speaks the part of the /live protocol the stress client uses: a client connects with
// auth {token: "host"} or {token: "c<ticket>"}, emits `join` {session_id} (ack {ok, ticket}),
// and the host emits `call_next`; the server then sends every citizen its own `queue`
// payload (the shape of CONTRACT §5) in its own room, as the application does, and acks.
// GET /healthz answers 200 so the harness knows the server is up.
"use strict";

const http = require("http");
const { Server } = require("socket.io");

const port = Number(process.argv[2] || 8100);
const SLOT_SECONDS = 120;
const server = http.createServer((req, res) => {
  res.writeHead(req.url === "/healthz" ? 200 : 404, { "content-type": "text/plain" });
  res.end("ok");
});
const io = new Server(server, { transports: ["websocket"], perMessageDeflate: false,
  httpCompression: false, serveClient: false, maxHttpBufferSize: 1e6 });
const live = io.of("/live");
const sessions = new Map();  // session id -> {k, tickets: Set}

function payload(sessionId, ticket, k) {
  let state = "waiting", position = ticket - k, ahead = Math.max(0, ticket - k - 1);
  if (ticket < k) { state = "done"; position = 0; ahead = 0; }
  else if (ticket === k) { state = "called"; position = 0; ahead = 0; }
  return { session_id: sessionId, ticket: String(ticket).padStart(3, "0"), position, ahead,
    eta_seconds: state === "waiting" ? ahead * SLOT_SECONDS : 0, state };
}

live.on("connection", (socket) => {
  const token = String((socket.handshake.auth || {}).token || "");
  const ticket = token.startsWith("c") ? Number(token.slice(1)) : null;
  socket.on("join", (data, ack) => {
    const id = data && data.session_id;
    if (!sessions.has(id)) sessions.set(id, { k: 0, tickets: new Set() });
    const s = sessions.get(id);
    if (ticket !== null) {
      s.tickets.add(ticket);
      socket.join(`user:${ticket}:session:${id}`);
      socket.emit("queue", payload(id, ticket, s.k));
    }
    if (typeof ack === "function") ack({ ok: true, ticket: ticket === null ? undefined : String(ticket).padStart(3, "0") });
  });
  socket.on("call_next", (data, ack) => {
    const id = data && data.session_id, s = sessions.get(id);
    if (!s || ticket !== null) { if (typeof ack === "function") ack({ ok: false }); return; }
    s.k += 1;
    for (const t of s.tickets) live.to(`user:${t}:session:${id}`).emit("queue", payload(id, t, s.k));
    if (typeof ack === "function") ack({ ok: true, ticket: String(s.k).padStart(3, "0") });
  });
});

server.listen(port, "127.0.0.1");
