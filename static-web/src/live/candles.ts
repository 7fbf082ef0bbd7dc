import type { ApiBar } from "../api/types";
import type { BarMessage } from "./messages";

/** One candle; `time` is the bar's start in Unix milliseconds. */
export interface Candle {
    time: number;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
    /** True once the bar is closed; a forming bar changes with every tick until then. */
    final: boolean;
}

/**
 * What a live message did to the series, so a chart can do the least work: `last` replaced the newest candle (a
 * forming bar moved, or it became final), `append` added a newer one, `reset` changed an older one (a late update or a
 * gap filled: redraw everything), `none` changed nothing (another symbol or timeframe, or a forming update older than
 * the final bar already held).
 */
export type CandleChange =
    | { kind: "none" }
    | { kind: "last"; candle: Candle }
    | { kind: "append"; candle: Candle }
    | { kind: "reset" };

const timeframeMs: Record<string, number> = { "1m": 60_000, "5m": 300_000, "15m": 900_000, "1h": 3_600_000 };

/** The timeframes the live pipeline builds and the API stores. */
export const timeframes = ["1m", "5m", "15m", "1h"] as const;
export type Timeframe = (typeof timeframes)[number];

/** Length of a timeframe in milliseconds; throws for a timeframe the platform does not build. */
export function timeframeLength(timeframe: string): number {
    const length = timeframeMs[timeframe];
    if (length === undefined) {
        throw new RangeError(`timeframe: must be one of ${timeframes.join(", ")} (got '${timeframe}')`);
    }
    return length;
}

export function isTimeframe(value: string): value is Timeframe {
    return (timeframes as readonly string[]).includes(value);
}

function fromMessage(message: BarMessage): Candle {
    return { time: message.time, open: message.open, high: message.high, low: message.low, close: message.close, volume: message.volume, final: message.final };
}

/**
 * The candles of one symbol and timeframe, oldest first, fed by stored history and live bar messages in any order.
 * Bars are keyed by start time and a message is the bar's newest state (the pipeline's contract), except that a
 * forming update never replaces a bar already final. Mutable on purpose: a live chart applies many updates per second
 * and must not copy the whole series for each; `version` changes with every change.
 */
export class CandleSeries {
    readonly symbol: string;
    readonly timeframe: string;
    readonly maxCandles: number;
    private items: Candle[] = [];
    private changes = 0;

    constructor(symbol: string, timeframe: string, maxCandles = 50_000) {
        if (!Number.isInteger(maxCandles) || maxCandles < 1) {
            throw new RangeError(`maxCandles: must be a whole number of at least 1 (got ${maxCandles})`);
        }
        this.symbol = symbol;
        this.timeframe = timeframe;
        this.maxCandles = maxCandles;
    }

    /** Increases with every change. */
    get version(): number {
        return this.changes;
    }

    get length(): number {
        return this.items.length;
    }

    get last(): Candle | undefined {
        return this.items[this.items.length - 1];
    }

    /** The candles, oldest first (the series' own array: do not change it). */
    get candles(): readonly Candle[] {
        return this.items;
    }

    /** The candle starting at `time`, if held. */
    at(time: number): Candle | undefined {
        const index = this.find(time);
        return index >= 0 ? this.items[index] : undefined;
    }

    /**
     * Merges stored (final) bars, e.g. history loaded after live messages began to arrive: a bar held as final from a
     * live message stays, anything else at the same time is replaced, and newer live bars are kept.
     */
    mergeHistory(bars: readonly ApiBar[]): void {
        const merged = new Map<number, Candle>();
        for (const bar of bars) {
            if (!Number.isFinite(bar.time) || !(bar.high >= bar.low)) continue;
            merged.set(bar.time, { time: bar.time, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume, final: true });
        }
        for (const candle of this.items) {
            const stored = merged.get(candle.time);
            if (!stored || candle.final) merged.set(candle.time, candle);
        }
        this.items = [...merged.values()].sort((a, b) => a.time - b.time);
        this.trim();
        this.changes++;
    }

    /** Applies a live bar message (see {@link CandleChange}). */
    apply(message: BarMessage): CandleChange {
        if (message.symbol !== this.symbol || message.timeframe !== this.timeframe) {
            return { kind: "none" };
        }

        const candle = fromMessage(message);
        const last = this.last;
        if (!last || candle.time > last.time) {
            this.items.push(candle);
            const trimmed = this.trim();
            this.changes++;
            return trimmed ? { kind: "reset" } : { kind: "append", candle };
        }

        const index = candle.time === last.time ? this.items.length - 1 : this.find(candle.time);
        if (index >= 0) {
            const held = this.items[index]!;
            if (held.final && !candle.final) {
                return { kind: "none" };
            }
            this.items[index] = candle;
            this.changes++;
            return index === this.items.length - 1 ? { kind: "last", candle } : { kind: "reset" };
        }

        // An older bar not held yet (a gap being filled): insert in order.
        const at = this.insertionPoint(candle.time);
        if (at === 0 && this.items.length >= this.maxCandles) {
            return { kind: "none" };
        }
        this.items.splice(at, 0, candle);
        this.trim();
        this.changes++;
        return { kind: "reset" };
    }

    private find(time: number): number {
        const at = this.insertionPoint(time);
        return at < this.items.length && this.items[at]!.time === time ? at : -1;
    }

    /** The first index whose time is not below `time`. */
    private insertionPoint(time: number): number {
        let low = 0;
        let high = this.items.length;
        while (low < high) {
            const middle = (low + high) >>> 1;
            if (this.items[middle]!.time < time) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    private trim(): boolean {
        const excess = this.items.length - this.maxCandles;
        if (excess > 0) {
            this.items.splice(0, excess);
            return true;
        }
        return false;
    }
}

/**
 * The candle of the `length`-long bar starting at `start`, built from the 1-minute candles inside it (open of the
 * first, highest high, lowest low, close of the last, summed volume), forming; null when none is inside. The
 * platform pushes forming updates for 1-minute bars only and closes longer bars from final 1-minute bars, so a live
 * 5m, 15m or 1h candle moves tick by tick only when built this way.
 */
export function composeBucket(minutes: readonly Candle[], start: number, length: number): Candle | null {
    let candle: Candle | null = null;
    for (const minute of minutes) {
        if (minute.time < start || minute.time >= start + length) continue;
        if (!candle) {
            candle = { ...minute, time: start, final: false };
        } else {
            candle.high = Math.max(candle.high, minute.high);
            candle.low = Math.min(candle.low, minute.low);
            candle.close = minute.close;
            candle.volume += minute.volume;
        }
    }
    return candle;
}
