import type { SignalAnswer } from "../api/types";
import type { SignalKind, SignalMessage } from "../live/messages";
import { timeframeLength } from "../live/candles";

/** A signal as the chart marks it. */
export interface SignalMark {
    id: string;
    strategy: string;
    kind: SignalKind;
    /** Start of the bar of the chart's timeframe that holds the signal's bar (Unix ms). */
    time: number;
    price: number;
    position: "aboveBar" | "belowBar";
    shape: "arrowUp" | "arrowDown";
    color: "buy" | "sell";
    text: string;
}

const kinds: readonly string[] = ["longEntry", "longExit", "shortEntry", "shortExit"];

/**
 * The signals of one symbol, from `GET /api/signals` and the live `signals.{SYM}` group, deduplicated by id (the same
 * signal arrives from both, and the push is at-least-once).
 */
export class SignalSet {
    readonly symbol: string;
    private readonly byId = new Map<string, SignalMessage>();

    constructor(symbol: string) {
        this.symbol = symbol;
    }

    get size(): number {
        return this.byId.size;
    }

    /** Adds a signal; false when it is another symbol's, of an unknown kind, or already held. */
    add(signal: SignalMessage | SignalAnswer): boolean {
        if (signal.symbol !== this.symbol || this.byId.has(signal.id) || !kinds.includes(signal.kind)) return false;
        this.byId.set(signal.id, { ...signal, type: "signal", kind: signal.kind as SignalKind });
        return true;
    }

    /** Markers for a chart of `timeframe`, oldest first: each signal at the start of the bar that holds it. */
    marks(timeframe: string): SignalMark[] {
        const length = timeframeLength(timeframe);
        return [...this.byId.values()]
            .sort((a, b) => a.time - b.time || a.id.localeCompare(b.id))
            .map((s) => {
                const entry = s.kind === "longEntry" || s.kind === "shortEntry";
                const up = s.kind === "longEntry" || s.kind === "shortExit";
                return {
                    id: s.id,
                    strategy: s.strategy,
                    kind: s.kind,
                    time: Math.floor(s.time / length) * length,
                    price: s.price,
                    position: up ? "belowBar" : "aboveBar",
                    shape: up ? "arrowUp" : "arrowDown",
                    color: up ? "buy" : "sell",
                    text: `${s.strategy} ${entry ? (s.kind === "longEntry" ? "long" : "short") : "exit"}`,
                } satisfies SignalMark;
            });
    }
}
