import { describe, expect, it } from "vitest";
import type { IndicatorInfo } from "../../../src/api/types";
import { buildSpec, placement, toLines } from "../../../src/markets/indicators";

function info(name: string, category: string, outputs: string[], parameters: IndicatorInfo["parameters"] = [], lookAhead: string[] = []): IndicatorInfo {
    return {
        name,
        fullName: name,
        aliases: [],
        category,
        description: "",
        usesSource: false,
        parameters,
        outputs: outputs.map((o) => ({ name: o, description: "", lookAhead: lookAhead.includes(o) })),
        warmup: 0,
    };
}

const lookback = { name: "lookback", type: "integer" as const, default: 20, min: 1, max: 5000, description: "" };
const multiplier = { name: "multiplier", type: "number" as const, default: 2, min: 0.1, max: 10, description: "" };

describe("placement", () => {
    it("draws moving averages and price bands on the price scale", () => {
        expect(placement(info("ema", "moving averages", ["ema"]))).toEqual({ pane: "price", outputs: ["ema"] });
        expect(placement(info("bb", "volatility", ["middle", "upper", "lower", "percentb", "width"]))).toEqual({ pane: "price", outputs: ["middle", "upper", "lower"] });
        expect(placement(info("ichimoku", "trend", ["tenkan", "kijun", "senkoua", "senkoub", "chikou"], [], ["chikou"]))).toEqual({
            pane: "price",
            outputs: ["tenkan", "kijun", "senkoua", "senkoub"],
        });
    });

    it("gives oscillators a pane of their own, without flag outputs", () => {
        expect(placement(info("rsi", "oscillators", ["rsi"]))).toEqual({ pane: "pane", outputs: ["rsi"] });
        expect(placement(info("macd", "oscillators", ["macd", "signal", "histogram"]))).toEqual({ pane: "pane", outputs: ["macd", "signal", "histogram"] });
        expect(placement(info("atr", "volatility", ["tr", "atr", "atrp"]))).toEqual({ pane: "pane", outputs: ["atr", "atrp"] });
    });
});

describe("buildSpec", () => {
    const bb = info("bb", "volatility", ["middle"], [lookback, multiplier]);

    it("writes the spec with defaults for empty fields", () => {
        expect(buildSpec(bb, { lookback: "50", multiplier: "" })).toEqual({ ok: true, spec: "bb(50,2)" });
        expect(buildSpec(bb, { lookback: " 10 ", multiplier: "2.5" })).toEqual({ ok: true, spec: "bb(10,2.5)" });
        expect(buildSpec(info("obv", "volume", ["obv"]), {})).toEqual({ ok: true, spec: "obv()" });
    });

    it("names the parameter, the rule and the value of every bad field", () => {
        expect(buildSpec(bb, { lookback: "0", multiplier: "x" })).toEqual({
            ok: false,
            errors: ["bb.lookback: must be between 1 and 5000 (got '0')", "bb.multiplier: must be a number (got 'x')"],
        });
        expect(buildSpec(bb, { lookback: "2.5" })).toEqual({ ok: false, errors: ["bb.lookback: must be a whole number (got '2.5')"] });
        expect(buildSpec(bb, { lookback: "1e9" })).toEqual({ ok: false, errors: ["bb.lookback: must be between 1 and 5000 (got '1e9')"] });
        expect(buildSpec(bb, { lookback: "Infinity" }).ok).toBe(false);
    });
});

describe("toLines", () => {
    it("turns the API's columns into one line per output without warm-up gaps", () => {
        const lines = toLines({ symbol: "X", timeframe: "1m", spec: "bb(2,2)", fields: ["middle", "upper"], time: [1, 2, 3], values: [[null, 2, 3], [null, null, 4]] }, ["upper", "middle", "absent"]);
        expect(lines.get("middle")).toEqual([{ time: 2, value: 2 }, { time: 3, value: 3 }]);
        expect(lines.get("upper")).toEqual([{ time: 3, value: 4 }]);
        expect(lines.get("absent")).toEqual([]);
    });
});
