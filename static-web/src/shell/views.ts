import type { ComponentType } from "react";

/** A view of the dashboard: ready (built on endpoints that exist) or coming (waiting for its API). */
export interface ViewInfo {
    id: string;
    label: string;
    status: "ready" | "coming";
    /** Loads the view's code (ready views), so each view is its own chunk. */
    load?: () => Promise<{ default: ComponentType }>;
    /** Coming views: what they will show, and what API they wait for. */
    summary?: string;
    needs?: string[];
}

/**
 * Every view, in navigation order. Adding a view: write its component under src/<view>/ with a default export, and
 * give it an entry here with `load`; the shell routes `#/<id>` to it.
 */
export const views: readonly ViewInfo[] = [
    { id: "markets", label: "Markets", status: "ready", load: () => import("../markets/MarketsView") },
    { id: "strategies", label: "Strategies", status: "ready", load: () => import("../strategies/StrategiesView") },
    {
        id: "backtest",
        label: "Backtest",
        status: "coming",
        summary: "Run a strategy on a symbol and range: metrics table, equity and drawdown charts, the trade log linked to markers on the price chart, rejected orders.",
        needs: ["an endpoint that runs a backtest (POST /api/backtests) and returns its report"],
    },
    {
        id: "sweeps",
        label: "Sweeps",
        status: "coming",
        summary: "Start a parameter sweep, follow its progress live, a heatmap over two parameters, the top-N table with Deflated Sharpe and PBO; walk-forward and Monte Carlo views.",
        needs: ["sweep endpoints (POST /api/sweeps and its results)", "progress pushed to the sweeps.{id} group"],
    },
    {
        id: "screener",
        label: "Screener",
        status: "coming",
        summary: "Results of the market scans over your watchlists.",
        needs: ["the ScanMarkets timer and an endpoint for its results"],
    },
    {
        id: "alerts",
        label: "Alerts",
        status: "coming",
        summary: "Alert rules, channels (Discord, Slack, Telegram, webhooks) and the delivery log.",
        needs: ["alert rule, channel and delivery-log endpoints"],
    },
    {
        id: "portfolio",
        label: "Portfolio",
        status: "coming",
        summary: "Paper positions, orders and P&L.",
        needs: ["portfolio, order and fill endpoints"],
    },
    {
        id: "agent",
        label: "Agent",
        status: "coming",
        summary: "The AI agent's decisions with their reasoning, the orders the risk firewall denied, and what it cost.",
        needs: ["the agent's decision-log endpoints (the AI issue)"],
    },
];

export const defaultView = "markets";

/** The view for a location hash (`#/strategies`, `#/strategies/sma-cross`); unknown hashes give the default view. */
export function routeOf(hash: string): { view: ViewInfo; rest: string[] } {
    const parts = hash.replace(/^#\/?/, "").split("/").filter((p) => p.length > 0).map(decodeURIComponent);
    const view = views.find((v) => v.id === parts[0]) ?? views.find((v) => v.id === defaultView)!;
    return { view, rest: view.id === parts[0] ? parts.slice(1) : [] };
}
