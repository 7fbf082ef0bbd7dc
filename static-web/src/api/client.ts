import { ApiError, networkProblem, parseProblem } from "./problem";
import type {
    BarsAnswer,
    Caller,
    IndicatorInfo,
    IndicatorValuesAnswer,
    ItemList,
    NegotiateAnswer,
    QuoteAnswer,
    SignalAnswer,
    StrategyRecord,
    StrategySummary,
    StrategyVersion,
    ValidationAnswer,
    Watchlist,
} from "./types";

/** What the client needs to reach the API: the base URL ("" = this page's origin) and the caller's key. */
export interface ApiTarget {
    apiBase: string;
    apiKey: string;
}

/** An answer with the headers views care about. */
export interface ApiAnswer<T> {
    data: T;
    etag: string | null;
    status: number;
}

export interface RequestOptions {
    query?: Record<string, string | number | boolean | undefined | null>;
    body?: unknown;
    headers?: Record<string, string>;
    signal?: AbortSignal;
}

/** Reachability of the API as seen by the last calls: views and the status bar read it. */
export type ApiHealth = "unknown" | "ok" | "unauthorized" | "unreachable";

/** The URL of an API path under a base ("" = same origin as the page). */
export function apiUrl(apiBase: string, path: string, query?: RequestOptions["query"]): string {
    const base = apiBase.replace(/\/+$/, "");
    let url = `${base}/api${path.startsWith("/") ? path : `/${path}`}`;
    if (query) {
        const parts: string[] = [];
        for (const [name, value] of Object.entries(query)) {
            if (value === undefined || value === null || value === "") continue;
            parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
        }
        if (parts.length > 0) url += `?${parts.join("&")}`;
    }
    return url;
}

/**
 * The SigmaFlow HTTP API: JSON in and out, `x-api-key` on every call, RFC 7807 problems thrown as {@link ApiError}
 * (status 0 when the API could not be reached). `onHealth` hears whether calls get through.
 */
export class ApiClient {
    private readonly target: () => ApiTarget;
    private readonly onHealth: (health: ApiHealth) => void;

    constructor(target: () => ApiTarget, onHealth: (health: ApiHealth) => void = () => {}) {
        this.target = target;
        this.onHealth = onHealth;
    }

    async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> {
        const { apiBase, apiKey } = this.target();
        const url = apiUrl(apiBase, path, options.query);
        const headers: Record<string, string> = { accept: "application/json", ...options.headers };
        if (apiKey) headers["x-api-key"] = apiKey;
        let body: string | undefined;
        if (options.body !== undefined) {
            headers["content-type"] = "application/json";
            body = JSON.stringify(options.body);
        }

        let response: Response;
        try {
            const init: RequestInit = { method, headers };
            if (body !== undefined) init.body = body;
            if (options.signal) init.signal = options.signal;
            response = await fetch(url, init);
        } catch (cause) {
            if (options.signal?.aborted) throw cause;
            this.onHealth("unreachable");
            throw new ApiError(networkProblem(url, cause));
        }

        const text = await response.text();
        if (!response.ok) {
            const problem = parseProblem(response.status, response.headers.get("content-type"), text);
            this.onHealth(response.status === 401 || response.status === 403 ? "unauthorized" : response.status === 502 || response.status === 504 ? "unreachable" : "ok");
            throw new ApiError(problem);
        }

        this.onHealth("ok");
        let data: T;
        try {
            data = (text.length > 0 ? JSON.parse(text) : null) as T;
        } catch {
            throw new ApiError({ status: response.status, title: "Unreadable answer", detail: `${method} ${url} answered text that is not JSON`, errors: [] });
        }
        return { data, etag: response.headers.get("etag"), status: response.status };
    }

    async get<T>(path: string, options: RequestOptions = {}): Promise<T> {
        return (await this.request<T>("GET", path, options)).data;
    }

    me(signal?: AbortSignal): Promise<Caller> {
        return this.get<Caller>("/me", signal ? { signal } : {});
    }

    negotiate(groups: string[] = []): Promise<NegotiateAnswer> {
        return this.get<NegotiateAnswer>("/negotiate", { query: { groups: groups.join(",") } });
    }

    async indicators(): Promise<IndicatorInfo[]> {
        return (await this.get<ItemList<IndicatorInfo>>("/indicators")).items;
    }

    bars(symbol: string, timeframe: string, limit: number, signal?: AbortSignal): Promise<BarsAnswer> {
        return this.get<BarsAnswer>(`/markets/${encodeURIComponent(symbol)}/bars`, { query: { timeframe, limit }, ...(signal ? { signal } : {}) });
    }

    indicatorValues(symbol: string, timeframe: string, spec: string, limit: number, signal?: AbortSignal): Promise<IndicatorValuesAnswer> {
        return this.get<IndicatorValuesAnswer>(`/markets/${encodeURIComponent(symbol)}/indicators`, { query: { spec, timeframe, limit }, ...(signal ? { signal } : {}) });
    }

    async quotes(symbols?: string[]): Promise<QuoteAnswer[]> {
        return (await this.get<ItemList<QuoteAnswer>>("/quotes", { query: { symbols: symbols?.join(",") } })).items;
    }

    async signals(symbol: string, sinceMs: number, limit = 500, signal?: AbortSignal): Promise<SignalAnswer[]> {
        return (await this.get<ItemList<SignalAnswer>>("/signals", { query: { symbol, since: sinceMs, limit }, ...(signal ? { signal } : {}) })).items;
    }

    async watchlists(): Promise<Watchlist[]> {
        return (await this.get<ItemList<Watchlist>>("/watchlists")).items;
    }

    async strategies(): Promise<StrategySummary[]> {
        return (await this.get<ItemList<StrategySummary>>("/strategies")).items;
    }

    strategy(id: string): Promise<ApiAnswer<StrategyRecord>> {
        return this.request<StrategyRecord>("GET", `/strategies/${encodeURIComponent(id)}`);
    }

    validateStrategy(document: string, signal?: AbortSignal): Promise<ValidationAnswer> {
        return this.request<ValidationAnswer>("POST", "/strategies/validate", { body: { document }, ...(signal ? { signal } : {}) }).then((a) => a.data);
    }

    createStrategy(document: string, idempotencyKey: string): Promise<ApiAnswer<StrategyRecord>> {
        return this.request<StrategyRecord>("POST", "/strategies", { body: { document }, headers: { "idempotency-key": idempotencyKey } });
    }

    updateStrategy(id: string, document: string, etag: string): Promise<ApiAnswer<StrategyRecord>> {
        return this.request<StrategyRecord>("PUT", `/strategies/${encodeURIComponent(id)}`, { body: { document }, headers: { "if-match": etag } });
    }

    async strategyVersions(id: string): Promise<StrategyVersion[]> {
        return (await this.get<ItemList<StrategyVersion>>(`/strategies/${encodeURIComponent(id)}/versions`)).items;
    }

    strategyVersion(id: string, version: number): Promise<StrategyVersion> {
        return this.get<StrategyVersion>(`/strategies/${encodeURIComponent(id)}/versions/${version}`);
    }
}
