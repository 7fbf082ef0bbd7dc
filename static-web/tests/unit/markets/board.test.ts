import { describe, expect, it } from "vitest";
import { arrangeRows, boardBars, isStale, QuoteBoard, togglePin, type BoardRow } from "../../../src/markets/board";
import type { BarMessage } from "../../../src/live/messages";

const q = 900_000; // 15 minutes
const t0 = 1767225600000;

function bar(symbol: string, time: number, open: number, close: number, volume: number, final = true): BarMessage {
    return { type: "bar", symbol, timeframe: "15m", time, open, high: Math.max(open, close), low: Math.min(open, close), close, volume, final };
}

describe("QuoteBoard", () => {
    it("computes last, change and volume over the 24-hour window, and the sparkline from the closes", () => {
        const board = new QuoteBoard();
        board.setSymbols(["btcusd"]);
        board.setHistory("BTCUSD", [
            { time: t0, open: 100, high: 110, low: 95, close: 105, volume: 2 },
            { time: t0 + q, open: 105, high: 112, low: 104, close: 110, volume: 3 },
        ]);
        let row = board.rows()[0]!;
        expect(row).toMatchObject({ symbol: "BTCUSD", last: 110, change: 10, changePercent: 10, volume: 5, spark: [105, 110], receivedAt: null });

        board.applyBar(bar("BTCUSD", t0 + 2 * q, 110, 120, 1, false), 5000);
        board.applyQuote({ type: "quote", symbol: "BTCUSD", time: t0 + 2 * q + 1000, price: 121, size: 1, bid: 120.9, ask: 121.1, seq: 1 }, 5001);
        row = board.rows()[0]!;
        expect(row).toMatchObject({ last: 121, bid: 120.9, ask: 121.1, change: 21, volume: 6, spark: [105, 110, 121], receivedAt: 5001 });
    });

    it("starts a new sparkline point when the quote is past the newest bar, and ignores older quotes", () => {
        const board = new QuoteBoard();
        board.setSymbols(["SPY"]);
        board.applyBar(bar("SPY", t0, 500, 501, 10), 1);
        expect(board.applyQuote({ symbol: "SPY", time: t0 + q + 5, price: 502, size: 1, updatedAt: "x" }, 2)).toBe(true);
        expect(board.rows()[0]!.spark).toEqual([501, 502]);
        expect(board.applyQuote({ symbol: "SPY", time: t0 + 1, price: 400, size: 1, updatedAt: "x" }, 3)).toBe(false);
        expect(board.rows()[0]!.last).toBe(502);
    });

    it("builds the quarter hours after the newest stored one from 1-minute bars, live ones included", () => {
        const board = new QuoteBoard();
        board.setSymbols(["SOLUSD"]);
        const minute = (time: number, open: number, close: number, volume: number, final = true): BarMessage => ({ ...bar("SOLUSD", time, open, close, volume, final), timeframe: "1m" });
        board.setHistory("SOLUSD", [{ time: t0, open: 100, high: 101, low: 99, close: 100, volume: 10 }], [{ time: t0 + q, open: 100, high: 103, low: 100, close: 102, volume: 1 }]);
        expect(board.applyBar(minute(t0 + q + 60_000, 102, 104, 2, false), 10)).toBe(true);
        let row = board.rows()[0]!;
        expect(row).toMatchObject({ last: 104, volume: 13, spark: [100, 104], change: 4 });
        board.applyBar(minute(t0 + q + 60_000, 102, 105, 3, true), 11);
        board.applyBar(minute(t0 + 2 * q, 105, 106, 1, false), 12);
        row = board.rows()[0]!;
        expect(row).toMatchObject({ last: 106, volume: 15, spark: [100, 105, 106] });
        // The platform's final quarter hour replaces the one built from minutes.
        board.applyBar(bar("SOLUSD", t0 + q, 100, 105, 4.5), 13);
        row = board.rows()[0]!;
        expect(row).toMatchObject({ volume: 15.5, spark: [100, 105, 106] });
        expect(board.applyBar({ ...minute(t0, 1, 1, 1), timeframe: "5m" }, 14)).toBe(false);
    });

    it("drops bars older than 24 hours before the last price from change and volume", () => {
        const board = new QuoteBoard();
        board.setSymbols(["ETHUSD"]);
        const bars = Array.from({ length: boardBars + 1 }, (_, i) => ({ time: t0 + i * q, open: 100 + i, high: 200, low: 50, close: 101 + i, volume: 1 }));
        board.setHistory("ETHUSD", bars);
        const row = board.rows()[0]!;
        expect(row.spark).toHaveLength(boardBars + 1);
        expect(row.volume).toBe(boardBars + 1);
        expect(row.change).toBe(101 + boardBars - 100);
    });

    it("shows nothing rather than wrong numbers before data arrives, and ignores unknown symbols", () => {
        const board = new QuoteBoard();
        board.setSymbols(["AAA"]);
        expect(board.applyQuote({ symbol: "ZZZ", time: 1, price: 1, size: 1, updatedAt: "x" }, 1)).toBe(false);
        expect(board.applyBar(bar("ZZZ", t0, 1, 1, 1), 1)).toBe(false);
        expect(board.rows()).toEqual([{ symbol: "AAA", last: null, lastTime: null, bid: null, ask: null, change: null, changePercent: null, volume: null, spark: [], receivedAt: null }]);
    });

    it("keeps only the symbols asked for", () => {
        const board = new QuoteBoard();
        board.setSymbols(["A", "B"]);
        board.setSymbols(["B", "C"]);
        expect(board.symbols.sort()).toEqual(["B", "C"]);
    });
});

