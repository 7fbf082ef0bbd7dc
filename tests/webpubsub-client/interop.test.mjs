// Interop test: the OFFICIAL @azure/web-pubsub-client (1.1.0) against SigmaFlow's local Web PubSub stand-in.
//
// Run by tests/SigmaFlow.Functions.Tests/Local/WebPubSub/WebPubSubClientInteropTests.cs, which starts the stand-in
// (with test hooks) and sets:
//   SIGMAFLOW_WPS_CONNECTION_STRING     Endpoint=http://127.0.0.1:PORT;AccessKey=...;Version=1.0;
//   SIGMAFLOW_WPS_HUB                   hub to use (default "interop")
//   SIGMAFLOW_WPS_RECONNECTION_WINDOW_MS the stand-in's reconnection window (default 30000)
// Without the connection string every test is skipped. By hand:
//   SIGMAFLOW_WPS_CONNECTION_STRING='Endpoint=...' node --test tests/webpubsub-client/
//
// The script mints client URLs and signs REST calls itself (HS256 with node:crypto), so it shares no code with the
// C# side.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import {
  SendMessageError,
  WebPubSubClient,
  WebPubSubJsonProtocol,
  WebPubSubJsonReliableProtocol,
} from "@azure/web-pubsub-client";

const connectionString = process.env.SIGMAFLOW_WPS_CONNECTION_STRING ?? "";
const hub = process.env.SIGMAFLOW_WPS_HUB || "interop";
const windowMs = Number(process.env.SIGMAFLOW_WPS_RECONNECTION_WINDOW_MS || 30000);
const skip = connectionString
  ? false
  : "SIGMAFLOW_WPS_CONNECTION_STRING is not set (WebPubSubClientInteropTests starts the stand-in and sets it)";

const parts = Object.fromEntries(
  connectionString
    .split(";")
    .filter((p) => p.includes("="))
    .map((p) => [p.slice(0, p.indexOf("=")).trim(), p.slice(p.indexOf("=") + 1).trim()]),
);
const endpoint = (parts.Endpoint ?? "http://127.0.0.1:1").replace(/\/+$/, "");
const accessKey = parts.AccessKey ?? "";

// ---------------------------------------------------------------------------------------------------------------
// Tokens and REST, written from the documentation (AZURE-REFERENCE.md §2.2, §2.3).

const b64url = (data) => Buffer.from(data).toString("base64url");

