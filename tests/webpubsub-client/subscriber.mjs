// A dashboard-like subscriber: the OFFICIAL @azure/web-pubsub-client joins groups and writes every message it receives
// as one JSON line, until SIGTERM or SIGINT.
//
//   node subscriber.mjs --url 'ws://127.0.0.1:7072/client/hubs/market?access_token=…' \
//        --groups bars.BTCUSD.1m,signals --out messages.jsonl [--protocol reliable|json]
//
// The client access URL is minted by the caller (the end-to-end test uses the platform's WebPubSubServiceClient; its
// token needs the role webpubsub.joinLeaveGroup) and is used again for every reconnect, so it must stay valid for the
// whole run. Groups are joined on every `connected` event (a restarted service forgets them), then a `ready` line is
// written, so a reader knows from when on the groups' messages arrive. Lines:
//
//   {"event":"connected","connectionId":"…","at":1767…}
//   {"event":"ready","connectionId":"…","groups":["…"],"at":…}
//   {"event":"message","from":"server","data":{…},"at":…}   (`at`: receive time, Unix ms with fractions)
//   {"event":"message","from":"group","group":"…","data":…,"at":…}
//   {"event":"disconnected","connectionId":"…","message":"…","at":…}
//   {"event":"error","message":"…","at":…}
//   {"event":"stopped","at":…}
import { openSync, writeSync, closeSync } from "node:fs";
import { parseArgs } from "node:util";
import { WebPubSubClient, WebPubSubJsonProtocol, WebPubSubJsonReliableProtocol } from "@azure/web-pubsub-client";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    groups: { type: "string", default: "" },
    out: { type: "string" },
    protocol: { type: "string", default: "reliable" },
  },
});

function usage(message) {
  process.stderr.write(`subscriber: ${message}\nusage: node subscriber.mjs --url URL --groups A,B --out FILE [--protocol reliable|json]\n`);
  process.exit(1);
}

if (!values.url || !/^wss?:\/\//.test(values.url)) usage(`--url must be a ws:// or wss:// client access URL; got '${values.url ?? ""}'`);
if (!values.out) usage("--out must name the file the messages are written to");
if (!["reliable", "json"].includes(values.protocol)) usage(`--protocol must be reliable or json; got '${values.protocol}'`);
const groups = values.groups.split(",").map((g) => g.trim()).filter((g) => g.length > 0);
if (groups.length === 0) usage("--groups must name at least one group");

const out = openSync(values.out, "a");
const now = () => performance.timeOrigin + performance.now();
const write = (line) => writeSync(out, JSON.stringify({ ...line, at: now() }) + "\n");

const client = new WebPubSubClient(
  { getClientAccessUrl: async () => values.url },
  {
    protocol: values.protocol === "json" ? WebPubSubJsonProtocol() : WebPubSubJsonReliableProtocol(),
    autoRejoinGroups: false, // joined below on every connect, so the `ready` line is exact
    reconnectRetryOptions: { retryDelayInMs: 250, mode: "Fixed" },
  },
);

// What the platform pushes through the REST API arrives as a server message (the service does not say which group it
// was sent to); messages other clients send to a group arrive as group messages.
client.on("server-message", (e) => write({ event: "message", from: "server", data: e.message.data }));
client.on("group-message", (e) => write({ event: "message", from: "group", group: e.message.group, data: e.message.data }));
client.on("disconnected", (e) => write({ event: "disconnected", connectionId: e.connectionId, message: e.message ?? null }));
client.on("connected", async (e) => {
  write({ event: "connected", connectionId: e.connectionId });
  try {
    await Promise.all(groups.map((g) => client.joinGroup(g)));
    write({ event: "ready", connectionId: e.connectionId, groups });
  } catch (error) {
    // The connection went away while joining: the next `connected` joins again.
    write({ event: "error", message: `joining ${groups.join(",")} on ${e.connectionId}: ${error?.message ?? error}` });
  }
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    client.stop();
  } finally {
    write({ event: "stopped" });
    closeSync(out);
    process.exit(0);
  }
}

process.on("SIGTERM", stop);
process.on("SIGINT", stop);

try {
  await client.start();
} catch (error) {
  write({ event: "error", message: `start: ${error?.message ?? error}` });
  closeSync(out);
  process.exit(2);
}
