// Load client for bench/bench_stress.py: many citizens waiting in ONE session, spread over
// several Node processes (the official socket.io-client, WebSocket only, one connection each).
//
//   node bench/stress_client.js FIXTURE.json http://127.0.0.1:PORT [--procs 4]
//        [--rounds 20] [--warmup 2] [--pause-ms 400] [--batch 100]
//
// FIXTURE is {"sessions": [{"id", "host_token", "citizen_tokens": [...]}]} (the output of
// `flask seed-load`; only the first session is used). The main process holds the host;
// --procs worker processes hold the citizens. For each round the host emits `call_next`
// and the round ends when every worker reports that all its citizens concerned by the call
// have their new `queue` payload. The clock is CLOCK_MONOTONIC (process.hrtime), shared by
// all processes. Results are JSON lines on stdout, as for live_client.js.
"use strict";

const fs = require("fs");
const { fork } = require("child_process");
const { io } = require("socket.io-client");

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

function open(url, token) {
  return new Promise((resolve, reject) => {
    const socket = io(url + "/live", { transports: ["websocket"], auth: { token },
      reconnection: false, forceNew: true, timeout: 120000 });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => reject(err));
  });
}

function call(socket, event, data) {
  return new Promise((resolve) => {
    socket.timeout(120000).emit(event, data, (err, ack) => resolve(err ? { ok: false, error: "timeout" } : ack));
  });
}

function percentile(values, p) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// What the citizen with ticket number i must see after call k.
function expected(i, k, q) {
  if (i === k - 1) return q.state === "done";
  if (i === k) return q.state === "called";
  if (i > k) return q.state === "waiting" && q.position === i - k;
  return false;
}

// ---- worker: a slice of the citizens --------------------------------------------------
function worker() {
  let citizens = [], round = null;
  const finish = () => {
    process.send({ type: "done", k: round.k, lastAt: round.lastAt, got: round.seen.size });
  };
  process.on("message", async (msg) => {
    if (msg.type === "start") {
      const { url, sessionId, batch } = msg;
      citizens = msg.citizens;
      const t0 = now();
      for (let i = 0; i < citizens.length; i += batch) {
        await Promise.all(citizens.slice(i, i + batch).map(async (c) => { c.socket = await open(url, c.token); }));
      }
      const connectMs = now() - t0;
      for (const c of citizens) {
        c.socket.on("queue", (q) => {
          if (!round || round.seen.has(c.ticket) || !expected(c.ticket, round.k, q)) return;
          round.seen.add(c.ticket);
          round.lastAt = now();
          if (round.seen.size === round.needed) finish();
        });
      }
      const joinMs = [];
      for (let i = 0; i < citizens.length; i += batch) {
        joinMs.push(...await Promise.all(citizens.slice(i, i + batch).map(async (c) => {
          const start = now();
          const ack = await call(c.socket, "join", { session_id: sessionId });
          if (!ack || !ack.ok) throw new Error("join refused: " + JSON.stringify(ack));
          return now() - start;
        })));
      }
      process.send({ type: "ready", connectMs, joinMs });
    } else if (msg.type === "round") {
      const needed = citizens.filter((c) => c.ticket >= msg.k - 1).length;
      round = { k: msg.k, needed, seen: new Set(), lastAt: null };
      process.send({ type: "armed", k: msg.k });
      if (needed === 0) finish();
    } else if (msg.type === "close") {
      for (const c of citizens) c.socket.close();
      process.exit(0);
    }
  });
}

// ---- main: the host and the rounds ------------------------------------------------------
async function main() {
  const [fixturePath, url] = process.argv.slice(2, 4);
  const PROCS = option("--procs", 4), BATCH = option("--batch", 100);
  const WARMUP = option("--warmup", 2), PAUSE = option("--pause-ms", 400);
  const session = JSON.parse(fs.readFileSync(fixturePath, "utf8")).sessions[0];
  const ROUNDS = Math.min(option("--rounds", 20) + WARMUP, session.citizen_tokens.length);
  const citizens = session.citizen_tokens.map((token, index) => ({ token, ticket: index + 1 }));
  const workers = [];
  const waitAll = (type) => Promise.all(workers.map((w) => new Promise((resolve) => {
    const listener = (msg) => { if (msg.type === type) { w.off("message", listener); resolve(msg); } };
    w.on("message", listener);
  })));
  for (let p = 0; p < PROCS; p++) {
    const child = fork(__filename, ["--worker"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    child.on("exit", (code) => { if (code) { out({ type: "error", message: `worker exited ${code}` }); process.exit(1); } });
    workers.push(child);
  }
  const t0 = now();
  const ready = waitAll("ready");
  // Interleaved slices: every worker holds citizens from the front and the back of the queue.
  // Several servers (comma-separated URLs): the workers' citizens are dealt among them.
  const urls = url.split(",");
  workers.forEach((w, p) => w.send({ type: "start", url: urls[p % urls.length], sessionId: session.id, batch: Math.ceil(BATCH / PROCS),
    citizens: citizens.filter((_c, i) => i % PROCS === p).map(({ token, ticket }) => ({ token, ticket })) }));
  const readies = await ready;
  out({ type: "connected", clients: citizens.length + 1, ms: Math.max(...readies.map((r) => r.connectMs)) });
  const joinMs = readies.flatMap((r) => r.joinMs);
  const host = await open(urls[0], session.host_token);
  const hostAck = await call(host, "join", { session_id: session.id });
  if (!hostAck.ok) throw new Error("host join refused: " + JSON.stringify(hostAck));
  out({ type: "joined", ms: now() - t0, join_p50: percentile(joinMs, 50), join_p95: percentile(joinMs, 95) });
  await sleep(1000);
  for (let k = 1; k <= ROUNDS; k++) {
    if (k === WARMUP + 1) out({ type: "phase", name: "calls_start" });
    const armed = waitAll("armed"), done = waitAll("done");
    workers.forEach((w) => w.send({ type: "round", k }));
    await armed;
    const started = now();
    const ack = await call(host, "call_next", { session_id: session.id });
    const ackAt = now();
    const reports = await Promise.race([done, sleep(30000).then(() => null)]);
    const lastAt = reports ? Math.max(...reports.map((r) => r.lastAt || ackAt)) : null;
    out({ type: "call", k, warmup: k <= WARMUP, ok: !!(ack && ack.ok), ack_ms: ackAt - started,
      last_ms: reports ? lastAt - started : null, citizens: citizens.filter((c) => c.ticket >= k - 1).length });
    if (!reports) break;
    await sleep(PAUSE);
  }
  out({ type: "phase", name: "calls_end" });
  host.close();
  workers.forEach((w) => w.send({ type: "close" }));
  await sleep(200);
}

if (process.argv.includes("--worker")) {
  worker();
} else {
  main().then(() => process.exit(0)).catch((err) => {
    out({ type: "error", message: String((err && err.stack) || err) });
    process.exit(1);
  });
}
