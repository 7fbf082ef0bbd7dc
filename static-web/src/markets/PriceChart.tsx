import { useEffect, useRef, useState } from "react";
import {
    CandlestickSeries,
    createChart,
    createSeriesMarkers,
    HistogramSeries,
    LineSeries,
    type CandlestickData,
    type HistogramData,
    type IChartApi,
    type ISeriesApi,
    type ISeriesMarkersPluginApi,
    type LineData,
    type MouseEventParams,
    type SeriesMarker,
    type Time,
    type UTCTimestamp,
} from "lightweight-charts";
import { ApiError } from "../api/problem";
import { CandleSeries, composeBucket, timeframeLength, type Candle, type CandleChange } from "../live/candles";
import { groups, parseLiveMessage } from "../live/messages";
import { Observable } from "../live/observable";
import { useServices } from "../shell/services";
import { candleColors, chartOptions, lineColors } from "./chartTheme";
import { formatAge, formatPrice, formatTime, formatValue, formatVolume } from "./format";
import type { ActiveIndicator } from "./IndicatorPicker";
import { placement, toLines } from "./indicators";
import { SignalSet } from "./signals";

/** How many bars of history the chart loads. */
export const historyBars = 1000;
const signalHistoryMs = 7 * 24 * 60 * 60 * 1000;
const minuteTimeframe = "1m";

interface Props {
    symbol: string;
    timeframe: string;
    indicators: ActiveIndicator[];
    theme: "dark" | "light";
    live: boolean;
    now: number;
}

interface ChartParts {
    chart: IChartApi;
    candles: ISeriesApi<"Candlestick">;
    volume: ISeriesApi<"Histogram">;
    markers: ISeriesMarkersPluginApi<Time>;
}

interface IndicatorLine {
    label: string;
    color: string;
    series: ISeriesApi<"Line">;
}

interface Legend {
    candle: Candle | null;
    values: { label: string; color: string; value: number | null }[];
    hovering: boolean;
}

const seconds = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp;

function toCandle(c: Candle): CandlestickData<Time> {
    return { time: seconds(c.time), open: c.open, high: c.high, low: c.low, close: c.close };
}

function message(error: unknown): string {
    return error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
}

/**
 * The live candlestick chart of one symbol and timeframe, with volume, indicator lines and panes, signal markers and
 * the values under the crosshair. History comes from the bars API, then live `bars.{SYM}.{tf}` messages: a forming
 * bar moves the last candle, a final one closes it and the next one is appended. On 5m, 15m and 1h the forming candle
 * is built from `bars.{SYM}.1m` (the platform pushes forming updates for 1-minute bars only), until the platform's
 * final bar replaces it. Indicators are read from the API and read again when a bar closes. The container's data attributes describe what is drawn (tests read them).
 */
