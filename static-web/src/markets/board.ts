import type { ApiBar, QuoteAnswer } from "../api/types";
import { CandleSeries, composeBucket, timeframeLength, type Candle } from "../live/candles";
import type { BarMessage, QuoteMessage } from "../live/messages";

/**
 * The bars behind each watchlist row: 15-minute bars over the last 24 hours (sparkline, change, volume). The platform
 * closes a 15-minute bar only every 15 minutes, so the newest quarter hour is built here from the 1-minute bars,
 * which arrive forming, tick by tick.
 */
export const boardTimeframe = "15m";
export const boardMinuteTimeframe = "1m";
export const boardWindowMs = 24 * 60 * 60 * 1000;
export const boardBars = boardWindowMs / timeframeLength(boardTimeframe);
/** 1-minute bars needed to build the newest quarter hour. */
export const boardMinutes = timeframeLength(boardTimeframe) / timeframeLength(boardMinuteTimeframe);
const quarter = timeframeLength(boardTimeframe);

/** One row of the watchlist grid. */
export interface BoardRow {
    symbol: string;
    /** Last trade price (quote, else the newest bar's close); null before anything arrived. */
    last: number | null;
    /** Event time of `last` in Unix ms. */
    lastTime: number | null;
    bid: number | null;
    ask: number | null;
    /** Change of `last` against the open of the first bar in the window. */
    change: number | null;
    changePercent: number | null;
    /** Volume of the bars in the window. */
    volume: number | null;
    /** Closes of the window's bars, oldest first, the last one following `last`. */
    spark: number[];
    /** When this browser last received something for the symbol (ms), for staleness. */
    receivedAt: number | null;
}

interface RowState {
    symbol: string;
    bars: CandleSeries;
    minutes: CandleSeries;
    quote: { price: number; time: number; bid: number | null; ask: number | null } | null;
    receivedAt: number | null;
}

/**
 * The watchlist grid's data: per symbol the latest quote and a 24-hour window of 15-minute bars, fed by the quotes and
 * bars API and by the `quotes.{SYM}`, `bars.{SYM}.15m` and `bars.{SYM}.1m` groups. `version` changes with every change.
 */
export class QuoteBoard {
    private readonly states = new Map<string, RowState>();
    private changes = 0;

    get version(): number {
        return this.changes;
    }

    get symbols(): string[] {
        return [...this.states.keys()];
    }

    /** Keeps exactly these symbols (new ones start empty; others are dropped). */
    setSymbols(symbols: readonly string[]): void {
        const wanted = new Set(symbols.map((s) => s.toUpperCase()));
        for (const symbol of this.states.keys()) {
            if (!wanted.has(symbol)) this.states.delete(symbol);
        }
        for (const symbol of wanted) {
            if (!this.states.has(symbol)) {
                this.states.set(symbol, {
                    symbol,
                    bars: new CandleSeries(symbol, boardTimeframe, boardBars + 1),
                    minutes: new CandleSeries(symbol, boardMinuteTimeframe, 2 * boardMinutes),
                    quote: null,
                    receivedAt: null,
                });
            }
        }
        this.changes++;
    }

    /** Stored 15-minute bars of the window, and the 1-minute bars of the newest quarter hour. */
    setHistory(symbol: string, bars: readonly ApiBar[], minutes: readonly ApiBar[] = []): void {
        const state = this.states.get(symbol);
        if (!state) return;
        state.bars.mergeHistory(bars);
        state.minutes.mergeHistory(minutes);
        this.changes++;
    }

    /** A quote from the API or a live message; an older quote than the one held is ignored. Returns whether it applied. */
    applyQuote(quote: QuoteMessage | QuoteAnswer, receivedAt: number | null): boolean {
        const state = this.states.get(quote.symbol);
        if (!state || (state.quote && state.quote.time > quote.time)) return false;
        state.quote = { price: quote.price, time: quote.time, bid: quote.bid ?? null, ask: quote.ask ?? null };
        if (receivedAt !== null) state.receivedAt = receivedAt;
        this.changes++;
        return true;
    }

    /** A live 15-minute bar (final) or 1-minute bar (forming or final); other timeframes are ignored. */
    applyBar(message: BarMessage, receivedAt: number): boolean {
        const state = this.states.get(message.symbol);
        if (!state) return false;
        const series = message.timeframe === boardTimeframe ? state.bars : message.timeframe === boardMinuteTimeframe ? state.minutes : null;
        if (!series) return false;
        const change = series.apply(message);
        if (change.kind === "none") return false;
        state.receivedAt = receivedAt;
        this.changes++;
        return true;
    }

