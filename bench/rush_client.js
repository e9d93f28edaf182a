// Rush generator for bench/bench_booking.py: N clients released at once, each on its own
// new connection, each sending one request; the same shape for the bookings and /healthz.
//
//   node bench/rush_client.js SPEC.json
//
// SPEC is {"url": "http://127.0.0.1:PORT/path", "method": "POST"|"GET",
//          "requests": [{"headers": {...}, "body": {...} | null}, ...]}: one entry per client.
// Every request is started in the same tick, each opening its own connection. Prints one JSON line: wall time (ms) from the release to the last answer,
// every latency (ms) and status, and this process's CPU time (ms), so the report can
// show the generator was not the bottleneck.
"use strict";

const fs = require("fs");
const http = require("http");

const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const url = new URL(spec.url);
const now = () => Number(process.hrtime.bigint()) / 1e6;

function send(agent, item) {
  return new Promise((resolve) => {
    const body = item.body == null ? null : Buffer.from(JSON.stringify(item.body));
    const headers = Object.assign({ "Accept-Language": "vi" }, item.headers || {});
    if (body) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = body.length;
    }
    const started = now();
    const req = http.request({ agent, host: url.hostname, port: url.port,
      path: url.pathname + url.search, method: spec.method, headers }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve({ status: res.statusCode, ms: now() - started }));
    });
    req.on("error", () => resolve({ status: 0, ms: now() - started }));
    req.setTimeout(120000, () => req.destroy());
    req.end(body || undefined);
  });
}

async function main() {
  const cpu0 = process.cpuUsage();
  // One agent (one socket) per client.
  const agents = spec.requests.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const released = now();
  const results = await Promise.all(spec.requests.map((item, i) => send(agents[i], item)));
  const wall = now() - released;
  agents.forEach((agent) => agent.destroy());
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({
    wall_ms: wall, latencies_ms: results.map((r) => r.ms),
    statuses: results.map((r) => r.status), cpu_ms: (cpu.user + cpu.system) / 1000,
  }) + "\n");
}

main();
