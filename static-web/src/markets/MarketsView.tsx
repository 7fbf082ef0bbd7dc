import { useEffect, useId, useState } from "react";
import type { IndicatorInfo } from "../api/types";
import { ApiError } from "../api/problem";
import { isTimeframe, timeframes, type Timeframe } from "../live/candles";
import { storageKeys } from "../settings/settings";
import { useViewContext } from "../shell/App";
import { useObservable, useServices } from "../shell/services";
import { useNow } from "../shell/useNow";
import { togglePin } from "./board";
import { IndicatorPicker, type ActiveIndicator } from "./IndicatorPicker";
import { PriceChart } from "./PriceChart";
import { useQuoteBoard } from "./useQuoteBoard";
import { WatchlistPanel } from "./WatchlistPanel";

/** What the Markets view remembers in this browser. */
interface MarketsMemory {
    watchlist: string;
    symbol: string;
    timeframe: Timeframe;
    indicators: string[];
    pinned: string[];
}

function recall(raw: string | null): MarketsMemory {
    const fallback: MarketsMemory = { watchlist: "", symbol: "", timeframe: "1m", indicators: [], pinned: [] };
    if (!raw) return fallback;
    try {
        const value = JSON.parse(raw) as Partial<MarketsMemory>;
        const strings = (list: unknown) => (Array.isArray(list) ? list.filter((s): s is string => typeof s === "string") : []);
        return {
            watchlist: typeof value.watchlist === "string" ? value.watchlist : "",
            symbol: typeof value.symbol === "string" ? value.symbol : "",
            timeframe: typeof value.timeframe === "string" && isTimeframe(value.timeframe) ? value.timeframe : "1m",
            indicators: strings(value.indicators),
            pinned: strings(value.pinned),
        };
    } catch {
        return fallback;
    }
}

/** The name of a spec (`ema(hl2,9)` → `ema`). */
const specName = (spec: string) => spec.slice(0, Math.max(0, spec.indexOf("("))).toLowerCase();

/** Markets: the watchlist grid beside a live chart of the chosen symbol with timeframes, indicators and signals. */
export default function MarketsView() {
    const services = useServices();
    const settings = useObservable(services.settings);
    const connection = useObservable(services.live.state);
    const { theme, rest } = useViewContext();
    const now = useNow();
    const [memory, setMemory] = useState<MarketsMemory>(() => recall(services.store?.getItem(storageKeys.markets) ?? null));
    const [catalog, setCatalog] = useState<IndicatorInfo[] | null>(null);
    const [catalogError, setCatalogError] = useState<string | null>(null);
    const data = useQuoteBoard(services, memory.watchlist, settings.apiKey, settings.apiBase);
    const timeframeLabel = useId();
    const live = connection.status === "connected";

    useEffect(() => {
        services.store?.setItem(storageKeys.markets, JSON.stringify(memory));
    }, [services.store, memory]);

    // A symbol in the route (#/markets/ETHUSD) wins; else the remembered one; else the first of the grid.
    const routeSymbol = rest[0]?.toUpperCase();
    useEffect(() => {
        if (routeSymbol && routeSymbol !== memory.symbol) setMemory((m) => ({ ...m, symbol: routeSymbol }));
    }, [routeSymbol, memory.symbol]);
    useEffect(() => {
        if (!memory.symbol && data.symbols.length > 0) setMemory((m) => ({ ...m, symbol: m.symbol || data.symbols[0]! }));
    }, [memory.symbol, data.symbols]);

    useEffect(() => {
        if (!settings.apiKey) return;
        let cancelled = false;
        services.api.indicators().then(
            (items) => {
                if (cancelled) return;
                setCatalog(items);
                setCatalogError(null);
            },
            (e: unknown) => !cancelled && setCatalogError(e instanceof ApiError ? e.message : String(e)),
        );
        return () => {
            cancelled = true;
        };
    }, [services.api, settings.apiKey, settings.apiBase]);

    const active: ActiveIndicator[] = catalog
        ? memory.indicators.flatMap((spec) => {
              const info = catalog.find((i) => i.name === specName(spec));
              return info ? [{ spec, info }] : [];
          })
        : [];

    const select = (symbol: string) => {
        setMemory((m) => ({ ...m, symbol }));
        if (rest[0]) window.location.hash = `#/markets/${encodeURIComponent(symbol)}`;
    };

    return (
        <div className="markets">
            <WatchlistPanel
                data={data}
                watchlistId={memory.watchlist}
                onWatchlist={(watchlist) => setMemory((m) => ({ ...m, watchlist }))}
                selected={memory.symbol}
                onSelect={select}
                pinned={memory.pinned}
                onTogglePin={(symbol) => setMemory((m) => ({ ...m, pinned: togglePin(m.pinned, symbol) }))}
                live={live}
                now={now}
            />
            <section className="panel chart-panel" aria-labelledby="chart-title">
                <div className="panel-head chart-head">
                    <h1 id="chart-title">{memory.symbol || "No symbol"}</h1>
                    <div className="segmented" role="group" aria-labelledby={timeframeLabel}>
                        <span id={timeframeLabel} className="visually-hidden">
                            Timeframe
                        </span>
                        {timeframes.map((tf) => (
                            <button key={tf} type="button" aria-pressed={memory.timeframe === tf} onClick={() => setMemory((m) => ({ ...m, timeframe: tf }))} data-timeframe={tf}>
                                {tf}
                            </button>
                        ))}
                    </div>
                </div>
                <IndicatorPicker
                    catalog={catalog}
                    catalogError={catalogError}
                    active={active}
                    onAdd={(indicator) => setMemory((m) => ({ ...m, indicators: [...m.indicators, indicator.spec] }))}
                    onRemove={(spec) => setMemory((m) => ({ ...m, indicators: m.indicators.filter((s) => s !== spec) }))}
                />
                {memory.symbol ? (
                    <PriceChart symbol={memory.symbol} timeframe={memory.timeframe} indicators={active} theme={theme} live={live} now={now} />
                ) : (
                    <p className="empty">{settings.apiKey ? "Waiting for the first quotes…" : "Enter an API key in Settings to see markets."}</p>
                )}
            </section>
        </div>
    );
}