function row(symbol: string, last: number | null, changePercent: number | null, volume: number | null): BoardRow {
    return { symbol, last, lastTime: null, bid: null, ask: null, change: null, changePercent, volume, spark: [], receivedAt: null };
}

describe("arrangeRows", () => {
    const rows = [row("SPY", 500, 1, 10), row("BTCUSD", 65000, -2, 5), row("ETHUSD", 3000, 3, null), row("SOLUSD", null, null, 1)];

    it("sorts by a column in either direction, rows without a value last", () => {
        const symbols = (key: "symbol" | "last" | "changePercent" | "volume", direction: "asc" | "desc") =>
            arrangeRows(rows, { sortKey: key, direction, filter: "", pinned: [] }).map((r) => r.symbol);
        expect(symbols("symbol", "asc")).toEqual(["BTCUSD", "ETHUSD", "SOLUSD", "SPY"]);
        expect(symbols("last", "desc")).toEqual(["BTCUSD", "ETHUSD", "SPY", "SOLUSD"]);
        expect(symbols("changePercent", "asc")).toEqual(["BTCUSD", "SPY", "ETHUSD", "SOLUSD"]);
        expect(symbols("volume", "desc")).toEqual(["SPY", "BTCUSD", "SOLUSD", "ETHUSD"]);
    });

    it("puts pinned symbols first in pin order, and never filters them out", () => {
        const arranged = arrangeRows(rows, { sortKey: "symbol", direction: "asc", filter: "usd", pinned: ["SPY", "ETHUSD"] });
        expect(arranged.map((r) => r.symbol)).toEqual(["SPY", "ETHUSD", "BTCUSD", "SOLUSD"]);
        const filtered = arrangeRows(rows, { sortKey: "symbol", direction: "asc", filter: " sol ", pinned: [] });
        expect(filtered.map((r) => r.symbol)).toEqual(["SOLUSD"]);
    });

    it("toggles pins", () => {
        expect(togglePin(["A"], "B")).toEqual(["A", "B"]);
        expect(togglePin(["A", "B"], "A")).toEqual(["B"]);
    });
});

describe("isStale", () => {
    it("is stale when offline, when nothing came yet, or when the last update is too old", () => {
        expect(isStale(1000, 2000, true, 5000)).toBe(false);
        expect(isStale(1000, 2000, false, 5000)).toBe(true);
        expect(isStale(null, 2000, true, 5000)).toBe(true);
        expect(isStale(1000, 7001, true, 5000)).toBe(true);
    });
});
