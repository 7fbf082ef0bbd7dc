import { describe, expect, it } from "vitest";
import { groups, groupsOfMessage, parseLiveMessage } from "../../../src/live/messages";

const bar = { type: "bar", symbol: "BTCUSD", timeframe: "1m", time: 1767225600000, open: 100, high: 101, low: 99, close: 100.5, volume: 3, final: false };

describe("parseLiveMessage", () => {
    it("reads a forming bar, a final bar with indicators, a quote and a signal as the pipeline writes them", () => {
        expect(parseLiveMessage(bar)).toEqual({ ok: true, message: bar });
        const final = parseLiveMessage(JSON.stringify({ ...bar, final: true, indicators: { "sma(20).sma": 100.2, "rsi(14).rsi": null } }));
        expect(final).toEqual({ ok: true, message: { ...bar, final: true, indicators: { "sma(20).sma": 100.2, "rsi(14).rsi": null } } });
        const quote = { type: "quote", symbol: "ETHUSD", time: 5, price: 3000.5, size: 0.1, bid: null, ask: 3000.6, seq: 12 };
        expect(parseLiveMessage(quote)).toEqual({ ok: true, message: quote });
        const signal = { type: "signal", id: "BTCUSD|ema-cross|1m|LongEntry|60000", symbol: "BTCUSD", strategy: "ema-cross", timeframe: "1m", kind: "longEntry", time: 60000, price: 100 };
        expect(parseLiveMessage(signal)).toEqual({ ok: true, message: signal });
    });

    it("names the field, the rule and the value of a bad message", () => {
        expect(parseLiveMessage({ ...bar, close: "100" })).toEqual({ ok: false, reason: "bar message: close: must be a positive number (got '100')" });
        expect(parseLiveMessage({ ...bar, high: 90 })).toEqual({ ok: false, reason: "bar message: high: must not be below low (got high 90, low 99)" });
        expect(parseLiveMessage({ ...bar, final: "yes" })).toEqual({ ok: false, reason: "bar message: final: must be true or false (got 'yes')" });
        expect(parseLiveMessage({ type: "quote", symbol: "", time: 1, price: 1, size: 1 })).toEqual({ ok: false, reason: "quote message: symbol: must be a non-empty string (got '')" });
        const kind = parseLiveMessage({ type: "signal", id: "x", symbol: "A", strategy: "s", timeframe: "1m", kind: "buy", time: 1, price: 1 });
        expect(kind).toEqual({ ok: false, reason: "signal message: kind: must be one of longEntry, longExit, shortEntry, shortExit (got 'buy')" });
    });

    it("refuses what is not a message object", () => {
        expect(parseLiveMessage("{oops")).toEqual({ ok: false, reason: "message: must be JSON (got '{oops')" });
        expect(parseLiveMessage([1])).toEqual({ ok: false, reason: "message: must be a JSON object (got [1])" });
        expect(parseLiveMessage(null)).toEqual({ ok: false, reason: "message: must be a JSON object (got null)" });
        expect(parseLiveMessage({ type: "trade" })).toEqual({ ok: false, reason: "type: must be bar, quote or signal (got 'trade')" });
    });

    it("reads non-finite indicator values as null", () => {
        const parsed = parseLiveMessage({ ...bar, final: true, indicators: { a: "x", b: 2 } });
        expect(parsed.ok && parsed.message.type === "bar" ? parsed.message.indicators : undefined).toEqual({ a: null, b: 2 });
    });
});

describe("groups", () => {
    it("spells the platform's group names", () => {
        expect(groups.bars("BTCUSD", "5m")).toBe("bars.BTCUSD.5m");
        expect(groups.quotes("SPY")).toBe("quotes.SPY");
        expect(groups.symbolSignals("SPY")).toBe("signals.SPY");
        expect(groups.signals).toBe("signals");
    });
});

describe("groupsOfMessage", () => {
    it("names the groups a pushed message was sent to", () => {
        expect(groupsOfMessage(bar)).toEqual(["bars.BTCUSD.1m"]);
        expect(groupsOfMessage(JSON.stringify({ type: "quote", symbol: "SPY" }))).toEqual(["quotes.SPY"]);
        expect(groupsOfMessage({ type: "signal", symbol: "SPY" })).toEqual(["signals", "signals.SPY"]);
    });

    it("gives no group for anything else", () => {
        expect(groupsOfMessage({ type: "bar", symbol: "X" })).toEqual([]);
        expect(groupsOfMessage({ type: "other", symbol: "X" })).toEqual([]);
        expect(groupsOfMessage({ hello: 1 })).toEqual([]);
        expect(groupsOfMessage("{")).toEqual([]);
        expect(groupsOfMessage(7)).toEqual([]);
    });
});
