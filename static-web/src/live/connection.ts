import { GroupSet } from "./groupSet";
import { initialConnectionState, reduceConnection, retryDelay, type ConnectionEvent, type ConnectionState } from "./connectionState";
import { Observable } from "./observable";

/**
 * The part of `WebPubSubClient` (from `@azure/web-pubsub-client`) the dashboard uses, so the connection logic can be
 * exercised with a hand-written fake.
 */
export interface PubSubClient {
    on(event: "connected", listener: (e: { connectionId: string; userId?: string }) => void): void;
    on(event: "disconnected", listener: (e: { connectionId?: string; message?: { data?: { reason?: string } } }) => void): void;
    on(event: "stopped", listener: (e: unknown) => void): void;
    on(event: "group-message", listener: (e: { message: { group: string; data: unknown } }) => void): void;
    on(event: "server-message", listener: (e: { message: { data: unknown } }) => void): void;
    start(): Promise<void>;
    stop(): void;
    joinGroup(group: string): Promise<unknown>;
    leaveGroup(group: string): Promise<unknown>;
}

/** Makes a client that fetches its URL (with a fresh token) from `getUrl` on every new connection. */
export type PubSubClientFactory = (getUrl: () => Promise<string>) => PubSubClient;

export type MessageHandler = (data: unknown, group: string) => void;

/** The groups a server message belongs to (see `groupsOfMessage`). */
export type MessageRouter = (data: unknown) => string[];

