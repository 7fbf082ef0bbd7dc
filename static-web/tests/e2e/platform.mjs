// The platform the end-to-end tests run against, started for real on this machine: Azurite (in memory, free ports),
// `sigmaflow serve` (the built dashboard, the HTTP API, the Web PubSub and Event Hubs stand-ins) and
// `sigmaflow feed` (the simulated market). Nothing is mocked: the browser talks to the same processes a user runs.
//
//   const platform = await startPlatform({ log });
//   platform.url, platform.apiKey, await platform.seedHistory("BTCUSD", …), await platform.restartServe(), await platform.stop()
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const distDir = join(repoRoot, "static-web", "dist");
const sigmaflowDll = join(repoRoot, "functions", "bin", "Release", "net10.0", "sigmaflow.dll");
const azuriteBin = join(repoRoot, "infra", "local", "node_modules", ".bin", "azurite");
const account = "devstoreaccount1";
const accountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** What is missing to run, or null. */
export function missingPrerequisites() {
    if (!existsSync(sigmaflowDll)) return `${sigmaflowDll} is not built (dotnet build functions -c Release)`;
    if (!existsSync(azuriteBin)) return `Azurite is not installed (npm ci --prefix infra/local)`;
    if (!existsSync(join(distDir, "index.html"))) return `the dashboard is not built (cd static-web && npm run build)`;
    return null;
}

async function freePort() {
    return new Promise((resolvePort, reject) => {
        const server = createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address();
            server.close(() => resolvePort(port));
        });
    });
}

// Every process group and work folder started here, so that nothing outlives this process, however it ends.
const running = new Set();
const workFolders = new Set();
const killAll = () => {
    for (const pid of running) {
        try {
            process.kill(-pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
    running.clear();
    for (const folder of workFolders) rmSync(folder, { recursive: true, force: true });
    workFolders.clear();
};
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
        killAll();
        process.exit(130);
    });
}

