// Load client for bench/bench_live.py: the official socket.io-client, WebSocket only.
//
//   node bench/live_client.js FIXTURE.json http://127.0.0.1:PORT[,http://...] [--interval-ms 3000]
//        [--rounds 12] [--batch 100]
//
// FIXTURE is the output of `flask seed-load`. Every citizen and host opens its own
// connection (forceNew) with auth {token}, joins its session, then each host calls
// the next citizen every --interval-ms (hosts staggered over the interval). For each
// call it measures the ack and the time until the LAST citizen of the session whose
// place changed has received its new `queue` event. Results are JSON lines on stdout.
"use strict";

const fs = require("fs");
const { io } = require("socket.io-client");

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

// URL may be a comma-separated list of servers (several processes sharing a Redis queue):
// citizens and hosts are dealt to them in turn, as a load balancer without stickiness by
// session would, so a call on one process must reach citizens on the others.
const [fixturePath, urlList] = process.argv.slice(2, 4);
const urls = urlList.split(",");
let dealt = 0;
const INTERVAL = option("--interval-ms", 3000);
const BATCH = option("--batch", 100);
const fixture = JSON.parse(fs.readFileSync(fixturePath, "utf8"));
const ROUNDS = Math.min(option("--rounds", 12), ...fixture.sessions.map((s) => s.citizen_tokens.length));
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function open(token) {
  return new Promise((resolve, reject) => {
    const url = urls[dealt++ % urls.length];
    const socket = io(url + "/live", {
      transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true,
      timeout: 60000,
    });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => reject(err));
  });
}

function call(socket, event, data) {
  return new Promise((resolve) => {
    socket.timeout(60000).emit(event, data, (err, ack) => resolve(err ? { ok: false, error: "timeout" } : ack));
  });
}

async function inBatches(items, work) {
  const results = [];
  for (let i = 0; i < items.length; i += BATCH) {
    results.push(...(await Promise.all(items.slice(i, i + BATCH).map(work))));
  }
  return results;
}

function percentile(values, p) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// What citizen i (1-based ticket) must see after call k of its session.
function expected(i, k, q) {
  if (i === k - 1) return q.state === "done";
  if (i === k) return q.state === "called";
  if (i > k) return q.state === "waiting" && q.position === i - k;
  return false;
}

async function main() {
  const sessions = fixture.sessions.map((s) => ({ id: s.id, hostToken: s.host_token,
    citizens: s.citizen_tokens.map((token, index) => ({ token, ticket: index + 1 })), call: null }));
  const citizens = sessions.flatMap((s) => s.citizens.map((c) => Object.assign(c, { session: s })));

  let t0 = now();
  await inBatches(citizens, async (c) => { c.socket = await open(c.token); });
  await inBatches(sessions, async (s) => { s.host = await open(s.hostToken); });
  out({ type: "connected", clients: citizens.length + sessions.length, ms: now() - t0 });

  for (const c of citizens) {
    c.socket.on("queue", (q) => {
      const s = c.session, k = s.call && s.call.k;
      if (!k || c.ticket < k - 1 || s.call.seen.has(c.ticket) || !expected(c.ticket, k, q)) return;
      s.call.seen.add(c.ticket);
      s.call.lastAt = now();
      if (s.call.seen.size === s.call.needed) s.call.resolve();
    });
  }
  t0 = now();
  const joinMs = await inBatches(citizens, async (c) => {
    const start = now();
    const ack = await call(c.socket, "join", { session_id: c.session.id });
    if (!ack.ok) throw new Error("join refused: " + JSON.stringify(ack));
    return now() - start;
  });
  await inBatches(sessions, (s) => call(s.host, "join", { session_id: s.id }));
  out({ type: "joined", ms: now() - t0, join_p50: percentile(joinMs, 50), join_p95: percentile(joinMs, 95) });
  await sleep(1500);  // let the check-in broadcasts settle

  out({ type: "phase", name: "calls_start", at: Date.now() });
  const calls = await Promise.all(sessions.map((s, index) => hostLoop(s, index * INTERVAL / sessions.length)));
  out({ type: "phase", name: "calls_end", at: Date.now() });
  for (const socket of [...citizens.map((c) => c.socket), ...sessions.map((s) => s.host)]) socket.close();
  const flat = calls.flat();
  out({ type: "summary", calls: flat.length, timeouts: flat.filter((c) => c.last_ms === null).length });
}

async function hostLoop(s, offset) {
  await sleep(offset);
  const results = [];
  for (let k = 1; k <= ROUNDS; k++) {
    const started = now();
    const needed = s.citizens.filter((c) => c.ticket >= k - 1).length;
    let resolve;
    const done = new Promise((r) => { resolve = r; });
    s.call = { k, seen: new Set(), needed, lastAt: null, resolve };
    const ack = await call(s.host, "call_next", { session_id: s.id });
    const ackAt = now();
    const complete = await Promise.race([done.then(() => true), sleep(30000).then(() => false)]);
    const result = { type: "call", session: s.id, k, ticket: ack.ticket, ack_ms: ackAt - started,
      last_ms: complete ? s.call.lastAt - started : null,
      after_ack_ms: complete ? Math.max(0, s.call.lastAt - ackAt) : null, citizens: needed };
    out(result);
    results.push(result);
    const wait = started + INTERVAL - now();
    if (wait > 0) await sleep(wait);
  }
  return results;
}

main().then(() => process.exit(0)).catch((err) => {
  out({ type: "error", message: String(err && err.stack || err) });
  process.exit(1);
});
