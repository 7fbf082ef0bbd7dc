/** Shapes of the SigmaFlow HTTP API's answers (see /api/openapi.json), as the dashboard reads them. */

export interface ItemList<T> {
    items: T[];
}

export interface Caller {
    id: string;
    name: string;
    scope: "read" | "trade" | "admin";
    rateLimitPerMinute: number;
    authenticated: boolean;
}

export interface IndicatorParameter {
    name: string;
    type: "integer" | "number";
    default: number;
    min: number;
    max: number;
    description: string;
}

export interface IndicatorOutput {
    name: string;
    description: string;
    lookAhead: boolean;
}

export interface IndicatorInfo {
    name: string;
    fullName: string;
    aliases: string[];
    category: string;
    description: string;
    usesSource: boolean;
    parameters: IndicatorParameter[];
    outputs: IndicatorOutput[];
    warmup: number;
}

export interface ApiBar {
    time: number;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
    indicators?: Record<string, number | null> | null;
}

export interface BarsAnswer {
    symbol: string;
    timeframe: string;
    bars: ApiBar[];
}

export interface QuoteAnswer {
    symbol: string;
    time: number;
    price: number;
    size: number;
    bid?: number | null;
    ask?: number | null;
    updatedAt: string;
}

export interface IndicatorValuesAnswer {
    symbol: string;
    timeframe: string;
    spec: string;
    fields: string[];
    time: number[];
    values: (number | null)[][];
}

export interface SignalAnswer {
    id: string;
    symbol: string;
    strategy: string;
    timeframe: string;
    kind: string;
    time: number;
    price: number;
    recordedAt?: string | null;
}

export interface Watchlist {
    id: string;
    name: string;
    symbols: string[];
    updatedAt: string;
}

export interface NegotiateAnswer {
    url: string;
    hub: string;
    userId: string;
    expiresAt: string;
}

export interface StrategyParameter {
    name: string;
    default: number;
    min: number;
    max: number;
    step?: number | null;
}

export interface StrategyErrorItem {
    line: number;
    column: number;
    message: string;
}

export interface ValidationAnswer {
    valid: boolean;
    name?: string | null;
    errors: StrategyErrorItem[];
    parameters: StrategyParameter[];
}

export interface StrategySummary {
    id: string;
    name: string;
    version: number;
    createdAt: string;
    updatedAt: string;
}

export interface StrategyRecord extends StrategySummary {
    document: string;
    parameters: StrategyParameter[];
}

export interface StrategyVersion {
    id: string;
    version: number;
    name: string;
    createdAt: string;
    document?: string | null;
}