/** Scheduling, so tests run without waiting. */
export interface Timers {
    now(): number;
    setTimeout(callback: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
}

const browserTimers: Timers = {
    now: () => Date.now(),
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A failure to connect that retrying will not fix until the settings change (refused key). */
export class PermanentFailure extends Error {}

function reasonOf(error: unknown): string {
    return error instanceof Error && error.message ? error.message : String(error);
}

/**
 * The dashboard's one live connection: `GET /api/negotiate` for a client URL, then the official Web PubSub client with
 * automatic reconnect (the JSON subprotocol: a dropped connection is reported at once and the views catch up from the
 * HTTP API, rather than the reliable protocol's silent 30-second recovery). Views `subscribe` to groups; a group is
 * joined while any view wants it and joined again on every new connection. The platform publishes through the REST
 * API, whose group sends reach clients as server messages without the group's name; `route` names the groups of such
 * a message, and it goes to the views subscribed to them. A start that fails is retried with backoff
 * (1 s doubling to 30 s), except for a refused key, which waits for new settings.
 */
export class LiveConnection {
    readonly state: Observable<ConnectionState>;
    /** When the last live message arrived (ms), or null. Not an observable: it changes many times a second. */
    lastMessageAt: number | null = null;
    /** Live messages received since the page started (the status bar shows the rate). */
    messagesReceived = 0;
    private readonly createClient: PubSubClientFactory;
    private readonly route: MessageRouter;
    private readonly timers: Timers;
    private readonly groups = new GroupSet();
    private readonly handlers = new Map<string, Set<MessageHandler>>();
    private readonly reconnectListeners = new Set<() => void>();
    private getUrl: (() => Promise<string>) | null = null;
    private client: PubSubClient | null = null;
    private generation = 0;
    private retryTimer: unknown = null;

    constructor(createClient: PubSubClientFactory, route: MessageRouter, timers: Timers = browserTimers) {
        this.createClient = createClient;
        this.route = route;
        this.timers = timers;
        this.state = new Observable(initialConnectionState(timers.now()));
    }

    /** (Re)starts with a way to get client URLs; null stops and stays idle with `reason`. */
    configure(getUrl: (() => Promise<string>) | null, reason = "no API key: enter one in Settings"): void {
        this.getUrl = getUrl;
        this.shutdown();
        if (getUrl === null) {
            this.dispatch({ type: "idle", at: this.timers.now(), reason });
            return;
        }
        void this.connect();
    }

    /** Stops for good (page unload, tests). */
    close(): void {
        this.getUrl = null;
        this.shutdown();
        this.dispatch({ type: "idle", at: this.timers.now(), reason: "closed" });
    }

    /**
     * Receives the messages of a group while the returned function is not called. The group is joined now when
     * connected, else on the next connection.
     */
    subscribe(group: string, handler: MessageHandler): () => void {
        let set = this.handlers.get(group);
        if (!set) {
            set = new Set();
            this.handlers.set(group, set);
        }
        set.add(handler);
        if (this.groups.want(group) && this.state.get().status === "connected") {
            this.join(group, this.generation);
        }

        let done = false;
        return () => {
            if (done) return;
            done = true;
            set.delete(handler);
            if (set.size === 0) this.handlers.delete(group);
            if (this.groups.release(group)) {
                this.groups.markLeft(group);
                if (this.client && this.state.get().status === "connected") {
                    this.client.leaveGroup(group).catch(() => {
                        // Leaving is best effort: messages of groups nobody wants are dropped anyway.
                    });
                }
            }
        };
    }

    /** Called after every re-connection (not the first connection), so views can fetch what they missed. */
    onReconnected(listener: () => void): () => void {
        this.reconnectListeners.add(listener);
        return () => {
            this.reconnectListeners.delete(listener);
        };
    }

    /** Groups joined on the current connection. */
    joinedGroups(): string[] {
        return this.groups.joined();
    }

    private dispatch(event: ConnectionEvent): void {
        this.state.set(reduceConnection(this.state.get(), event));
    }

    private shutdown(): void {
        this.generation++;
        if (this.retryTimer !== null) {
            this.timers.clearTimeout(this.retryTimer);
            this.retryTimer = null;
        }
        const client = this.client;
        this.client = null;
        this.groups.connectionLost();
        if (client) {
            try {
                client.stop();
            } catch {
                // A client that cannot stop is dropped all the same.
            }
        }
    }

    private async connect(): Promise<void> {
        const getUrl = this.getUrl;
        if (!getUrl) return;
        const generation = this.generation;
        this.dispatch({ type: "start", at: this.timers.now() });
        const client = this.createClient(getUrl);
        this.client = client;
        const current = () => generation === this.generation && this.client === client;

        client.on("connected", (e) => {
            if (!current()) return;
            const wasConnected = this.state.get().everConnected;
            this.groups.connectionLost();
            this.dispatch({ type: "connected", at: this.timers.now(), connectionId: e.connectionId });
            for (const group of this.groups.pending()) this.join(group, generation);
            if (wasConnected) {
                for (const listener of [...this.reconnectListeners]) listener();
            }
        });
        client.on("disconnected", (e) => {
            if (!current()) return;
            this.groups.connectionLost();
            this.dispatch({ type: "disconnected", at: this.timers.now(), reason: e.message?.data?.reason || "connection lost" });
        });
        client.on("stopped", () => {
            if (!current()) return;
            this.scheduleRetry(generation, "the client stopped reconnecting");
        });
        client.on("group-message", (e) => {
            if (!current()) return;
            this.messagesReceived++;
            this.deliver(e.message.group, e.message.data);
        });
        client.on("server-message", (e) => {
            if (!current()) return;
            this.messagesReceived++;
            this.lastMessageAt = this.timers.now();
            for (const group of this.route(e.message.data)) this.deliver(group, e.message.data);
        });

        try {
            await client.start();
        } catch (error) {
            if (!current()) return;
            this.client = null;
            if (error instanceof PermanentFailure) {
                this.dispatch({ type: "failed", at: this.timers.now(), reason: reasonOf(error), retryAt: null });
                return;
            }
            this.scheduleRetry(generation, reasonOf(error));
        }
    }

    private deliver(group: string, data: unknown): void {
        this.lastMessageAt = this.timers.now();
        const set = this.handlers.get(group);
        if (!set) return;
        for (const handler of [...set]) {
            try {
                handler(data, group);
            } catch (error) {
                // One view's failure must not stop the others from getting the message.
                console.error(`live message for group '${group}' failed in a view:`, error);
            }
        }
    }

    private scheduleRetry(generation: number, reason: string): void {
        if (generation !== this.generation) return;
        const delay = retryDelay(this.state.get().attempt + 1);
        const at = this.timers.now();
        this.dispatch({ type: "failed", at, reason, retryAt: at + delay });
        this.retryTimer = this.timers.setTimeout(() => {
            this.retryTimer = null;
            if (generation !== this.generation) return;
            this.dispatch({ type: "retry", at: this.timers.now() });
            this.generation++;
            void this.connect();
        }, delay);
    }

    private join(group: string, generation: number): void {
        const client = this.client;
        if (!client) return;
        client.joinGroup(group).then(
            () => {
                if (generation === this.generation && this.groups.isWanted(group)) this.groups.markJoined(group);
            },
            () => {
                // Not joined: it stays pending and is joined on the next connection.
            },
        );
    }
}
