import { ColorType, CrosshairMode, type DeepPartial, type ChartOptions } from "lightweight-charts";
import { themeColor } from "../shell/theme";

/** Colours of indicator lines per theme: each at least 4.5:1 against the panel, since the legend writes values in them. */
const lineColorsByTheme = {
    dark: ["#e8a33d", "#4ea1ff", "#c678dd", "#36b3a8", "#e06c75", "#98c379", "#d19a66", "#61afef"],
    light: ["#a35200", "#0550ae", "#8250df", "#1b7c83", "#cf222e", "#4d7a0f", "#9a6700", "#0969da"],
} as const;

export function lineColors(theme: "dark" | "light"): readonly string[] {
    return lineColorsByTheme[theme];
}

/** The chart's options from the stylesheet's current theme variables. */
export function chartOptions(): DeepPartial<ChartOptions> {
    const text = themeColor("--text-muted", "#9aa7b4");
    const grid = themeColor("--grid", "#222a33");
    return {
        autoSize: true,
        layout: {
            background: { type: ColorType.Solid, color: themeColor("--panel", "#161c24") },
            textColor: text,
            fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
            panes: { separatorColor: grid, separatorHoverColor: themeColor("--accent", "#4ea1ff"), enableResize: true },
        },
        grid: { vertLines: { color: grid }, horzLines: { color: grid } },
        rightPriceScale: { borderColor: grid },
        timeScale: { borderColor: grid, timeVisible: true, secondsVisible: false, rightOffset: 4 },
        crosshair: { mode: CrosshairMode.Normal },
        localization: { locale: "en-US" },
    };
}

export function candleColors() {
    const up = themeColor("--up", "#26a69a");
    const down = themeColor("--down", "#ef5350");
    return { up, down, upVolume: `${up}66`, downVolume: `${down}66` };
}
