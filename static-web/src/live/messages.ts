/**
 * The live pipeline's Web PubSub messages (shared/SigmaFlow.Platform/Live/LiveMessages.cs), read defensively: a
 * message that does not have the documented shape is refused with a reason naming the field, the rule and the value,
 * and never breaks the view that receives it.
 */

export interface BarMessage {
    type: "bar";
    symbol: string;
    timeframe: string;
    time: number;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
    final: boolean;
    indicators?: Record<string, number | null>;
}

export interface QuoteMessage {
    type: "quote";
    symbol: string;
    time: number;
    price: number;
    size: number;
    bid: number | null;
    ask: number | null;
    seq: number | null;
}

export type SignalKind = "longEntry" | "longExit" | "shortEntry" | "shortExit";

export interface SignalMessage {
    type: "signal";
    id: string;
    symbol: string;
    strategy: string;
    timeframe: string;
    kind: SignalKind;
    time: number;
    price: number;
}

export type LiveMessage = BarMessage | QuoteMessage | SignalMessage;

export type Parsed = { ok: true; message: LiveMessage } | { ok: false; reason: string };

const signalKinds: readonly string[] = ["longEntry", "longExit", "shortEntry", "shortExit"];

class ShapeError extends Error {}

function show(value: unknown): string {
    const text = typeof value === "string" ? `'${value}'` : JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function str(record: Record<string, unknown>, field: string): string {
    const value = record[field];
    if (typeof value !== "string" || value.length === 0) {
        throw new ShapeError(`${field}: must be a non-empty string (got ${show(value)})`);
    }
    return value;
}

function num(record: Record<string, unknown>, field: string, rule: "finite" | "positive" | "non-negative" = "finite"): number {
    const value = record[field];
    const ok = typeof value === "number" && Number.isFinite(value) && (rule === "finite" || (rule === "positive" ? value > 0 : value >= 0));
    if (!ok) {
        throw new ShapeError(`${field}: must be a ${rule === "finite" ? "finite" : rule} number (got ${show(value)})`);
    }
    return value as number;
}

function optionalNum(record: Record<string, unknown>, field: string): number | null {
    const value = record[field];
    if (value === undefined || value === null) return null;
    return num(record, field);
}

function bar(record: Record<string, unknown>): BarMessage {
    const message: BarMessage = {
        type: "bar",
        symbol: str(record, "symbol"),
        timeframe: str(record, "timeframe"),
        time: num(record, "time", "non-negative"),
        open: num(record, "open", "positive"),
        high: num(record, "high", "positive"),
        low: num(record, "low", "positive"),
        close: num(record, "close", "positive"),
        volume: num(record, "volume", "non-negative"),
        final: record.final === true,
    };
    if (typeof record.final !== "boolean") {
        throw new ShapeError(`final: must be true or false (got ${show(record.final)})`);
    }
    if (message.high < message.low) {
        throw new ShapeError(`high: must not be below low (got high ${message.high}, low ${message.low})`);
    }
    const indicators = record.indicators;
    if (indicators !== undefined && indicators !== null) {
        if (typeof indicators !== "object" || Array.isArray(indicators)) {
            throw new ShapeError(`indicators: must be an object of numbers or nulls (got ${show(indicators)})`);
        }
        const values: Record<string, number | null> = {};
        for (const [name, value] of Object.entries(indicators as Record<string, unknown>)) {
            values[name] = typeof value === "number" && Number.isFinite(value) ? value : null;
        }
        message.indicators = values;
    }
    return message;
}

function quote(record: Record<string, unknown>): QuoteMessage {
    return {
        type: "quote",
        symbol: str(record, "symbol"),
        time: num(record, "time", "non-negative"),
        price: num(record, "price", "positive"),
        size: num(record, "size", "non-negative"),
        bid: optionalNum(record, "bid"),
        ask: optionalNum(record, "ask"),
        seq: optionalNum(record, "seq"),
    };
}

function signal(record: Record<string, unknown>): SignalMessage {
    const kind = str(record, "kind");
    if (!signalKinds.includes(kind)) {
        throw new ShapeError(`kind: must be one of ${signalKinds.join(", ")} (got ${show(kind)})`);
    }
    return {
        type: "signal",
        id: str(record, "id"),
        symbol: str(record, "symbol"),
        strategy: str(record, "strategy"),
        timeframe: str(record, "timeframe"),
        kind: kind as SignalKind,
        time: num(record, "time", "non-negative"),
        price: num(record, "price", "positive"),
    };
}

/** Reads one message's data (an object, or JSON text of one). */
export function parseLiveMessage(data: unknown): Parsed {
    let value = data;
    if (typeof value === "string") {
        try {
            value = JSON.parse(value);
        } catch {
            return { ok: false, reason: `message: must be JSON (got ${show(data)})` };
        }
    }

    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return { ok: false, reason: `message: must be a JSON object (got ${show(value)})` };
    }

    const record = value as Record<string, unknown>;
    try {
        switch (record.type) {
            case "bar":
                return { ok: true, message: bar(record) };
            case "quote":
                return { ok: true, message: quote(record) };
            case "signal":
                return { ok: true, message: signal(record) };
            default:
                return { ok: false, reason: `type: must be bar, quote or signal (got ${show(record.type)})` };
        }
    } catch (error) {
        if (error instanceof ShapeError) {
            return { ok: false, reason: `${String(record.type)} message: ${error.message}` };
        }
        throw error;
    }
}

/** Group names, as in shared/SigmaFlow.Platform/Live/LiveNames.cs. */
export const groups = {
    bars: (symbol: string, timeframe: string) => `bars.${symbol}.${timeframe}`,
    quotes: (symbol: string) => `quotes.${symbol}`,
    signals: "signals",
    symbolSignals: (symbol: string) => `signals.${symbol}`,
} as const;

/**
 * The groups a message pushed by the platform belongs to. The platform sends to groups through the Web PubSub REST
 * API, and clients receive such sends as server messages that do not name the group (that is the service's protocol),
 * so the group is recovered from the message itself. Anything else belongs to no group.
 */
export function groupsOfMessage(data: unknown): string[] {
    let value = data;
    if (typeof value === "string") {
        try {
            value = JSON.parse(value);
        } catch {
            return [];
        }
    }
    if (value === null || typeof value !== "object") return [];
    const record = value as Record<string, unknown>;
    const symbol = typeof record.symbol === "string" ? record.symbol : null;
    if (!symbol) return [];
    switch (record.type) {
        case "bar":
            return typeof record.timeframe === "string" ? [groups.bars(symbol, record.timeframe)] : [];
        case "quote":
            return [groups.quotes(symbol)];
        case "signal":
            return [groups.signals, groups.symbolSignals(symbol)];
        default:
            return [];
    }
}
