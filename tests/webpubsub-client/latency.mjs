// End-to-end latency of the local live pipeline: publish → Event Hubs stand-in → IngestTicks → Web PubSub → client.
//
//   node latency.mjs --event-hubs "$EventHubConnection" --web-pubsub "$WebPubSubConnection" \
//        [--rate 5000] [--duration 30] [--warmup 10] [--symbols 20] [--round-ms 10] [--protocol json|reliable] [--out FILE]
//
// Needs a running local platform (`bash infra/local/run.sh bench` starts one, runs this and stops it). A worker thread
// publishes ticks for symbols LAT00, LAT01, … through the Event Hubs REST send API (what the platform's
// EventHubPublisher sends: a batch per symbol with the symbol as partition key, SAS-signed), at --rate ticks per second
// in rounds of --round-ms, at most one request in flight per symbol so each symbol's ticks stay in order. Every tick
// carries the wall-clock time of its request as `time` and a per-symbol `seq`. The main thread is a dashboard client
// (the official @azure/web-pubsub-client) joined to `quotes.{SYMBOL}`: IngestTicks pushes one quote per symbol and
// batch, carrying the newest tick's `seq`, so a quote with seq S is the moment every tick up to S is visible to the
// subscriber. A tick's latency is that moment minus the moment its request started (sub-millisecond clocks of both
// threads, on the same time origin). A warm-up of --warmup seconds at the same rate comes first and is not counted:
// the partitions' cold start (state loaded from storage) and the JIT leave a backlog, and the measured run starts
// once the subscriber has seen every warm-up tick. Prints p50, p90, p99, p99.9, max, the achieved publish rate and
// whether the publisher kept up (the longest a tick waited in the publisher before its request started).
import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { loadavg, cpus } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const now = () => performance.timeOrigin + performance.now();

function settings(text) {
  return Object.fromEntries(
    (text ?? "")
      .split(";")
      .filter((p) => p.includes("="))
      .map((p) => [p.slice(0, p.indexOf("=")).trim(), p.slice(p.indexOf("=") + 1).trim()]),
  );
}

if (isMainThread) {
  await main();
} else {
  await publish(workerData);
}

// ------------------------------------------------------------------------------------------------------------------
// Publisher (worker thread)

