import { useEffect, useMemo, useRef, useState } from "react";
import type { Watchlist } from "../api/types";
import { ApiError } from "../api/problem";
import { groups, parseLiveMessage } from "../live/messages";
import type { Services } from "../shell/services";
import { boardBars, boardMinutes, boardMinuteTimeframe, boardTimeframe, QuoteBoard } from "./board";

export interface BoardData {
    board: QuoteBoard;
    /** Changes whenever the board's rows change (at most four times a second). */
    version: number;
    watchlists: Watchlist[] | null;
    symbols: string[];
    error: string | null;
    loading: boolean;
    /** Live messages refused as malformed (shown, never thrown). */
    refused: number;
}

const allSymbolsRefreshMs = 30_000;
const emptyRefreshMs = 3_000;

function message(error: unknown): string {
    return error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
}

/**
 * The watchlist grid's data: the symbols of the chosen watchlist (or of every quote the platform has, when none is
 * chosen or none exists), their quotes and bars from the API, then live `quotes.{SYM}`, `bars.{SYM}.15m` and `bars.{SYM}.1m`.
 * After a re-connection everything is read again, so nothing missed while offline stays missing.
 */
export function useQuoteBoard(services: Services, watchlistId: string, apiKey: string, apiBase: string): BoardData {
    const { api, live } = services;
    const board = useMemo(() => new QuoteBoard(), []);
    const [version, setVersion] = useState(0);
    const [watchlists, setWatchlists] = useState<Watchlist[] | null>(null);
    const [symbols, setSymbols] = useState<string[]>([]);
    const [error, setError] = useState<string | null>(null);
    const [loading, setLoading] = useState(true);
    const [refused, setRefused] = useState(0);
    const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

    const bump = useMemo(
        () => () => {
            if (pending.current !== null) return;
            pending.current = setTimeout(() => {
                pending.current = null;
                setVersion((v) => v + 1);
            }, 250);
        },
        [],
    );

    useEffect(() => () => {
        if (pending.current !== null) clearTimeout(pending.current);
    }, []);

    // The watchlists, again when the key or API changes.
    useEffect(() => {
        if (!apiKey) {
            setWatchlists(null);
            return;
        }
        let cancelled = false;
        api.watchlists().then(
            (lists) => !cancelled && setWatchlists(lists),
            (e: unknown) => {
                if (cancelled) return;
                setWatchlists([]);
                setError(`watchlists: ${message(e)}`);
            },
        );
        return () => {
            cancelled = true;
        };
    }, [api, apiKey, apiBase]);

    // Which symbols: the chosen watchlist's, or every symbol with a quote (re-read now and then for new ones).
    useEffect(() => {
        if (!apiKey || watchlists === null) return;
        const list = watchlists.find((w) => w.id === watchlistId);
        if (list) {
            setSymbols(list.symbols);
            return;
        }
        let cancelled = false;
        let timer: ReturnType<typeof setTimeout> | null = null;
        const read = async () => {
            let found: string[] = [];
            try {
                found = (await api.quotes()).map((q) => q.symbol).sort();
                if (cancelled) return;
                setSymbols((current) => (current.join(",") === found.join(",") ? current : found));
            } catch (e) {
                if (cancelled) return;
                setError(`quotes: ${message(e)}`);
            }
            setLoading(false);
            // Soon again while the platform has no quotes yet (a feed may just be starting), else now and then.
            timer = setTimeout(() => void read(), found.length === 0 ? emptyRefreshMs : allSymbolsRefreshMs);
        };
        void read();
        return () => {
            cancelled = true;
            if (timer !== null) clearTimeout(timer);
        };
    }, [api, apiKey, watchlists, watchlistId]);

    // Data and live groups per symbol.
    useEffect(() => {
        board.setSymbols(symbols);
        bump();
        if (!apiKey || symbols.length === 0) return;
        const abort = new AbortController();
        const load = async () => {
            try {
                const quotes = await api.quotes(symbols);
                for (const quote of quotes) board.applyQuote(quote, quote.time);
                setError(null);
            } catch (e) {
                if (!abort.signal.aborted) setError(`quotes: ${message(e)}`);
            }
            bump();
            await Promise.all(
                symbols.map(async (symbol) => {
                    try {
                        const [quarters, minutes] = await Promise.all([
                            api.bars(symbol, boardTimeframe, boardBars + 1, abort.signal),
                            api.bars(symbol, boardMinuteTimeframe, boardMinutes, abort.signal),
                        ]);
                        board.setHistory(symbol, quarters.bars, minutes.bars);
                        bump();
                    } catch (e) {
                        if (!abort.signal.aborted) setError(`bars of ${symbol}: ${message(e)}`);
                    }
                }),
            );
            if (!abort.signal.aborted) setLoading(false);
        };
        void load();

        const onMessage = (data: unknown) => {
            const parsed = parseLiveMessage(data);
            if (!parsed.ok) {
                setRefused((n) => n + 1);
                console.warn(`live message refused: ${parsed.reason}`);
                return;
            }
            const now = Date.now();
            const applied = parsed.message.type === "quote" ? board.applyQuote(parsed.message, now) : parsed.message.type === "bar" ? board.applyBar(parsed.message, now) : false;
            if (applied) bump();
        };
        const stops = symbols.flatMap((symbol) => [
            live.subscribe(groups.quotes(symbol), onMessage),
            live.subscribe(groups.bars(symbol, boardTimeframe), onMessage),
            live.subscribe(groups.bars(symbol, boardMinuteTimeframe), onMessage),
        ]);
        const stopReconnect = live.onReconnected(() => void load());
        return () => {
            abort.abort();
            for (const stop of stops) stop();
            stopReconnect();
        };
    }, [api, live, board, bump, symbols, apiKey]);

    return { board, version, watchlists, symbols, error, loading, refused };
}