/** Starts a process in its own group and collects its output; `waitFor` resolves with the first matching line. */
function startProcess(name, command, args, options, log) {
    const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child.pid);
    child.on("exit", () => running.delete(child.pid));
    const lines = [];
    const waiters = [];
    const onLine = (line) => {
        lines.push(line);
        if (lines.length > 2000) lines.shift();
        log?.(`[${name}] ${line}`);
        for (const waiter of [...waiters]) {
            const match = line.match(waiter.pattern);
            if (match) {
                waiters.splice(waiters.indexOf(waiter), 1);
                waiter.resolve(match);
            }
        }
    };
    for (const stream of [child.stdout, child.stderr]) {
        let buffer = "";
        stream.setEncoding("utf8");
        stream.on("data", (chunk) => {
            buffer += chunk;
            let index;
            while ((index = buffer.indexOf("\n")) >= 0) {
                onLine(buffer.slice(0, index).replace(/\r$/, ""));
                buffer = buffer.slice(index + 1);
            }
        });
    }
    const exited = new Promise((resolveExit) => child.on("exit", (code, signal) => resolveExit({ code, signal })));
    exited.then(({ code, signal }) => {
        for (const waiter of waiters.splice(0)) waiter.reject(new Error(`${name} exited (${code ?? signal}) before printing ${waiter.pattern}; last lines:\n${lines.slice(-30).join("\n")}`));
    });
    return {
        name,
        child,
        lines,
        exited,
        waitFor(pattern, timeoutMs = 120_000) {
            const seen = lines.map((l) => l.match(pattern)).find(Boolean);
            if (seen) return Promise.resolve(seen);
            return new Promise((resolveWait, reject) => {
                const timer = setTimeout(() => reject(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms; last lines:\n${lines.slice(-30).join("\n")}`)), timeoutMs);
                waiters.push({
                    pattern,
                    resolve: (m) => {
                        clearTimeout(timer);
                        resolveWait(m);
                    },
                    reject: (e) => {
                        clearTimeout(timer);
                        reject(e);
                    },
                });
            });
        },
        async stop(timeoutMs = 10_000) {
            if (child.exitCode !== null || child.signalCode !== null) return;
            try {
                process.kill(-child.pid, "SIGTERM");
            } catch {
                return;
            }
            const timer = setTimeout(() => {
                try {
                    process.kill(-child.pid, "SIGKILL");
                } catch {
                    // already gone
                }
            }, timeoutMs);
            await exited;
            clearTimeout(timer);
        },
    };
}

/** A Table storage call on Azurite, signed with SharedKeyLite (the development account's published key). */
async function table(tableEndpoint, method, path, body) {
    const url = new URL(`${tableEndpoint}/${path}`);
    const date = new Date().toUTCString();
    const resource = `/${account}${url.pathname}`;
    const signature = createHmac("sha256", Buffer.from(accountKey, "base64")).update(`${date}\n${resource}`).digest("base64");
    const response = await fetch(url, {
        method,
        headers: {
            "x-ms-date": date,
            "x-ms-version": "2019-02-02",
            authorization: `SharedKeyLite ${account}:${signature}`,
            accept: "application/json;odata=nometadata",
            "content-type": "application/json",
            prefer: "return-no-content",
        },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok && response.status !== 409) {
        throw new Error(`Azurite ${method} ${path}: ${response.status} ${await response.text()}`);
    }
}

const double = (entity, name, value) => {
    entity[name] = value;
    entity[`${name}@odata.type`] = "Edm.Double";
};

const int64 = (entity, name, value) => {
    entity[name] = String(value);
    entity[`${name}@odata.type`] = "Edm.Int64";
};

/** A deterministic random walk of 1-minute bars ending just before `endMs` at about `lastPrice`. */
export function syntheticBars(endMs, count, lastPrice, seed = 7) {
    let state = seed;
    const random = () => {
        state = (state * 1103515245 + 12345) % 2147483648;
        return state / 2147483648;
    };
    const closes = [lastPrice];
    for (let i = 1; i < count; i++) closes.unshift(closes[0] * (1 + (random() - 0.5) * 0.004));
    const minute = 60_000;
    const start = Math.floor(endMs / minute) * minute - count * minute;
    return closes.map((close, i) => {
        const open = i === 0 ? close * (1 + (random() - 0.5) * 0.002) : closes[i - 1];
        const high = Math.max(open, close) * (1 + random() * 0.0015);
        const low = Math.min(open, close) * (1 - random() * 0.0015);
        return { time: start + i * minute, open, high, low, close, volume: 0.5 + random() * 4 };
    });
}

/** Bars of a longer timeframe from 1-minute bars: whole buckets only, as the live pipeline closes them. */
export function aggregate(bars, lengthMs) {
    const buckets = new Map();
    for (const bar of bars) {
        const start = Math.floor(bar.time / lengthMs) * lengthMs;
        const held = buckets.get(start);
        if (!held) buckets.set(start, { ...bar, time: start, minutes: 1 });
        else {
            held.high = Math.max(held.high, bar.high);
            held.low = Math.min(held.low, bar.low);
            held.close = bar.close;
            held.volume += bar.volume;
            held.minutes++;
        }
    }
    return [...buckets.values()].filter((b) => b.minutes === lengthMs / 60_000).map(({ minutes, ...bar }) => bar);
}

export async function startPlatform({ log, symbols = ["BTCUSD", "ETHUSD", "SOLUSD", "SPY"], rate = 40 } = {}) {
    const missing = missingPrerequisites();
    if (missing) throw new Error(missing);
    const work = mkdtempSync(join(tmpdir(), "sigmaflow-e2e-"));
    workFolders.add(work);
    const processes = [];

    const azurite = startProcess(
        "azurite",
        azuriteBin,
        ["--inMemoryPersistence", "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1", "--blobPort", "0", "--queuePort", "0", "--tablePort", "0", "--skipApiVersionCheck", "--disableTelemetry"],
        { cwd: work },
        log,
    );
    processes.push(azurite);
    const port = async (service) => (await azurite.waitFor(new RegExp(`${service} service is successfully listening at \\S*?:(\\d+)`)))[1];
    const [blob, queue, tablePort] = await Promise.all([port("Blob"), port("Queue"), port("Table")]);
    const tableEndpoint = `http://127.0.0.1:${tablePort}/${account}`;
    const storage = `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${accountKey};BlobEndpoint=http://127.0.0.1:${blob}/${account};QueueEndpoint=http://127.0.0.1:${queue}/${account};TableEndpoint=${tableEndpoint};`;

    // Fixed ports and keys, so a restarted serve is the same service to the browser and the feed.
    const ports = { gateway: await freePort(), webPubSub: await freePort(), eventHubs: await freePort() };
    const keys = { webPubSub: `wps-e2e-${Math.random().toString(36).slice(2)}-key`, eventHubs: `eh-e2e-${Math.random().toString(36).slice(2)}-key` };
    const keyFile = join(work, "dev-key");
    const env = { ...process.env, AzureWebJobsStorage: storage, DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_NOLOGO: "1" };
    delete env.CosmosDbConnection;

    let serve = null;
    let eventHubConnection = null;
    const startServe = async () => {
        serve = startProcess(
            "serve",
            "dotnet",
            [
                sigmaflowDll,
                "serve",
                "--port", String(ports.gateway),
                "--web-pubsub-port", String(ports.webPubSub),
                "--web-pubsub-key", keys.webPubSub,
                "--event-hubs-port", String(ports.eventHubs),
                "--event-hubs-key", keys.eventHubs,
                "--dashboard", distDir,
                "--dev-key-file", keyFile,
            ],
            { cwd: repoRoot, env },
            log,
        );
        processes.push(serve);
        eventHubConnection = (await serve.waitFor(/EventHubConnection=(\S+)/))[1];
        await serve.waitFor(/^Ready in/);
    };
    await startServe();
    const apiKey = readFileSync(keyFile, "utf8").trim();

    let feed = null;
    const startFeed = (feedRate = rate) => {
        feed = startProcess(
            "feed",
            "dotnet",
            [sigmaflowDll, "feed", "--source", "simulator", "--symbols", symbols.join(","), "--rate", String(feedRate), "--connection", eventHubConnection, "--max-retries", "20", "--quiet"],
            { cwd: repoRoot, env },
            log,
        );
        processes.push(feed);
    };
    startFeed();

    const url = `http://127.0.0.1:${ports.gateway}/`;
    return {
        url,
        apiKey,
        storage,
        ports,
        /** GET on the API with the key. */
        async api(path) {
            const response = await fetch(new URL(`api${path}`, url), { headers: { "x-api-key": apiKey } });
            if (!response.ok) throw new Error(`GET /api${path}: ${response.status} ${await response.text()}`);
            return response.json();
        },
        /** POST on the API with the key; the parsed answer. */
        async post(path, body) {
            const response = await fetch(new URL(`api${path}`, url), { method: "POST", headers: { "x-api-key": apiKey, "content-type": "application/json" }, body: JSON.stringify(body) });
            if (!response.ok) throw new Error(`POST /api${path}: ${response.status} ${await response.text()}`);
            return response.json();
        },
        /** Stores final bars (1m, 5m, 15m) and signals for a symbol, as the live pipeline would have stored them. */
        async seedHistory(symbol, bars, signals = []) {
            await table(tableEndpoint, "POST", "Tables", { TableName: "bars" });
            await table(tableEndpoint, "POST", "Tables", { TableName: "signals" });
            const rows = [];
            for (const [timeframe, length] of [["1m", 60_000], ["5m", 300_000], ["15m", 900_000]]) {
                for (const bar of length === 60_000 ? bars : aggregate(bars, length)) {
                    const entity = { PartitionKey: `${symbol}|${timeframe}`, RowKey: String(bar.time).padStart(15, "0"), symbol, timeframe, final: true };
                    int64(entity, "time", bar.time);
                    for (const field of ["open", "high", "low", "close", "volume"]) double(entity, field, bar[field]);
                    rows.push(["bars", entity]);
                }
            }
            for (const signal of signals) {
                const entity = { PartitionKey: symbol, RowKey: signal.id.replaceAll("|", "%7C"), id: signal.id, symbol, strategy: signal.strategy, timeframe: "1m", kind: signal.kind };
                int64(entity, "time", signal.time);
                double(entity, "price", signal.price);
                rows.push(["signals", entity]);
            }
            for (let i = 0; i < rows.length; i += 16) {
                await Promise.all(rows.slice(i, i + 16).map(([name, entity]) => table(tableEndpoint, "POST", name, entity)));
            }
            return rows.length;
        },
        /** Stops serve (the browser's socket drops) and starts it again on the same ports; the feed is restarted if it gave up. */
        async restartServe({ downMs = 0 } = {}) {
            await serve.stop();
            if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
            await startServe();
            if (feed.child.exitCode !== null || feed.child.signalCode !== null) startFeed();
        },
        /** Runs the simulated feed at another rate (ticks per second over all symbols). */
        async restartFeed(feedRate) {
            await feed.stop();
            startFeed(feedRate);
        },
        async stopServe() {
            await serve.stop();
        },
        startServe,
        async stop() {
            for (const p of [...processes].reverse()) await p.stop();
            rmSync(work, { recursive: true, force: true });
            workFolders.delete(work);
        },
        logs: () => processes.map((p) => `--- ${p.name}\n${p.lines.slice(-40).join("\n")}`).join("\n"),
    };
}