function sign(claims) {
  const input = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${createHmac("sha256", Buffer.from(accessKey, "utf8")).update(input).digest("base64url")}`;
}

function clientUrl({ userId, roles = [], groups = [] } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { aud: `${endpoint}/client/hubs/${hub}`, iat: now, exp: now + 3600 };
  if (userId) claims.sub = userId;
  if (roles.length) claims.role = roles;
  if (groups.length) claims["webpubsub.group"] = groups;
  return `${endpoint.replace(/^http/, "ws")}/client/hubs/${hub}?access_token=${sign(claims)}`;
}

async function rest(method, path, body, contentType) {
  const url = `${endpoint}/api/hubs/${hub}${path}`;
  const now = Math.floor(Date.now() / 1000);
  const token = sign({ aud: url, iat: now, exp: now + 3600 });
  const headers = { Authorization: `Bearer ${token}` };
  if (contentType) headers["Content-Type"] = contentType;
  const response = await fetch(`${url}?api-version=2024-12-01`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, text };
}

async function sendToGroupViaRest(group, text) {
  const { status, text: body } = await rest("POST", `/groups/${encodeURIComponent(group)}/:send`, text, "text/plain");
  assert.equal(status, 202, `REST send to group ${group}: ${status} ${body}`);
}

async function dropSocket(connectionId, blockRecoveryMs) {
  const url = `${endpoint}/_test/hubs/${hub}/connections/${encodeURIComponent(connectionId)}/:drop?blockRecoveryMs=${blockRecoveryMs}`;
  const response = await fetch(url, { method: "POST" });
  assert.equal(response.status, 204, `test hook :drop for ${connectionId}: ${response.status} ${await response.text()}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Clients that record everything they see.

const started = [];
after(() => started.forEach((client) => client.stop()));

async function startClient(name, protocolFactory, identity, options = {}) {
  const events = { connected: [], disconnected: [], group: [], server: [], stopped: 0, rejoinFailed: [] };
  const client = new WebPubSubClient(
    { getClientAccessUrl: async () => clientUrl(identity) },
    {
      protocol: protocolFactory(),
      messageRetryOptions: { maxRetries: 0 },
      reconnectRetryOptions: { retryDelayInMs: 300, maxRetries: 20 },
      // Short keep-alive settings make the client ping often and give up after 3 s of silence, so the stand-in's
      // pong answers are exercised, and no long timers keep the process alive after stop().
      keepAliveIntervalInMs: 500,
      keepAliveTimeoutInMs: 3000,
      ...options,
    },
  );
  client.on("connected", (e) => events.connected.push(e));
  client.on("disconnected", (e) => events.disconnected.push(e));
  client.on("group-message", (e) => events.group.push(e.message));
  client.on("server-message", (e) => events.server.push(e.message));
  client.on("stopped", () => events.stopped++);
  client.on("rejoin-group-failed", (e) => events.rejoinFailed.push(e));
  await client.start();
  started.push(client);
  await waitFor(() => events.connected.length > 0, `${name} to connect`);
  return { client, events, name };
}

async function waitFor(predicate, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const texts = (messages) => messages.filter((m) => m.dataType === "text").map((m) => m.data);

const everything = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];
const protocols = [
  ["json.webpubsub.azure.v1", WebPubSubJsonProtocol],
  ["json.reliable.webpubsub.azure.v1", WebPubSubJsonReliableProtocol],
];

// ---------------------------------------------------------------------------------------------------------------

for (const [protocolName, protocol] of protocols) {
  describe(`@azure/web-pubsub-client with ${protocolName}`, { skip }, () => {
    test("joins a group, gets group and server messages, and acks", async () => {
      const group = `chat-${randomUUID()}`;
      const alice = await startClient("alice", protocol, { userId: "alice", roles: everything });
      const bob = await startClient("bob", protocol, { userId: "bob", roles: everything });
      assert.equal(alice.events.connected[0].userId, "alice");
      assert.match(alice.events.connected[0].connectionId, /^[A-Za-z0-9_-]{22}$/);

      const joined = await alice.client.joinGroup(group);
      assert.equal(typeof joined.ackId, "number");
      assert.equal(joined.isDuplicated, false);
      await bob.client.joinGroup(group);

      // A group message from another client, JSON data.
      const sent = await bob.client.sendToGroup(group, { px: 65000.5, side: "buy" }, "json");
      assert.equal(sent.isDuplicated, false);
      await waitFor(() => alice.events.group.length === 1, "alice to get bob's group message");
      const fromBob = alice.events.group[0];
      assert.equal(fromBob.group, group);
      assert.equal(fromBob.fromUserId, "bob");
      assert.equal(fromBob.dataType, "json");
      assert.deepEqual(fromBob.data, { px: 65000.5, side: "buy" });
      if (protocolName.includes("reliable")) assert.equal(typeof fromBob.sequenceId, "number");
      else assert.equal(fromBob.sequenceId, undefined);

      // Server messages through the REST API: text to the hub, bytes to a user.
      let response = await rest("POST", "/:send", "hello from the server", "text/plain");
      assert.equal(response.status, 202, response.text);
      response = await rest("POST", "/users/alice/:send", new Uint8Array([1, 2, 254]), "application/octet-stream");
      assert.equal(response.status, 202, response.text);
      await waitFor(() => alice.events.server.length === 2, "alice to get two server messages");
      assert.deepEqual(
        alice.events.server.map((m) => m.dataType),
        ["text", "binary"],
      );
      assert.equal(alice.events.server[0].data, "hello from the server");
      assert.deepEqual([...new Uint8Array(alice.events.server[1].data)], [1, 2, 254]);

      // noEcho: bob gets it, alice does not.
      await alice.client.sendToGroup(group, "quiet", "text", { noEcho: true });
      await waitFor(() => texts(bob.events.group).includes("quiet"), "bob to get alice's noEcho message");

      // The same ackId twice: the service acks the second as a duplicate and does not deliver it again.
      const first = await bob.client.sendToGroup(group, "once", "text", { ackId: 100000 });
      const second = await bob.client.sendToGroup(group, "once", "text", { ackId: 100000 });
      assert.equal(first.isDuplicated, false);
      assert.equal(second.isDuplicated, true);
      await sendToGroupViaRest(group, "marker");
      await waitFor(() => texts(alice.events.group).length + texts(alice.events.server).length >= 2, "alice to get the marker");
      await sleep(200);
      assert.deepEqual(texts(alice.events.group), ["once"]);
      assert.ok(!texts(alice.events.group).includes("quiet"), "noEcho message was echoed to its sender");

      // An event has no upstream here: it is acknowledged.
      const event = await alice.client.sendEvent("orderPlaced", { qty: 1 }, "json");
      assert.equal(event.isDuplicated, false);

      // Idle for longer than the 3 s keep-alive timeout: the stand-in's pongs keep the connection up.
      await sleep(3500);
      assert.equal(alice.events.disconnected.length, 0, "the client gave up on an idle connection: no pongs?");

      alice.client.stop();
      bob.client.stop();
      await waitFor(() => alice.events.stopped === 1 && bob.events.stopped === 1, "both clients to stop");
    });

    test("a join without permission is refused with Forbidden", async () => {
      const limited = await startClient("limited", protocol, { userId: "limited", roles: ["webpubsub.joinLeaveGroup.lobby"] });
      await limited.client.joinGroup("lobby");
      await assert.rejects(limited.client.joinGroup("vault"), (error) => {
        assert.ok(error instanceof SendMessageError, `expected SendMessageError, got ${error}`);
        assert.equal(error.errorDetail?.name, "Forbidden");
        return true;
      });
      await assert.rejects(limited.client.sendToGroup("lobby", "hi", "text"), (error) => error.errorDetail?.name === "Forbidden");
      limited.client.stop();
    });

    test("groups from the token are joined on connect", async () => {
      const group = `auto-${randomUUID()}`;
      const reader = await startClient("reader", protocol, { userId: "reader", groups: [group] });
      await sendToGroupViaRest(group, "auto-joined");
      await waitFor(() => texts(reader.events.server).includes("auto-joined"), "the token's group message");
      reader.client.stop();
    });
  });
}

describe("@azure/web-pubsub-client recovery with json.reliable.webpubsub.azure.v1", { skip }, () => {
  test("messages sent while the socket is down arrive after recovery, once each, in order", async () => {
    const group = `ticks-${randomUUID()}`;
    const reader = await startClient("reader", WebPubSubJsonReliableProtocol, { userId: "reader", roles: everything });
    const writer = await startClient("writer", WebPubSubJsonReliableProtocol, { userId: "writer", roles: everything });
    await reader.client.joinGroup(group);
    const connectionId = reader.events.connected[0].connectionId;

    // Some messages before the drop; the client acks sequence ids only once a second, so some of them are
    // unacknowledged when the socket drops and the stand-in sends them again after recovery.
    const expected = [];
    for (let i = 0; i < 5; i++) {
      expected.push(`before-${i}`);
      await writer.client.sendToGroup(group, `before-${i}`, "text");
    }
    await waitFor(() => texts(reader.events.group).length === 5, "the messages before the drop");

    // Cut the reader's socket (no close handshake) and hold its reconnects back for a while. The client's private
    // _wsClient is read only to prove below that the socket really was replaced.
    const socketBefore = reader.client._wsClient;
    const blockMs = Math.min(1200, Math.floor(windowMs / 3));
    await dropSocket(connectionId, blockMs);
    for (let i = 0; i < 5; i++) {
      expected.push(`during-client-${i}`);
      await writer.client.sendToGroup(group, `during-client-${i}`, "text");
      expected.push(`during-rest-${i}`);
      await sendToGroupViaRest(group, `during-rest-${i}`);
    }

    await waitFor(() => texts(reader.events.group).length + texts(reader.events.server).length >= expected.length, "recovery and the missed messages");
    expected.push("after");
    await writer.client.sendToGroup(group, "after", "text");
    await waitFor(() => texts(reader.events.group).includes("after"), "the message after recovery");
    await sleep(300);

    // Client messages come "from group", REST ones "from server"; merge in arrival order by sequence id.
    const all = [...reader.events.group, ...reader.events.server].sort((a, b) => a.sequenceId - b.sequenceId);
    const seen = texts(all);
    assert.deepEqual([...seen].sort(), [...expected].sort(), "every message exactly once (no loss, no duplicates)");
    assert.deepEqual(
      seen.filter((t) => t.startsWith("during-client") || t === "after" || t.startsWith("before")),
      expected.filter((t) => t.startsWith("during-client") || t === "after" || t.startsWith("before")),
      "the writer's messages in the order sent",
    );
    const sequenceIds = all.map((m) => m.sequenceId);
    assert.deepEqual(sequenceIds, [...new Set(sequenceIds)], "sequence ids are unique");

    // Recovery is invisible to the application: same connection, no disconnected event, but a new socket.
    assert.notEqual(reader.client._wsClient, socketBefore, "the socket was not replaced: no recovery happened");
    assert.equal(reader.events.disconnected.length, 0);
    assert.equal(reader.events.connected.length, 1);

    reader.client.stop();
    writer.client.stop();
  });

  const windowSkip = windowMs > 10000 ? `the reconnection window is ${windowMs} ms; run the stand-in with at most 10 s for this test` : false;
  test("after the reconnection window the client is told the connection is gone and starts a new one", { timeout: 60000, skip: windowSkip }, async () => {
    const group = `late-${randomUUID()}`;
    const reader = await startClient("late reader", WebPubSubJsonReliableProtocol, { userId: "late", roles: everything });
    await reader.client.joinGroup(group);
    const firstId = reader.events.connected[0].connectionId;

    // Hold reconnects back for longer than the window: the next attempt gets "disconnected" and close 1008.
    await dropSocket(firstId, windowMs + 2000);
    await waitFor(() => reader.events.disconnected.length === 1, "the disconnected event", windowMs + 20000);
    assert.match(reader.events.disconnected[0].message?.message ?? "", /no longer exists/);
    await waitFor(() => reader.events.connected.length === 2, "a new connection", 20000);
    assert.notEqual(reader.events.connected[1].connectionId, firstId);

    // autoRejoinGroups: the client rejoins before it reports "connected"; the new connection is back in the group.
    await sleep(300);
    await sendToGroupViaRest(group, "welcome back");
    await waitFor(() => texts(reader.events.server).includes("welcome back"), "a group message on the new connection");
    reader.client.stop();
  });
});

describe("@azure/web-pubsub-client reconnect with json.webpubsub.azure.v1", { skip }, () => {
  test("a dropped socket reconnects with a new connection id and rejoins its groups", async () => {
    const group = `plain-${randomUUID()}`;
    const reader = await startClient("json reader", WebPubSubJsonProtocol, { userId: "json-reader", roles: everything });
    await reader.client.joinGroup(group);
    const firstId = reader.events.connected[0].connectionId;
    await dropSocket(firstId, 0);
    await waitFor(() => reader.events.connected.length === 2, "the reconnect");
    assert.equal(reader.events.disconnected.length, 1);
    assert.notEqual(reader.events.connected[1].connectionId, firstId);
    await sleep(300);
    await sendToGroupViaRest(group, "rejoined");
    await waitFor(() => texts(reader.events.server).includes("rejoined"), "a group message after the reconnect");
    reader.client.stop();
  });
});
