import { describe, expect, it } from "vitest";
import { SignalSet } from "../../../src/markets/signals";

const t0 = 1767225600000;

describe("SignalSet", () => {
    it("deduplicates a signal arriving from the API and live, and ignores other symbols", () => {
        const set = new SignalSet("BTCUSD");
        const signal = { id: "BTCUSD|ema-cross|1m|LongEntry|1", symbol: "BTCUSD", strategy: "ema-cross", timeframe: "1m", kind: "longEntry", time: t0, price: 100 };
        expect(set.add(signal)).toBe(true);
        expect(set.add({ ...signal, type: "signal", kind: "longEntry" })).toBe(false);
        expect(set.add({ ...signal, id: "x", symbol: "ETHUSD" })).toBe(false);
        expect(set.add({ ...signal, id: "y", kind: "buy" })).toBe(false);
        expect(set.size).toBe(1);
    });

    it("marks entries and exits at the start of the chart bar holding them, oldest first", () => {
        const set = new SignalSet("SPY");
        set.add({ id: "b", symbol: "SPY", strategy: "ema-cross", timeframe: "1m", kind: "longExit", time: t0 + 7 * 60_000, price: 101 });
        set.add({ id: "a", symbol: "SPY", strategy: "ema-cross", timeframe: "1m", kind: "longEntry", time: t0 + 2 * 60_000, price: 100 });
        set.add({ id: "c", symbol: "SPY", strategy: "rsi", timeframe: "1m", kind: "shortEntry", time: t0 + 8 * 60_000, price: 102 });
        set.add({ id: "d", symbol: "SPY", strategy: "rsi", timeframe: "1m", kind: "shortExit", time: t0 + 9 * 60_000, price: 99 });
        const marks = set.marks("5m");
        expect(marks.map((m) => [m.id, m.time, m.position, m.shape, m.color, m.text])).toEqual([
            ["a", t0, "belowBar", "arrowUp", "buy", "ema-cross long"],
            ["b", t0 + 5 * 60_000, "aboveBar", "arrowDown", "sell", "ema-cross exit"],
            ["c", t0 + 5 * 60_000, "aboveBar", "arrowDown", "sell", "rsi short"],
            ["d", t0 + 5 * 60_000, "belowBar", "arrowUp", "buy", "rsi exit"],
        ]);
        expect(set.marks("1m").map((m) => m.time)).toEqual([t0 + 2 * 60_000, t0 + 7 * 60_000, t0 + 8 * 60_000, t0 + 9 * 60_000]);
    });
});