export function PriceChart({ symbol, timeframe, indicators, theme, live: connected, now }: Props) {
    const { api, live } = useServices();
    const container = useRef<HTMLDivElement>(null);
    const parts = useRef<ChartParts | null>(null);
    const series = useRef<CandleSeries | null>(null);
    const lines = useRef<IndicatorLine[]>([]);
    const finalBars = useRef(new Observable(0));
    const hover = useRef<number | null>(null);
    const [legend, setLegend] = useState<Legend>({ candle: null, values: [], hovering: false });
    const [error, setError] = useState<string | null>(null);
    const [indicatorError, setIndicatorError] = useState<string | null>(null);
    const [loading, setLoading] = useState(true);
    const [lastLive, setLastLive] = useState<number | null>(null);
    const legendFrame = useRef<number | null>(null);

    const refreshLegend = () => {
        if (legendFrame.current !== null) return;
        legendFrame.current = requestAnimationFrame(() => {
            legendFrame.current = null;
            if (!parts.current) return;
            const held = series.current;
            const time = hover.current;
            const candle = held ? (time !== null ? held.at(time) ?? null : held.last ?? null) : null;
            const values = lines.current.map((line) => {
                const data = line.series.data() as readonly LineData<Time>[];
                const point = time !== null && candle ? findPoint(data, seconds(candle.time)) : data[data.length - 1];
                return { label: line.label, color: line.color, value: point?.value ?? null };
            });
            setLegend({ candle, values, hovering: time !== null });
        });
    };

    // The chart itself, once.
    useEffect(() => {
        const element = container.current;
        if (!element) return;
        const chart = createChart(element, chartOptions());
        const colors = candleColors();
        const candles = chart.addSeries(CandlestickSeries, {
            upColor: colors.up,
            downColor: colors.down,
            wickUpColor: colors.up,
            wickDownColor: colors.down,
            borderVisible: false,
            priceLineVisible: true,
        });
        const volume = chart.addSeries(HistogramSeries, { priceFormat: { type: "volume" }, priceScaleId: "volume", lastValueVisible: false, priceLineVisible: false });
        volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
        candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });
        const markers = createSeriesMarkers(candles, []);
        parts.current = { chart, candles, volume, markers };
        const onMove = (param: MouseEventParams<Time>) => {
            hover.current = param.time === undefined ? null : (param.time as number) * 1000;
            refreshLegend();
        };
        chart.subscribeCrosshairMove(onMove);
        return () => {
            chart.unsubscribeCrosshairMove(onMove);
            if (legendFrame.current !== null) cancelAnimationFrame(legendFrame.current);
            parts.current = null;
            chart.remove();
        };
    }, []);

    // Colours follow the theme.
    useEffect(() => {
        const current = parts.current;
        if (!current) return;
        current.chart.applyOptions(chartOptions());
        const colors = candleColors();
        current.candles.applyOptions({ upColor: colors.up, downColor: colors.down, wickUpColor: colors.up, wickDownColor: colors.down });
        const held = series.current;
        if (held) current.volume.setData(held.candles.map((c) => volumeBar(c, colors)));
    }, [theme]);

    // Candles, volume and signals of the symbol and timeframe: history, then live.
    useEffect(() => {
        const current = parts.current;
        const element = container.current;
        if (!current || !element) return;
        const abort = new AbortController();
        const held = new CandleSeries(symbol, timeframe);
        const signals = new SignalSet(symbol);
        series.current = held;
        let historyLoaded = false;
        let liveUpdates = 0;
        let lastLiveSet = 0;
        setLoading(true);
        setError(null);
        setLastLive(null);
        current.candles.setData([]);
        current.volume.setData([]);
        current.markers.setMarkers([]);

        const describe = () => {
            const last = held.last;
            element.dataset.symbol = symbol;
            element.dataset.timeframe = timeframe;
            element.dataset.candles = String(held.length);
            element.dataset.lastTime = last ? String(last.time) : "";
            element.dataset.lastClose = last ? String(last.close) : "";
            element.dataset.lastFinal = last ? String(last.final) : "";
            element.dataset.liveUpdates = String(liveUpdates);
            element.dataset.markers = String(signals.size);
        };
        const redraw = () => {
            const colors = candleColors();
            current.candles.setData(held.candles.map(toCandle));
            current.volume.setData(held.candles.map((c) => volumeBar(c, colors)));
            describe();
            refreshLegend();
        };
        const drawMarkers = () => {
            const colors = candleColors();
            const marks: SeriesMarker<Time>[] = signals.marks(timeframe).map((m) => ({
                time: seconds(m.time),
                position: m.position,
                shape: m.shape,
                color: m.color === "buy" ? colors.up : colors.down,
                text: m.text,
                id: m.id,
            }));
            current.markers.setMarkers(marks);
            describe();
        };

        const draw = (change: CandleChange) => {
            if (change.kind === "none") return;
            liveUpdates++;
            // The stale mark needs the time of the last update to the second, not a render per update.
            const now = Date.now();
            if (now - lastLiveSet >= 1000) {
                lastLiveSet = now;
                setLastLive(now);
            }
            if (!historyLoaded) return;
            if (change.kind === "reset") {
                redraw();
            } else {
                const colors = candleColors();
                current.candles.update(toCandle(change.candle));
                current.volume.update(volumeBar(change.candle, colors));
                describe();
                if (hover.current === null) refreshLegend();
            }
        };
        const onBar = (data: unknown) => {
            const parsed = parseLiveMessage(data);
            if (!parsed.ok || parsed.message.type !== "bar") {
                if (!parsed.ok) console.warn(`live message refused: ${parsed.reason}`);
                return;
            }
            draw(held.apply(parsed.message));
            if (parsed.message.final) finalBars.current.update((n) => n + 1);
        };
        // Longer timeframes: the forming candle is built from the 1-minute bars (the platform pushes only those forming).
        const length = timeframeLength(timeframe);
        const minutes = timeframe === minuteTimeframe ? null : new CandleSeries(symbol, minuteTimeframe, 2 * (length / timeframeLength(minuteTimeframe)));
        const buildForming = (start: number) => {
            if (!minutes) return;
            const last = held.last;
            if (last && last.final && last.time >= start) return;
            const built = composeBucket(minutes.candles, start, length);
            if (built) draw(held.apply({ type: "bar", symbol, timeframe, ...built, final: false }));
        };
        const onMinute = (data: unknown) => {
            const parsed = parseLiveMessage(data);
            if (!minutes || !parsed.ok || parsed.message.type !== "bar") return;
            if (minutes.apply(parsed.message).kind !== "none") buildForming(Math.floor(parsed.message.time / length) * length);
        };
        const onSignal = (data: unknown) => {
            const parsed = parseLiveMessage(data);
            if (parsed.ok && parsed.message.type === "signal" && signals.add(parsed.message)) drawMarkers();
        };

        const load = async (first: boolean) => {
            try {
                const [answer, recent] = await Promise.all([
                    api.bars(symbol, timeframe, historyBars, abort.signal),
                    minutes ? api.bars(symbol, minuteTimeframe, length / timeframeLength(minuteTimeframe), abort.signal) : null,
                ]);
                held.mergeHistory(answer.bars);
                if (minutes && recent) {
                    minutes.mergeHistory(recent.bars);
                    const newest = minutes.last;
                    if (newest) {
                        const start = Math.floor(newest.time / length) * length;
                        const built = composeBucket(minutes.candles, start, length);
                        const last = held.last;
                        if (built && !(last && last.final && last.time >= start)) held.apply({ type: "bar", symbol, timeframe, ...built, final: false });
                    }
                }
                historyLoaded = true;
                redraw();
                if (first) current.chart.timeScale().scrollToRealTime();
                setError(null);
            } catch (e) {
                if (abort.signal.aborted) return;
                setError(`bars: ${message(e)}`);
                historyLoaded = true;
                redraw();
            } finally {
                if (!abort.signal.aborted) setLoading(false);
            }
            try {
                const oldest = held.candles[0]?.time ?? Date.now() - 24 * 60 * 60 * 1000;
                const found = await api.signals(symbol, Math.max(oldest, Date.now() - signalHistoryMs), 1000, abort.signal);
                let added = false;
                for (const signal of found) added = signals.add(signal) || added;
                if (added || first) drawMarkers();
            } catch (e) {
                if (!abort.signal.aborted) setError(`signals: ${message(e)}`);
            }
        };

        // Join first, then read history, so nothing falls between the two.
        const stopBars = live.subscribe(groups.bars(symbol, timeframe), onBar);
        const stopMinutes = minutes ? live.subscribe(groups.bars(symbol, minuteTimeframe), onMinute) : () => {};
        const stopSignals = live.subscribe(groups.symbolSignals(symbol), onSignal);
        void load(true);
        const stopReconnect = live.onReconnected(() => void load(false));
        describe();
        return () => {
            abort.abort();
            stopBars();
            stopMinutes();
            stopSignals();
            stopReconnect();
        };
    }, [api, live, symbol, timeframe]);

    // Indicator lines: over the price or in panes below; read again whenever a bar closes.
    const indicatorKey = indicators.map((i) => i.spec).join("|");
    useEffect(() => {
        const current = parts.current;
        const element = container.current;
        if (!current || !element) return;
        const abort = new AbortController();
        const made: IndicatorLine[] = [];
        const bySpec = new Map<string, { indicator: ActiveIndicator; outputs: { name: string; line: IndicatorLine }[] }>();
        let pane = 0;
        let color = 0;
        for (const indicator of indicators) {
            const where = placement(indicator.info);
            const paneIndex = where.pane === "price" ? 0 : ++pane;
            const outputs = where.outputs.map((name) => {
                const palette = lineColors(theme);
                const lineColor = palette[color++ % palette.length]!;
                const lineSeries = current.chart.addSeries(
                    LineSeries,
                    { color: lineColor, lineWidth: 1, priceLineVisible: false, lastValueVisible: paneIndex > 0, crosshairMarkerVisible: false, title: where.outputs.length > 1 ? name : "" },
                    paneIndex,
                );
                const line = { label: where.outputs.length > 1 ? `${indicator.spec}.${name}` : indicator.spec, color: lineColor, series: lineSeries };
                made.push(line);
                return { name, line };
            });
            bySpec.set(indicator.spec, { indicator, outputs });
        }
        const panes = current.chart.panes();
        for (let i = 1; i < panes.length; i++) panes[i]!.setHeight(110);
        lines.current = made;
        element.dataset.indicatorLines = String(made.length);
        element.dataset.indicatorPoints = "0";
        setIndicatorError(null);

        let timer: ReturnType<typeof setTimeout> | null = null;
        const load = async () => {
            const problems: string[] = [];
            let points = 0;
            await Promise.all(
                [...bySpec.values()].map(async ({ indicator, outputs }) => {
                    try {
                        const answer = await api.indicatorValues(symbol, timeframe, indicator.spec, historyBars, abort.signal);
                        const values = toLines(answer, outputs.map((o) => o.name));
                        for (const { name, line } of outputs) {
                            const data = values.get(name) ?? [];
                            points += data.length;
                            line.series.setData(data.map((p) => ({ time: seconds(p.time), value: p.value })));
                        }
                    } catch (e) {
                        if (!abort.signal.aborted) problems.push(`${indicator.spec}: ${message(e)}`);
                    }
                }),
            );
            if (abort.signal.aborted) return;
            element.dataset.indicatorPoints = String(points);
            setIndicatorError(problems.length > 0 ? problems.join("; ") : null);
            refreshLegend();
        };
        if (bySpec.size > 0) void load();
        const stopFinal = finalBars.current.subscribe(() => {
            if (bySpec.size === 0 || timer !== null) return;
            timer = setTimeout(() => {
                timer = null;
                void load();
            }, 500);
        });
        const stopReconnect = live.onReconnected(() => bySpec.size > 0 && void load());
        return () => {
            abort.abort();
            stopFinal();
            stopReconnect();
            if (timer !== null) clearTimeout(timer);
            lines.current = [];
            // On unmount the chart itself may be gone already (effects are cleaned up in order); then there is nothing to remove.
            if (parts.current !== current) return;
            for (const line of made) current.chart.removeSeries(line.series);
            for (let i = current.chart.panes().length - 1; i > 0; i--) current.chart.removePane(i);
        };
    }, [api, live, symbol, timeframe, indicatorKey, theme]);

    const stale = !connected || lastLive === null || now - lastLive > Math.max(30_000, timeframeLength(timeframe) / 2);
    const candle = legend.candle;
    return (
        <div className="chart-area">
            <div className="legend" aria-live="off" data-testid="legend">
                {candle ? (
                    <>
                        <span className="legend-time">{formatTime(candle.time)}</span>
                        <span>O {formatPrice(candle.open)}</span>
                        <span>H {formatPrice(candle.high)}</span>
                        <span>L {formatPrice(candle.low)}</span>
                        <span className={candle.close >= candle.open ? "up" : "down"}>C {formatPrice(candle.close)}</span>
                        <span>V {formatVolume(candle.volume)}</span>
                        {!candle.final && <span className="tag">forming</span>}
                        {legend.values.map((v) => (
                            <span key={v.label} style={{ color: v.color }} className="legend-value">
                                {v.label} {formatValue(v.value)}
                            </span>
                        ))}
                    </>
                ) : (
                    <span>{loading ? "Loading bars…" : "No bars yet: they appear as ticks arrive."}</span>
                )}
                {stale && !loading && (
                    <span className="stale-tag" data-testid="chart-stale" title={lastLive ? `no live update for ${formatAge(now - lastLive)}` : "no live update yet"}>
                        stale{lastLive ? ` · ${formatAge(now - lastLive)}` : ""}
                    </span>
                )}
            </div>
            {error && (
                <p className="error" role="alert">
                    {error}
                </p>
            )}
            {indicatorError && (
                <p className="error" role="alert">
                    {indicatorError}
                </p>
            )}
            <div
                ref={container}
                className="chart"
                data-testid="chart"
                role="img"
                aria-label={`${symbol} ${timeframe} candlestick chart${candle ? `, last close ${formatPrice(candle.close)}` : ""}`}
            />
        </div>
    );
}

function volumeBar(c: Candle, colors: ReturnType<typeof candleColors>): HistogramData<Time> {
    return { time: seconds(c.time), value: c.volume, color: c.close >= c.open ? colors.upVolume : colors.downVolume };
}

function findPoint(data: readonly LineData<Time>[], time: number): LineData<Time> | undefined {
    let low = 0;
    let high = data.length - 1;
    while (low <= high) {
        const middle = (low + high) >>> 1;
        const at = data[middle]!.time as number;
        if (at === time) return data[middle];
        if (at < time) low = middle + 1;
        else high = middle - 1;
    }
    return undefined;
}
