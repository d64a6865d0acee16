/**
 * The bench's load generator, run as its own process so its CPU is not the server's: closed loop,
 * `concurrency` keep-alive connections, each request taken in turn from a prepared list (so every
 * callback is a fresh one, not a duplicate), until the list is used up or `seconds` have passed.
 *
 *   node scripts/bench-load.mjs <spec.json>
 *   spec: { base, concurrency, seconds, warmup, requests: [{ method, path, headers?, body? }] }
 *
 * The first `warmup` requests are sent but not counted. Prints one JSON line: rps, p50, p99, errors, n.
 *
 * With `rate` (requests per second) the run is open-loop instead: request i is due at
 * start + i / rate whatever the earlier ones are doing, and its latency counts from when it was
 * due, not from when a free connection sent it (so a stalled server cannot hide its queue —
 * "coordinated omission"); `concurrency` then caps the connections, not the requests in flight.
 */
import fs from 'node:fs';
import http from 'node:http';

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const base = new URL(spec.base);
const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
const reqs = spec.requests;

function send(r, due = performance.now()) {
  return new Promise((resolve) => {
    const t = due;
    const req = http.request({ host: base.hostname, port: base.port, path: r.path, method: r.method, headers: r.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ok: res.statusCode === 200, ms: performance.now() - t }));
    });
    req.on('error', () => resolve({ ok: false, ms: performance.now() - t }));
    req.end(r.body);
  });
}

async function phase(from, to, deadline) {
  let next = from;
  const lat = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      while (next < to && performance.now() < deadline) {
        const r = await send(reqs[next++]);
        if (r.ok) lat.push(r.ms);
        else errors++;
      }
    }),
  );
  return { lat, errors, elapsed: (performance.now() - started) / 1000, used: next };
}

async function openPhase(from, to, deadline) {
  const lat = [];
  let errors = 0;
  const started = performance.now();
  const pending = [];
  let next = from;
  for (; next < to; next++) {
    const due = started + ((next - from) * 1000) / spec.rate;
    if (due >= deadline) break;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      send(reqs[next], due).then((r) => {
        if (r.ok) lat.push(r.ms);
        else errors++;
      }),
    );
  }
  await Promise.all(pending);
  return { lat, errors, elapsed: (performance.now() - started) / 1000, used: next };
}

const warm = await phase(0, Math.min(spec.warmup, reqs.length), performance.now() + 5_000);
const run = spec.rate
  ? await openPhase(warm.used, reqs.length, performance.now() + spec.seconds * 1000)
  : await phase(warm.used, reqs.length, performance.now() + spec.seconds * 1000);
agent.destroy();
run.lat.sort((a, b) => a - b);
const q = (p) => Number((run.lat[Math.min(run.lat.length - 1, Math.floor(p * run.lat.length))] ?? 0).toFixed(2));
console.log(
  JSON.stringify({
    rps: Math.round(run.lat.length / run.elapsed),
    p50: q(0.5),
    p99: q(0.99),
    errors: run.errors + warm.errors,
    n: run.lat.length,
    seconds: Number(run.elapsed.toFixed(2)),
    exhausted: run.used >= reqs.length,
  }),
);