async function publish({ endpoint, keyName, key, hub, symbols, rate, durationMs, roundMs, warmupMs }) {
  const target = `${endpoint}/${hub}/messages?api-version=2014-01&timeout=60`;
  const resource = encodeURIComponent(`${endpoint.replace(/^http/, "sb")}/${hub}`.toLowerCase());
  let token = "";
  let tokenExpiry = 0;
  const authorization = () => {
    const seconds = Math.floor(Date.now() / 1000);
    if (seconds > tokenExpiry - 300) {
      tokenExpiry = seconds + 3600;
      const signature = createHmac("sha256", Buffer.from(key, "utf8")).update(`${resource}\n${tokenExpiry}`).digest("base64");
      token = `SharedAccessSignature sr=${resource}&sig=${encodeURIComponent(signature)}&se=${tokenExpiry}&skn=${keyName}`;
    }
    return token;
  };

  const state = symbols.map((symbol, i) => ({ symbol, index: i, seq: 0, price: 100 + i, queue: [], busy: false }));
  let start = 0;
  let generated = 0;
  let sent = 0;
  let requests = 0;
  let failedRequests = 0;
  let lostTicks = 0;
  let maxWaitMs = 0; // longest a tick waited in the publisher before its request started
  let lastError = null;
  let inFlight = 0;

  function generate(t) {
    const due = Math.floor((rate * (t - start)) / 1000);
    for (; generated < due; generated++) {
      const s = state[generated % state.length];
      s.price = Math.round(s.price * (1 + (Math.random() - 0.5) * 4e-4) * 100) / 100;
      s.queue.push({ seq: ++s.seq, price: s.price, due: start + (generated * 1000) / rate });
    }
  }

  function flush() {
    for (const s of state) {
      if (s.busy || s.queue.length === 0) continue;
      const ticks = s.queue.splice(0, 1000);
      const stamp = now();
      const time = Math.floor(stamp);
      maxWaitMs = Math.max(maxWaitMs, stamp - ticks[0].due);
      const body = JSON.stringify(
        ticks.map((t) => ({ Body: `{"symbol":"${s.symbol}","time":${time},"price":${t.price},"size":1,"seq":${t.seq}}` })),
      );
      parentPort.postMessage({ type: "batch", symbol: s.index, first: ticks[0].seq, last: ticks[ticks.length - 1].seq, stamp });
      s.busy = true;
      inFlight++;
      requests++;
      fetch(target, {
        method: "POST",
        headers: {
          Authorization: authorization(),
          "Content-Type": "application/vnd.microsoft.servicebus.json",
          BrokerProperties: JSON.stringify({ PartitionKey: s.symbol }),
        },
        body,
      })
        .then(async (response) => {
          await response.arrayBuffer();
          if (response.status !== 201) throw new Error(`HTTP ${response.status}`);
          sent += ticks.length;
        })
        .catch((error) => {
          failedRequests++;
          lostTicks += ticks.length;
          lastError = String(error?.message ?? error);
          parentPort.postMessage({ type: "lost", symbol: s.index, first: ticks[0].seq, last: ticks[ticks.length - 1].seq });
        })
        .finally(() => {
          s.busy = false;
          inFlight--;
          flush(); // what queued meanwhile goes at once
        });
    }
  }

  // Publishes at the rate for a while, then waits for the last requests.
  async function phase(milliseconds) {
    start = now();
    generated = 0;
    const sentBefore = sent;
    await new Promise((resolve) => {
      const timer = setInterval(() => {
        const t = now();
        if (t - start >= milliseconds) {
          clearInterval(timer);
          resolve();
          return;
        }
        generate(t);
        flush();
      }, roundMs);
    });
    const elapsedMs = now() - start;
    while (inFlight > 0 || state.some((s) => s.queue.length > 0)) {
      flush();
      await new Promise((r) => setTimeout(r, 5));
    }
    return { sent: sent - sentBefore, generated, elapsedMs };
  }

  // Warm-up (JIT, cold partitions), then the main thread waits until every warm-up tick has been seen, then the run.
  if (warmupMs > 0) {
    const warm = await phase(warmupMs);
    parentPort.postMessage({ type: "warm", ...warm });
    await new Promise((resolve) => parentPort.once("message", resolve));
  }
  requests = 0;
  maxWaitMs = 0;
  const run = await phase(durationMs);
  parentPort.postMessage({ type: "done", ...run, requests, failedRequests, lostTicks, maxWaitMs, lastError });
}

// ------------------------------------------------------------------------------------------------------------------
// Subscriber and report (main thread)

