import { describe, expect, it } from "vitest";
import { LiveConnection, PermanentFailure, type PubSubClient, type Timers } from "../../../src/live/connection";
import { groupsOfMessage } from "../../../src/live/messages";

type Listener = (e: never) => void;

/** A hand-written stand-in for WebPubSubClient: records calls, and the test fires its events. */
class FakeClient implements PubSubClient {
    readonly listeners = new Map<string, Listener[]>();
    readonly joined: string[] = [];
    readonly left: string[] = [];
    stopped = false;
    joinResult: () => Promise<unknown> = () => Promise.resolve();

    constructor(
        readonly getUrl: () => Promise<string>,
        private readonly starting: () => Promise<void>,
    ) {}

    on(event: string, listener: Listener): void {
        this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    }

    emit(event: string, arg: unknown): void {
        for (const listener of this.listeners.get(event) ?? []) (listener as (e: unknown) => void)(arg);
    }

    start(): Promise<void> {
        return this.starting();
    }

    stop(): void {
        this.stopped = true;
    }

    joinGroup(group: string): Promise<unknown> {
        this.joined.push(group);
        return this.joinResult();
    }

    leaveGroup(group: string): Promise<unknown> {
        this.left.push(group);
        return Promise.resolve();
    }
}

class ManualTimers implements Timers {
    time = 1000;
    queue: { at: number; callback: () => void; handle: number }[] = [];
    private next = 1;

    now(): number {
        return this.time;
    }

    setTimeout(callback: () => void, ms: number): unknown {
        const handle = this.next++;
        this.queue.push({ at: this.time + ms, callback, handle });
        return handle;
    }

    clearTimeout(handle: unknown): void {
        this.queue = this.queue.filter((t) => t.handle !== handle);
    }

