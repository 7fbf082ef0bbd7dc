import type { IndicatorInfo, IndicatorValuesAnswer } from "../api/types";

/**
 * Indicators chosen from the catalog (`GET /api/indicators`): the spec text the API takes, where each output is drawn,
 * and the API's columns turned into chart lines.
 */

/** Outputs drawn on the price scale, per indicator; every other indicator gets a pane of its own. */
const priceOutputs: Record<string, readonly string[]> = {
    bb: ["middle", "upper", "lower"],
    keltner: ["upper", "center", "lower"],
    donchian: ["upper", "center", "lower"],
    psar: ["sar"],
    supertrend: ["supertrend"],
    ichimoku: ["tenkan", "kijun", "senkoua", "senkoub"],
    vwap: ["vwap"],
    chandelier: ["long", "short"],
    linreg: ["intercept"],
    elderray: ["ema"],
};

/** Outputs not worth a line (flags, or values on another scale than the rest of the indicator's pane). */
const hiddenOutputs: Record<string, readonly string[]> = {
    psar: ["reversal"],
    atr: ["tr"],
    stddev: ["mean"],
    linreg: ["r2"],
};

export interface Placement {
    /** "price": over the candles; "pane": a pane of its own below. */
    pane: "price" | "pane";
    /** The outputs drawn, in the catalog's order. */
    outputs: string[];
}

/** Where an indicator's outputs go. Look-ahead outputs (ichimoku's chikou) are never drawn live. */
export function placement(info: IndicatorInfo): Placement {
    const names = info.outputs.filter((o) => !o.lookAhead).map((o) => o.name);
    const onPrice = info.category === "moving averages" ? names : (priceOutputs[info.name] ?? []).filter((n) => names.includes(n));
    if (onPrice.length > 0) {
        return { pane: "price", outputs: onPrice };
    }
    const hidden = hiddenOutputs[info.name] ?? [];
    const shown = names.filter((n) => !hidden.includes(n));
    return { pane: "pane", outputs: shown.length > 0 ? shown : names };
}

export type ParameterValues = Record<string, string>;

export type SpecResult = { ok: true; spec: string } | { ok: false; errors: string[] };

function format(value: number): string {
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
}

/**
 * The spec text for an indicator and the parameter values typed (`ema(20)`, `bb(20,2)`); every value is checked
 * against the catalog's bounds and kind, each error naming the parameter, the rule and the value.
 */
export function buildSpec(info: IndicatorInfo, values: ParameterValues): SpecResult {
    const errors: string[] = [];
    const numbers: string[] = [];
    for (const parameter of info.parameters) {
        const raw = (values[parameter.name] ?? "").trim();
        const text = raw === "" ? String(parameter.default) : raw;
        const value = Number(text);
        if (!Number.isFinite(value) || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) {
            errors.push(`${info.name}.${parameter.name}: must be a number (got '${raw}')`);
            continue;
        }
        if (parameter.type === "integer" && !Number.isInteger(value)) {
            errors.push(`${info.name}.${parameter.name}: must be a whole number (got '${raw}')`);
            continue;
        }
        if (value < parameter.min || value > parameter.max) {
            errors.push(`${info.name}.${parameter.name}: must be between ${format(parameter.min)} and ${format(parameter.max)} (got '${raw}')`);
            continue;
        }
        numbers.push(format(value));
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, spec: `${info.name}(${numbers.join(",")})` };
}

/** A chart point: time in Unix ms. */
export interface LinePoint {
    time: number;
    value: number;
}

/** The API's columns (`time[]`, `values[field][]`, null while warming up) as one line per output, without the gaps. */
export function toLines(answer: IndicatorValuesAnswer, outputs: readonly string[]): Map<string, LinePoint[]> {
    const lines = new Map<string, LinePoint[]>();
    for (const output of outputs) {
        const column = answer.fields.indexOf(output);
        const values = column >= 0 ? answer.values[column] : undefined;
        const points: LinePoint[] = [];
        if (values) {
            for (let i = 0; i < answer.time.length && i < values.length; i++) {
                const value = values[i];
                if (typeof value === "number" && Number.isFinite(value)) points.push({ time: answer.time[i]!, value });
            }
        }
        lines.set(output, points);
    }
    return lines;
}
