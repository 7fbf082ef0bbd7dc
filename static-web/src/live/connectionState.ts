/**
 * The live connection's state as the status bar shows it. A pure reducer, so every transition is tested:
 * `connecting` (first attempt), `connected`, `reconnecting` (was connected, or is retrying after a failure),
 * `offline` (no connection and none being attempted right now: no key, API unreachable, client stopped; a retry is
 * scheduled unless `idle`), `idle` (not started: no API key).
 */

export type ConnectionStatus = "idle" | "connecting" | "connected" | "reconnecting" | "offline";

export interface ConnectionState {
    status: ConnectionStatus;
    /** When the status last changed (ms). */
    since: number;
    /** Failed attempts since the last success. */
    attempt: number;
    /** Why the connection is not up, in words; null while connected. */
    reason: string | null;
    connectionId: string | null;
    /** Whether a connection was ever made (later attempts are re-connections). */
    everConnected: boolean;
    /** When the next automatic attempt is due while offline (ms), or null. */
    retryAt: number | null;
}

export type ConnectionEvent =
    | { type: "start"; at: number }
    | { type: "connected"; at: number; connectionId: string }
    | { type: "disconnected"; at: number; reason: string }
    | { type: "failed"; at: number; reason: string; retryAt: number | null }
    | { type: "stopped"; at: number; reason: string; retryAt: number | null }
    | { type: "retry"; at: number }
    | { type: "idle"; at: number; reason: string };

export function initialConnectionState(at: number): ConnectionState {
    return { status: "idle", since: at, attempt: 0, reason: "not started", connectionId: null, everConnected: false, retryAt: null };
}

function moved(state: ConnectionState, status: ConnectionStatus, at: number, changes: Partial<ConnectionState>): ConnectionState {
    return { ...state, ...changes, status, since: status === state.status ? state.since : at };
}

export function reduceConnection(state: ConnectionState, event: ConnectionEvent): ConnectionState {
    switch (event.type) {
        case "start":
            return moved(state, state.everConnected ? "reconnecting" : "connecting", event.at, { reason: null, retryAt: null, connectionId: null });
        case "connected":
            return moved(state, "connected", event.at, { attempt: 0, reason: null, connectionId: event.connectionId, everConnected: true, retryAt: null });
        case "disconnected":
            // The client reconnects by itself after a dropped connection.
            if (state.status === "idle") return state;
            return moved(state, "reconnecting", event.at, { reason: event.reason, connectionId: null, attempt: state.attempt + 1 });
        case "failed":
        case "stopped":
            if (state.status === "idle") return state;
            return moved(state, "offline", event.at, { reason: event.reason, connectionId: null, attempt: state.attempt + 1, retryAt: event.retryAt });
        case "retry":
            if (state.status !== "offline") return state;
            return moved(state, state.everConnected ? "reconnecting" : "connecting", event.at, { retryAt: null });
        case "idle":
            return moved(state, "idle", event.at, { reason: event.reason, connectionId: null, retryAt: null, attempt: 0 });
    }
}

/** Delay before automatic attempt number `attempt` (1, 2, …): 1 s doubling to at most 30 s. */
export function retryDelay(attempt: number): number {
    const exponent = Math.max(0, Math.min(attempt - 1, 10));
    return Math.min(30_000, 1000 * 2 ** exponent);
}

/** The status bar's words for a state. */
export function describeConnection(state: ConnectionState, now: number): string {
    switch (state.status) {
        case "idle":
            return `offline: ${state.reason ?? "not started"}`;
        case "connecting":
            return "connecting…";
        case "connected":
            return "connected";
        case "reconnecting":
            return state.reason ? `reconnecting (${state.reason})` : "reconnecting…";
        case "offline": {
            const wait = state.retryAt !== null ? Math.max(0, Math.ceil((state.retryAt - now) / 1000)) : null;
            return `offline: ${state.reason ?? "no connection"}${wait !== null ? `; retrying in ${wait} s` : ""}`;
        }
    }
}