    advance(ms: number): void {
        this.time += ms;
        const due = this.queue.filter((t) => t.at <= this.time);
        this.queue = this.queue.filter((t) => t.at > this.time);
        for (const timer of due) timer.callback();
    }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup() {
    const clients: FakeClient[] = [];
    const timers = new ManualTimers();
    const control = { start: (): Promise<void> => Promise.resolve() };
    const connection = new LiveConnection(
        (getUrl) => {
            const client = new FakeClient(getUrl, () => control.start());
            clients.push(client);
            return client;
        },
        groupsOfMessage,
        timers,
    );
    return { clients, timers, connection, control };
}

describe("LiveConnection", () => {
    it("stays idle without a key", () => {
        const { connection, clients } = setup();
        connection.configure(null);
        expect(connection.state.get()).toMatchObject({ status: "idle", reason: "no API key: enter one in Settings" });
        expect(clients).toHaveLength(0);
    });

    it("joins wanted groups when connected, delivers their messages, and leaves a group nobody wants", async () => {
        const { connection, clients } = setup();
        const got: unknown[] = [];
        const stop = connection.subscribe("bars.BTCUSD.1m", (data) => got.push(data));
        connection.configure(() => Promise.resolve("ws://x"));
        await flush();
        const client = clients[0]!;
        expect(connection.state.get().status).toBe("connecting");
        client.emit("connected", { connectionId: "c1" });
        await flush();
        expect(connection.state.get().status).toBe("connected");
        expect(client.joined).toEqual(["bars.BTCUSD.1m"]);
        expect(connection.joinedGroups()).toEqual(["bars.BTCUSD.1m"]);

        client.emit("group-message", { message: { group: "bars.BTCUSD.1m", data: { type: "bar" } } });
        client.emit("group-message", { message: { group: "quotes.SPY", data: { type: "quote" } } });
        expect(got).toEqual([{ type: "bar" }]);
        expect(connection.lastMessageAt).toBe(1000);

        const second = connection.subscribe("quotes.SPY", () => {});
        expect(client.joined).toEqual(["bars.BTCUSD.1m", "quotes.SPY"]);
        stop();
        stop();
        expect(client.left).toEqual(["bars.BTCUSD.1m"]);
        second();
    });

    it("routes the platform's server messages (REST sends to groups) to the views of the groups they belong to", async () => {
        const { connection, clients } = setup();
        const bars: unknown[] = [];
        const signals: unknown[] = [];
        connection.subscribe("bars.BTCUSD.1m", (data) => bars.push(data));
        connection.subscribe("signals.BTCUSD", (data) => signals.push(data));
        connection.configure(() => Promise.resolve("ws://x"));
        await flush();
        const client = clients[0]!;
        const bar = { type: "bar", symbol: "BTCUSD", timeframe: "1m", time: 1 };
        client.emit("server-message", { message: { data: bar } });
        client.emit("server-message", { message: { data: { ...bar, timeframe: "5m" } } });
        client.emit("server-message", { message: { data: JSON.stringify({ type: "signal", symbol: "BTCUSD", id: "s" }) } });
        client.emit("server-message", { message: { data: "not json" } });
        expect(bars).toEqual([bar]);
        expect(signals).toHaveLength(1);
        expect(connection.messagesReceived).toBe(4);
    });

    it("shows reconnecting when the connection drops, re-joins every wanted group on the new connection and tells views to catch up", async () => {
        const { connection, clients } = setup();
        connection.subscribe("bars.BTCUSD.1m", () => {});
        connection.subscribe("quotes.BTCUSD", () => {});
        let caughtUp = 0;
        connection.onReconnected(() => caughtUp++);
        connection.configure(() => Promise.resolve("ws://x"));
        await flush();
        const client = clients[0]!;
        client.emit("connected", { connectionId: "c1" });
        await flush();
        expect(caughtUp).toBe(0);

        client.emit("disconnected", { message: { data: { reason: "server restarted" } } });
        expect(connection.state.get()).toMatchObject({ status: "reconnecting", reason: "server restarted" });
        expect(connection.joinedGroups()).toEqual([]);

        client.emit("connected", { connectionId: "c2" });
        await flush();
        expect(connection.state.get()).toMatchObject({ status: "connected", connectionId: "c2" });
        expect(client.joined).toEqual(["bars.BTCUSD.1m", "quotes.BTCUSD", "bars.BTCUSD.1m", "quotes.BTCUSD"]);
        expect(connection.joinedGroups()).toEqual(["bars.BTCUSD.1m", "quotes.BTCUSD"]);
        expect(caughtUp).toBe(1);
    });

    it("keeps a group whose join failed pending for the next connection", async () => {
        const { connection, clients } = setup();
        connection.subscribe("signals.SPY", () => {});
        connection.configure(() => Promise.resolve("ws://x"));
        await flush();
        const client = clients[0]!;
        client.joinResult = () => Promise.reject(new Error("Forbidden"));
        client.emit("connected", { connectionId: "c1" });
        await flush();
        expect(connection.joinedGroups()).toEqual([]);
        client.joinResult = () => Promise.resolve();
        client.emit("disconnected", {});
        client.emit("connected", { connectionId: "c2" });
        await flush();
        expect(connection.joinedGroups()).toEqual(["signals.SPY"]);
    });

    it("goes offline when the start fails and retries with backoff on a new client", async () => {
        const { connection, clients, timers, control } = setup();
        control.start = () => Promise.reject(new Error("API not reachable"));
        connection.configure(() => Promise.resolve("ws://x"));
        await flush();
        await flush();
        expect(connection.state.get()).toMatchObject({ status: "offline", reason: "API not reachable", retryAt: 2000, attempt: 1 });
        timers.advance(999);
        expect(clients).toHaveLength(1);
        control.start = () => Promise.resolve();
        timers.advance(1);
        await flush();
        expect(clients).toHaveLength(2);
        expect(connection.state.get().status).toBe("connecting");
        clients[1]!.emit("connected", { connectionId: "c1" });
        expect(connection.state.get().status).toBe("connected");
    });

    it("does not retry a refused key until the settings change", async () => {
        const { connection, clients, timers, control } = setup();
        control.start = () => Promise.reject(new PermanentFailure("API key refused (401)"));
        connection.configure(() => Promise.resolve("ws://x"));
        await flush();
        await flush();
        expect(connection.state.get()).toMatchObject({ status: "offline", reason: "API key refused (401)", retryAt: null });
        timers.advance(60_000);
        expect(clients).toHaveLength(1);
        connection.configure(() => Promise.resolve("ws://y"));
        expect(clients).toHaveLength(2);
    });

    it("restarts after the client gives up, and ignores events of a client it replaced", async () => {
        const { connection, clients, timers } = setup();
        connection.configure(() => Promise.resolve("ws://x"));
        await flush();
        const first = clients[0]!;
        first.emit("connected", { connectionId: "c1" });
        first.emit("stopped", {});
        expect(connection.state.get()).toMatchObject({ status: "offline", reason: "the client stopped reconnecting" });
        timers.advance(1000);
        await flush();
        expect(connection.state.get().status).toBe("reconnecting");
        first.emit("connected", { connectionId: "old" });
        expect(connection.state.get().status).toBe("reconnecting");
        clients[1]!.emit("connected", { connectionId: "c2" });
        expect(connection.state.get()).toMatchObject({ status: "connected", connectionId: "c2" });
    });

    it("keeps delivering to other views when one view's handler throws", async () => {
        const { connection, clients } = setup();
        const got: string[] = [];
        connection.subscribe("signals", () => {
            throw new Error("view bug");
        });
        connection.subscribe("signals", () => got.push("second"));
        connection.configure(() => Promise.resolve("ws://x"));
        await flush();
        const original = console.error;
        console.error = () => {};
        try {
            clients[0]!.emit("group-message", { message: { group: "signals", data: {} } });
        } finally {
            console.error = original;
        }
        expect(got).toEqual(["second"]);
    });

    it("stops the client when closed", async () => {
        const { connection, clients } = setup();
        connection.configure(() => Promise.resolve("ws://x"));
        await flush();
        connection.close();
        expect(clients[0]!.stopped).toBe(true);
        expect(connection.state.get().status).toBe("idle");
    });
});