async function main() {
  const { values } = parseArgs({
    options: {
      "event-hubs": { type: "string", default: process.env.EventHubConnection ?? "" },
      "web-pubsub": { type: "string", default: process.env.WebPubSubConnection ?? "" },
      hub: { type: "string", default: process.env.WebPubSubHub || "market" },
      "ticks-hub": { type: "string", default: process.env.TicksHubName || "ticks" },
      rate: { type: "string", default: "5000" },
      duration: { type: "string", default: "30" },
      warmup: { type: "string", default: "10" },
      symbols: { type: "string", default: "20" },
      "round-ms": { type: "string", default: "10" },
      protocol: { type: "string", default: "json" },
      out: { type: "string" },
    },
  });
  const fail = (message) => {
    process.stderr.write(`latency: ${message}\n`);
    process.exit(1);
  };
  const number = (name, min, max) => {
    const v = Number(values[name]);
    if (!Number.isFinite(v) || v < min || v > max) fail(`--${name} must be a number from ${min} to ${max}; got '${values[name]}'`);
    return v;
  };
  const rate = number("rate", 1, 100000);
  const duration = number("duration", 1, 3600);
  const warmup = number("warmup", 0, 600);
  const symbolCount = number("symbols", 1, 100);
  const roundMs = number("round-ms", 1, 1000);
  if (!["json", "reliable"].includes(values.protocol)) fail(`--protocol must be json or reliable; got '${values.protocol}'`);
  const eventHubs = settings(values["event-hubs"]);
  const webPubSub = settings(values["web-pubsub"]);
  if (!eventHubs.Endpoint || !eventHubs.SharedAccessKey) fail("--event-hubs (or EventHubConnection) must be the Event Hubs connection string serve prints");
  if (!webPubSub.Endpoint || !webPubSub.AccessKey) fail("--web-pubsub (or WebPubSubConnection) must be the Web PubSub connection string serve prints");

  const { WebPubSubClient, WebPubSubJsonProtocol, WebPubSubJsonReliableProtocol } = await import("@azure/web-pubsub-client");
  const symbols = Array.from({ length: symbolCount }, (_, i) => `LAT${String(i).padStart(2, "0")}`);
  const wpsEndpoint = webPubSub.Endpoint.replace(/\/+$/, "");
  const b64url = (data) => Buffer.from(data).toString("base64url");
  const seconds = Math.floor(Date.now() / 1000);
  const claims = { aud: `${wpsEndpoint}/client/hubs/${values.hub}`, iat: seconds, exp: seconds + 7200, sub: "latency", role: ["webpubsub.joinLeaveGroup"] };
  const input = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
  const jwt = `${input}.${createHmac("sha256", Buffer.from(webPubSub.AccessKey, "utf8")).update(input).digest("base64url")}`;
  const url = `${wpsEndpoint.replace(/^http/, "ws")}/client/hubs/${values.hub}?access_token=${jwt}`;

  // Per symbol: request ranges not yet seen in a quote, and the newest quote. Ticks stamped before `countFrom` (the
  // warm-up) are tracked but not counted.
  const pending = symbols.map(() => []);
  const lastQuote = symbols.map(() => ({ seq: 0, at: 0 }));
  const latencies = [];
  let start = 0;
  let countFrom = Infinity;
  let quotes = 0;
  let unresolved = 0;

  function record(range, seq, at) {
    const covered = Math.min(range.last, seq) - range.first + 1;
    if (range.stamp >= countFrom) {
      const value = at - range.stamp;
      for (let i = 0; i < covered; i++) latencies.push(value);
    }
    range.first += covered;
    return range.first > range.last;
  }

  const client = new WebPubSubClient(
    { getClientAccessUrl: async () => url },
    { protocol: values.protocol === "json" ? WebPubSubJsonProtocol() : WebPubSubJsonReliableProtocol() },
  );
  client.on("server-message", (e) => {
    const at = now();
    const data = e.message.data;
    if (data?.type !== "quote") return;
    const i = symbols.indexOf(data.symbol);
    if (i < 0 || typeof data.seq !== "number") return;
    quotes++;
    const queue = pending[i];
    while (queue.length > 0 && queue[0].first <= data.seq) {
      if (record(queue[0], data.seq, at)) queue.shift();
      else break;
    }
    if (data.seq > lastQuote[i].seq) lastQuote[i] = { seq: data.seq, at };
  });
  await client.start();
  await Promise.all(symbols.map((s) => client.joinGroup(`quotes.${s}`)));

  start = now();
  process.stderr.write(`latency: warm-up of ${warmup} s at ${rate} ticks/s over ${symbolCount} symbols, rounds of ${roundMs} ms, ${values.protocol} protocol\n`);
  let load = loadavg();
  let drainMs = 0;
  let cpuAtStart = process.cpuUsage();
  // How late the subscriber's own event loop runs (it delays every receive time it takes): part of the figure.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const worker = new Worker(new URL(import.meta.url), {
    workerData: {
      endpoint: eventHubs.Endpoint.replace(/^sb:/, "http:").replace(/\/+$/, ""),
      keyName: eventHubs.SharedAccessKeyName ?? "RootManageSharedAccessKey",
      key: eventHubs.SharedAccessKey,
      hub: values["ticks-hub"],
      symbols,
      rate,
      durationMs: duration * 1000,
      roundMs,
      warmupMs: warmup * 1000,
    },
  });
  const done = await new Promise((resolve, reject) => {
    worker.on("message", (m) => {
      if (m.type === "batch") {
        const range = { first: m.first, last: m.last, stamp: m.stamp };
        const q = lastQuote[m.symbol];
        if (q.seq >= range.first && record(range, q.seq, q.at)) return; // its quote came before this note (rare)
        pending[m.symbol].push(range);
      } else if (m.type === "lost") {
        pending[m.symbol] = pending[m.symbol].filter((r) => r.last < m.first || r.first > m.last);
      } else if (m.type === "warm") {
        // Every warm-up tick confirmed (the backlog of cold partitions gone), then the measured run starts.
        const from = now();
        const drained = () => {
          if (pending.some((q) => q.length > 0) && now() - from < 120000) {
            setTimeout(drained, 20);
            return;
          }
          drainMs = now() - from;
          for (const q of pending) q.length = 0;
          load = loadavg();
          process.stderr.write(`latency: warm-up sent ${m.sent} ticks (${Math.round(m.sent / (m.elapsedMs / 1000))}/s), seen by the subscriber ${(drainMs / 1000).toFixed(1)} s after it ended; measuring ${duration} s at ${rate} ticks/s; load average ${load.map((l) => l.toFixed(2)).join(" ")}\n`);
          countFrom = now();
          cpuAtStart = process.cpuUsage();
          loopDelay.reset();
          worker.postMessage("go");
        };
        drained();
      } else if (m.type === "done") {
        resolve(m);
      }
    });
    worker.on("error", reject);
  });

  // Let the last quotes arrive.
  const graceEnd = now() + 10000;
  while (pending.some((q) => q.length > 0) && now() < graceEnd) {
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const q of pending) for (const r of q) unresolved += r.last - r.first + 1;
  client.stop();

  const sorted = Float64Array.from(latencies).sort();
  const pick = (p) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
  const counted = sorted.length;
  const mean = counted === 0 ? NaN : sorted.reduce((a, b) => a + b, 0) / counted;
  const achieved = done.sent / (done.elapsedMs / 1000);
  const report = {
    rate,
    symbols: symbolCount,
    durationSeconds: duration,
    warmupSeconds: warmup,
    warmupDrainSeconds: Math.round(drainMs) / 1000,
    roundMs,
    protocol: values.protocol,
    publishedTicks: done.sent,
    generatedTicks: done.generated,
    achievedRate: Math.round(achieved),
    requests: done.requests,
    failedRequests: done.failedRequests,
    lostTicks: done.lostTicks,
    lastError: done.lastError,
    publisherMaxWaitMs: Math.round(done.maxWaitMs * 10) / 10,
    benchmarkCpuSeconds: (() => {
      const used = process.cpuUsage(cpuAtStart);
      return Math.round((used.user + used.system) / 1e5) / 10;
    })(),
    subscriberLoopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    quotes,
    countedTicks: counted,
    unconfirmedTicks: unresolved,
    latencyMs: {
      p50: pick(50),
      p90: pick(90),
      p99: pick(99),
      p999: pick(99.9),
      max: counted === 0 ? NaN : sorted[counted - 1],
      mean,
    },
    loadAverageAtStart: load,
    loadAverageAtEnd: loadavg(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
  };
  for (const k of Object.keys(report.latencyMs)) report.latencyMs[k] = Math.round(report.latencyMs[k] * 10) / 10;
  const ms = report.latencyMs;
  process.stdout.write(
    `published ${done.sent} ticks in ${(done.elapsedMs / 1000).toFixed(1)} s = ${report.achievedRate} ticks/s ` +
      `(asked ${rate}; ${done.requests} requests, ${done.failedRequests} failed; longest wait in the publisher ${report.publisherMaxWaitMs} ms)\n` +
      `latency publish → subscriber over ${counted} ticks: p50 ${ms.p50} ms, p90 ${ms.p90} ms, p99 ${ms.p99} ms, p99.9 ${ms.p999} ms, ` +
      `max ${ms.max} ms, mean ${ms.mean} ms; ${unresolved} ticks never confirmed by a quote; ${quotes} quotes; ` +
      `subscriber event-loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms; the benchmark itself used ${report.benchmarkCpuSeconds} CPU s\n` +
      `load average ${report.loadAverageAtStart.map((l) => l.toFixed(2)).join(" ")} → ${report.loadAverageAtEnd.map((l) => l.toFixed(2)).join(" ")} on ${report.cpus} × ${report.cpuModel}\n`,
  );
  if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 2) + "\n");
  process.exit(unresolved > 0 || done.failedRequests > 0 ? 3 : 0);
}
