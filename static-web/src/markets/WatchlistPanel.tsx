import { useId, useMemo, useState } from "react";
import { arrangeRows, isStale, type SortDirection, type SortKey } from "./board";
import { formatAge, formatChange, formatPrice, formatVolume } from "./format";
import { Sparkline } from "./Sparkline";
import type { BoardData } from "./useQuoteBoard";

const staleAfterMs = 60_000;

interface Props {
    data: BoardData;
    watchlistId: string;
    onWatchlist(id: string): void;
    selected: string;
    onSelect(symbol: string): void;
    pinned: string[];
    onTogglePin(symbol: string): void;
    live: boolean;
    now: number;
}

const columns: { key: SortKey; label: string; numeric: boolean }[] = [
    { key: "symbol", label: "Symbol", numeric: false },
    { key: "last", label: "Last", numeric: true },
    { key: "changePercent", label: "24h", numeric: true },
    { key: "volume", label: "Vol 24h", numeric: true },
];

/** The watchlist grid: choose a list, filter, sort by any column, pin symbols to the top, pick the charted symbol. */
export function WatchlistPanel({ data, watchlistId, onWatchlist, selected, onSelect, pinned, onTogglePin, live, now }: Props) {
    const [filter, setFilter] = useState("");
    const [sortKey, setSortKey] = useState<SortKey>("symbol");
    const [direction, setDirection] = useState<SortDirection>("asc");
    const ids = { list: useId(), filter: useId(), caption: useId() };
    const rows = useMemo(
        () => arrangeRows(data.board.rows(), { sortKey, direction, filter, pinned }),
        // The board is mutable; its version says when rows changed.
        [data.board, data.version, sortKey, direction, filter, pinned],
    );

    const sortBy = (key: SortKey) => {
        if (key === sortKey) {
            setDirection(direction === "asc" ? "desc" : "asc");
        } else {
            setSortKey(key);
            setDirection(key === "symbol" ? "asc" : "desc");
        }
    };

    return (
        <section className="panel watchlist" aria-labelledby={ids.caption}>
            <div className="panel-head">
                <h2 id={ids.caption}>Watchlist</h2>
                <label className="visually-hidden" htmlFor={ids.list}>
                    Watchlist
                </label>
                <select id={ids.list} value={watchlistId} onChange={(e) => onWatchlist(e.target.value)} data-testid="watchlist-select">
                    <option value="">All symbols with quotes</option>
                    {(data.watchlists ?? []).map((w) => (
                        <option key={w.id} value={w.id}>
                            {w.name} ({w.symbols.length})
                        </option>
                    ))}
                </select>
            </div>
            <div className="field inline">
                <label htmlFor={ids.filter}>Filter</label>
                <input id={ids.filter} type="search" value={filter} placeholder="symbol" onChange={(e) => setFilter(e.target.value)} autoComplete="off" spellCheck={false} />
            </div>
            {data.error && (
                <p className="error" role="alert">
                    {data.error}
                </p>
            )}
            <div className="table-wrap">
                <table className="grid" data-testid="watchlist">
                    <caption className="visually-hidden">Symbols with last price, 24-hour change and volume; pinned symbols first</caption>
                    <thead>
                        <tr>
                            <th scope="col">
                                <span className="visually-hidden">Pinned</span>
                            </th>
                            {columns.map((c) => (
                                <th key={c.key} scope="col" className={c.numeric ? "num" : undefined} aria-sort={sortKey === c.key ? (direction === "asc" ? "ascending" : "descending") : "none"}>
                                    <button type="button" className="sort" onClick={() => sortBy(c.key)}>
                                        {c.label}
                                        <span aria-hidden="true">{sortKey === c.key ? (direction === "asc" ? " ▲" : " ▼") : ""}</span>
                                    </button>
                                </th>
                            ))}
                            <th scope="col">
                                <span className="visually-hidden">Trend</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.map((row) => {
                            const stale = isStale(row.receivedAt, now, live, staleAfterMs);
                            const isPinned = pinned.includes(row.symbol);
                            const direction = (row.change ?? 0) >= 0 ? "up" : "down";
                            return (
                                <tr key={row.symbol} className={`${row.symbol === selected ? "selected" : ""} ${stale ? "stale" : ""}`} data-symbol={row.symbol} data-stale={stale}>
                                    <td>
                                        <button type="button" className={`pin ${isPinned ? "on" : ""}`} aria-pressed={isPinned} aria-label={`Pin ${row.symbol}`} onClick={() => onTogglePin(row.symbol)}>
                                            <span aria-hidden="true">{isPinned ? "★" : "☆"}</span>
                                        </button>
                                    </td>
                                    <th scope="row">
                                        <button type="button" className="symbol" aria-current={row.symbol === selected ? "true" : undefined} onClick={() => onSelect(row.symbol)}>
                                            {row.symbol}
                                        </button>
                                        {stale && (
                                            <span className="stale-tag" title={row.receivedAt ? `no update for ${formatAge(now - row.receivedAt)}` : "no data yet"}>
                                                stale
                                            </span>
                                        )}
                                    </th>
                                    <td className="num" data-field="last">
                                        {formatPrice(row.last)}
                                    </td>
                                    <td className={`num ${row.change === null ? "" : direction}`} data-field="change">
                                        {formatChange(row.changePercent)}
                                    </td>
                                    <td className="num" data-field="volume">
                                        {formatVolume(row.volume)}
                                    </td>
                                    <td>
                                        <Sparkline values={row.spark} rising={direction === "up"} />
                                    </td>
                                </tr>
                            );
                        })}
                    </tbody>
                </table>
                {rows.length === 0 && <p className="empty">{data.loading ? "Loading…" : filter ? "No symbol matches the filter." : "No quotes yet: start a feed (bash infra/local/run.sh does)."}</p>}
            </div>
            {data.refused > 0 && <p className="hint">{data.refused} malformed live messages ignored (see the browser console).</p>}
        </section>
    );
}