    rows(): BoardRow[] {
        return [...this.states.values()].map(row);
    }
}

/** The window's 15-minute candles: the stored ones, then quarter hours built from 1-minute bars after the newest stored one. */
function quarterCandles(state: RowState): Candle[] {
    const stored = state.bars.candles;
    const after = stored.length > 0 ? stored[stored.length - 1]!.time : -Infinity;
    const starts = new Set<number>();
    for (const minute of state.minutes.candles) {
        const start = Math.floor(minute.time / quarter) * quarter;
        if (start > after) starts.add(start);
    }
    const built = [...starts].sort((a, b) => a - b).flatMap((start) => composeBucket(state.minutes.candles, start, quarter) ?? []);
    return [...stored, ...built];
}

function row(state: RowState): BoardRow {
    const candles = quarterCandles(state);
    const newest = candles[candles.length - 1];
    const useQuote = state.quote !== null && (!newest || state.quote.time >= newest.time);
    const last = useQuote ? state.quote!.price : newest ? newest.close : null;
    const lastTime = useQuote ? state.quote!.time : newest ? newest.time : null;
    let first = 0;
    if (lastTime !== null) {
        while (first < candles.length && candles[first]!.time < lastTime - boardWindowMs) first++;
    }
    const window = candles.slice(first);
    const open = window[0]?.open ?? null;
    const spark = window.map((c) => c.close);
    if (useQuote && newest) {
        // The quote is the newest price: it moves the forming bar's point, or starts the next one.
        if (state.quote!.time < newest.time + timeframeLength(boardTimeframe)) spark[spark.length - 1] = state.quote!.price;
        else spark.push(state.quote!.price);
    }
    const change = last !== null && open !== null ? last - open : null;
    return {
        symbol: state.symbol,
        last,
        lastTime,
        bid: state.quote?.bid ?? null,
        ask: state.quote?.ask ?? null,
        change,
        changePercent: change !== null && open ? (change / open) * 100 : null,
        volume: window.length > 0 ? window.reduce((sum, c) => sum + c.volume, 0) : null,
        spark,
        receivedAt: state.receivedAt,
    };
}

export type SortKey = "symbol" | "last" | "changePercent" | "volume";
export type SortDirection = "asc" | "desc";

export interface Arrangement {
    sortKey: SortKey;
    direction: SortDirection;
    filter: string;
    pinned: readonly string[];
}

/**
 * Orders rows for display: pinned symbols first (in the order they were pinned), then the rest sorted by the chosen
 * column (rows without a value last, ties by symbol); the filter keeps symbols containing its text, case-insensitive,
 * and never hides a pinned symbol.
 */
export function arrangeRows(rows: readonly BoardRow[], arrangement: Arrangement): BoardRow[] {
    const filter = arrangement.filter.trim().toUpperCase();
    const pinnedOrder = new Map(arrangement.pinned.map((symbol, index) => [symbol, index]));
    const pinned = rows.filter((r) => pinnedOrder.has(r.symbol)).sort((a, b) => pinnedOrder.get(a.symbol)! - pinnedOrder.get(b.symbol)!);
    const sign = arrangement.direction === "asc" ? 1 : -1;
    const rest = rows
        .filter((r) => !pinnedOrder.has(r.symbol) && (filter === "" || r.symbol.includes(filter)))
        .sort((a, b) => {
            if (arrangement.sortKey === "symbol") return sign * a.symbol.localeCompare(b.symbol);
            const x = a[arrangement.sortKey];
            const y = b[arrangement.sortKey];
            if (x === null && y === null) return a.symbol.localeCompare(b.symbol);
            if (x === null) return 1;
            if (y === null) return -1;
            return x === y ? a.symbol.localeCompare(b.symbol) : sign * (x - y);
        });
    return [...pinned, ...rest];
}

/** Pins or unpins a symbol (pinned symbols keep the order they were pinned in). */
export function togglePin(pinned: readonly string[], symbol: string): string[] {
    return pinned.includes(symbol) ? pinned.filter((s) => s !== symbol) : [...pinned, symbol];
}

/** Whether data last received at `receivedAt` is stale: the live connection is down, or nothing came for `maxAgeMs`. */
export function isStale(receivedAt: number | null, now: number, live: boolean, maxAgeMs: number): boolean {
    return !live || receivedAt === null || now - receivedAt > maxAgeMs;
}
