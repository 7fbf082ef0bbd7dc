import { describe, expect, it } from "vitest";
import { describeConnection, initialConnectionState, reduceConnection, retryDelay, type ConnectionEvent, type ConnectionState } from "../../../src/live/connectionState";

function run(events: ConnectionEvent[]): ConnectionState {
    return events.reduce(reduceConnection, initialConnectionState(0));
}

describe("reduceConnection", () => {
    it("goes connecting → connected on the first start", () => {
        const connecting = run([{ type: "start", at: 1 }]);
        expect(connecting.status).toBe("connecting");
        const connected = reduceConnection(connecting, { type: "connected", at: 2, connectionId: "c1" });
        expect(connected).toMatchObject({ status: "connected", since: 2, attempt: 0, reason: null, connectionId: "c1", everConnected: true });
    });

    it("shows reconnecting after a dropped connection and connected again after it recovers", () => {
        const dropped = run([
            { type: "start", at: 1 },
            { type: "connected", at: 2, connectionId: "c1" },
            { type: "disconnected", at: 10, reason: "connection lost" },
        ]);
        expect(dropped).toMatchObject({ status: "reconnecting", since: 10, reason: "connection lost", connectionId: null, attempt: 1 });
        const again = reduceConnection(dropped, { type: "connected", at: 12, connectionId: "c2" });
        expect(again).toMatchObject({ status: "connected", attempt: 0, connectionId: "c2" });
    });

    it("is offline after a failed start, with the reason and the retry time, then retries as connecting or reconnecting", () => {
        const failed = run([
            { type: "start", at: 1 },
            { type: "failed", at: 2, reason: "API not reachable", retryAt: 1002 },
        ]);
        expect(failed).toMatchObject({ status: "offline", reason: "API not reachable", retryAt: 1002, attempt: 1 });
        expect(describeConnection(failed, 502)).toBe("offline: API not reachable; retrying in 1 s");
        expect(reduceConnection(failed, { type: "retry", at: 1002 }).status).toBe("connecting");

        const afterConnection = run([
            { type: "start", at: 1 },
            { type: "connected", at: 2, connectionId: "c1" },
            { type: "stopped", at: 3, reason: "the client stopped reconnecting", retryAt: 4 },
            { type: "retry", at: 4 },
        ]);
        expect(afterConnection.status).toBe("reconnecting");
    });

    it("counts attempts across failures and resets them on success", () => {
        const state = run([
            { type: "start", at: 1 },
            { type: "failed", at: 2, reason: "x", retryAt: 3 },
            { type: "retry", at: 3 },
            { type: "start", at: 3 },
            { type: "failed", at: 4, reason: "x", retryAt: 6 },
        ]);
        expect(state.attempt).toBe(2);
        expect(reduceConnection(state, { type: "connected", at: 7, connectionId: "c" }).attempt).toBe(0);
    });

    it("stays idle (no key) whatever the client reports, until started", () => {
        const idle = run([{ type: "idle", at: 1, reason: "no API key: enter one in Settings" }]);
        expect(reduceConnection(idle, { type: "disconnected", at: 2, reason: "x" })).toBe(idle);
        expect(reduceConnection(idle, { type: "failed", at: 2, reason: "x", retryAt: null })).toBe(idle);
        expect(reduceConnection(idle, { type: "retry", at: 2 })).toBe(idle);
        expect(describeConnection(idle, 0)).toBe("offline: no API key: enter one in Settings");
    });

    it("keeps `since` when the status does not change", () => {
        const a = run([
            { type: "start", at: 1 },
            { type: "connected", at: 2, connectionId: "c1" },
            { type: "disconnected", at: 3, reason: "x" },
            { type: "disconnected", at: 9, reason: "y" },
        ]);
        expect(a.since).toBe(3);
        expect(a.reason).toBe("y");
    });
});

describe("retryDelay", () => {
    it("doubles from 1 s to at most 30 s", () => {
        expect([1, 2, 3, 4, 5, 6, 7, 50].map(retryDelay)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
        expect(retryDelay(0)).toBe(1000);
    });
});
