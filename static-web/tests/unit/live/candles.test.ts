import { describe, expect, it } from "vitest";
import { CandleSeries, composeBucket, timeframeLength, type Candle } from "../../../src/live/candles";
import type { BarMessage } from "../../../src/live/messages";

const minute = 60_000;
const t0 = 1767225600000;

function msg(time: number, close: number, final: boolean, extra: Partial<BarMessage> = {}): BarMessage {
    return { type: "bar", symbol: "BTCUSD", timeframe: "1m", time, open: 100, high: Math.max(100, close), low: Math.min(100, close), close, volume: 1, final, ...extra };
}

describe("CandleSeries.apply", () => {
    it("updates the forming candle in place and appends the next one", () => {
        const series = new CandleSeries("BTCUSD", "1m");
        expect(series.apply(msg(t0, 101, false))).toMatchObject({ kind: "append" });
        expect(series.apply(msg(t0, 102, false))).toMatchObject({ kind: "last", candle: { close: 102, final: false } });
        expect(series.apply(msg(t0, 103, true))).toMatchObject({ kind: "last", candle: { close: 103, final: true } });
        expect(series.apply(msg(t0 + minute, 104, false))).toMatchObject({ kind: "append", candle: { time: t0 + minute } });
        expect(series.candles.map((c) => [c.time, c.close, c.final])).toEqual([
            [t0, 103, true],
            [t0 + minute, 104, false],
        ]);
        expect(series.version).toBe(4);
    });

    it("never lets a late forming update replace a final bar", () => {
        const series = new CandleSeries("BTCUSD", "1m");
        series.apply(msg(t0, 103, true));
        const before = series.version;
        expect(series.apply(msg(t0, 99, false))).toEqual({ kind: "none" });
        expect(series.last).toMatchObject({ close: 103, final: true });
        expect(series.version).toBe(before);
    });

    it("replaces an older bar or fills a gap with a reset, keeping time order", () => {
        const series = new CandleSeries("BTCUSD", "1m");
        series.apply(msg(t0, 101, true));
        series.apply(msg(t0 + 2 * minute, 103, false));
        expect(series.apply(msg(t0 + minute, 102, true))).toEqual({ kind: "reset" });
        expect(series.apply(msg(t0, 100.5, true))).toEqual({ kind: "reset" });
        expect(series.candles.map((c) => [c.time, c.close])).toEqual([
            [t0, 100.5],
            [t0 + minute, 102],
            [t0 + 2 * minute, 103],
        ]);
    });

    it("ignores other symbols and timeframes", () => {
        const series = new CandleSeries("BTCUSD", "1m");
        expect(series.apply(msg(t0, 101, false, { symbol: "ETHUSD" }))).toEqual({ kind: "none" });
        expect(series.apply(msg(t0, 101, false, { timeframe: "5m" }))).toEqual({ kind: "none" });
        expect(series.length).toBe(0);
    });

    it("keeps at most maxCandles, dropping the oldest", () => {
        const series = new CandleSeries("BTCUSD", "1m", 3);
        for (let i = 0; i < 3; i++) expect(series.apply(msg(t0 + i * minute, 100 + i, true)).kind).toBe("append");
        expect(series.apply(msg(t0 + 3 * minute, 104, false))).toEqual({ kind: "reset" });
        expect(series.candles.map((c) => c.time)).toEqual([t0 + minute, t0 + 2 * minute, t0 + 3 * minute]);
        expect(series.apply(msg(t0 - minute, 90, true))).toEqual({ kind: "none" });
    });

    it("refuses a nonsensical capacity", () => {
        expect(() => new CandleSeries("X", "1m", 0)).toThrow("maxCandles: must be a whole number of at least 1 (got 0)");
    });
});

describe("CandleSeries.mergeHistory", () => {
    it("merges stored bars under live ones: a live final bar stays, a live forming bar at a stored time is replaced", () => {
        const series = new CandleSeries("BTCUSD", "1m");
        series.apply(msg(t0 + minute, 150, false)); // forming in live, final in storage by the time history arrives
        series.apply(msg(t0 + 2 * minute, 160, true));
        series.apply(msg(t0 + 3 * minute, 170, false));
        series.mergeHistory([
            { time: t0, open: 100, high: 120, low: 90, close: 110, volume: 5 },
            { time: t0 + minute, open: 110, high: 155, low: 105, close: 151, volume: 6 },
            { time: t0 + 2 * minute, open: 151, high: 170, low: 150, close: 159, volume: 7 },
        ]);
        expect(series.candles.map((c) => [c.time, c.close, c.final])).toEqual([
            [t0, 110, true],
            [t0 + minute, 151, true],
            [t0 + 2 * minute, 160, true],
            [t0 + 3 * minute, 170, false],
        ]);
    });

    it("skips corrupt stored bars", () => {
        const series = new CandleSeries("BTCUSD", "1m");
        series.mergeHistory([
            { time: Number.NaN, open: 1, high: 1, low: 1, close: 1, volume: 1 },
            { time: t0, open: 1, high: 0.5, low: 1, close: 1, volume: 1 },
            { time: t0 + minute, open: 1, high: 2, low: 1, close: 1.5, volume: 1 },
        ]);
        expect(series.candles.map((c) => c.time)).toEqual([t0 + minute]);
    });
});

describe("timeframeLength", () => {
    it("knows the platform's timeframes and names a wrong one", () => {
        expect(timeframeLength("1m")).toBe(60_000);
        expect(timeframeLength("1h")).toBe(3_600_000);
        expect(() => timeframeLength("1d")).toThrow("timeframe: must be one of 1m, 5m, 15m, 1h (got '1d')");
    });
});

describe("composeBucket", () => {
    const m = (time: number, open: number, high: number, low: number, close: number, volume: number): Candle => ({ time, open, high, low, close, volume, final: true });

    it("builds the forming candle of a longer bar from the minutes inside it", () => {
        const minutes = [m(t0 - minute, 1, 1, 1, 1, 100), m(t0, 10, 12, 9, 11, 1), m(t0 + minute, 11, 15, 10, 14, 2), m(t0 + 4 * minute, 14, 14, 8, 9, 3), m(t0 + 5 * minute, 9, 9, 9, 9, 50)];
        expect(composeBucket(minutes, t0, 5 * minute)).toEqual({ time: t0, open: 10, high: 15, low: 8, close: 9, volume: 6, final: false });
        expect(composeBucket(minutes, t0 + 10 * minute, 5 * minute)).toBeNull();
    });
});
