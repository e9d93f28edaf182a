// HTTP load generator for bench/bench_pages.py: N keep-alive connections, each sending its
// next GET as soon as the previous answer is read (closed loop), for a fixed time.
//
//   node bench/http_load.js URL [--connections 50] [--seconds 8] [--warmup-seconds 1]
//
// Prints one JSON line: requests, requests/s, p50/p95/p99 latency (ms), statuses, and the
// CPU time this process used, so the report can show the generator was not the bottleneck.
"use strict";

const http = require("http");

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const url = new URL(process.argv[2]);
const CONNECTIONS = option("--connections", 50);
const SECONDS = option("--seconds", 8), WARMUP = option("--warmup-seconds", 1);
const now = () => Number(process.hrtime.bigint()) / 1e6;

function get(agent) {
  return new Promise((resolve) => {
    const req = http.get({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search,
      headers: { "Accept-Language": "vi" } }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", () => resolve(0));
    req.setTimeout(30000, () => req.destroy());
  });
}

async function connection(agent, until, record) {
  while (now() < until) {
    const started = now();
    const status = await get(agent);
    record(status, now() - started, started);
  }
}

async function main() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies = [], statuses = {};
  const begin = now(), measureFrom = begin + WARMUP * 1000, until = measureFrom + SECONDS * 1000;
  let cpu = null;
  const record = (status, ms, started) => {
    if (started < measureFrom) return;
    if (cpu === null) cpu = process.cpuUsage();
    latencies.push(ms);
    statuses[status] = (statuses[status] || 0) + 1;
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, () => connection(agent, until, record)));
  const wall = (now() - measureFrom) / 1000;
  const used = process.cpuUsage(cpu || undefined);
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : null;
  process.stdout.write(JSON.stringify({ requests: latencies.length, rps: latencies.length / wall,
    p50: q(0.5), p95: q(0.95), p99: q(0.99), statuses, seconds: wall,
    client_cpu_percent: 100 * (used.user + used.system) / 1e6 / wall }) + "\n");
  agent.destroy();
}

main();
