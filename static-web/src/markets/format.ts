/** Number formats of the market views (fixed English formatting, so columns line up and tests can read them). */

export function formatPrice(value: number | null | undefined): string {
    if (value === null || value === undefined || !Number.isFinite(value)) return "—";
    const magnitude = Math.abs(value);
    const decimals = magnitude >= 1000 ? 2 : magnitude >= 1 ? 2 : magnitude >= 0.01 ? 4 : 6;
    return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function formatChange(value: number | null | undefined): string {
    if (value === null || value === undefined || !Number.isFinite(value)) return "—";
    return `${value > 0 ? "+" : value < 0 ? "−" : ""}${Math.abs(value).toFixed(2)}%`;
}

export function formatVolume(value: number | null | undefined): string {
    if (value === null || value === undefined || !Number.isFinite(value)) return "—";
    const units: [number, string][] = [
        [1e9, "B"],
        [1e6, "M"],
        [1e3, "K"],
    ];
    for (const [size, unit] of units) {
        if (Math.abs(value) >= size) return `${(value / size).toFixed(2)}${unit}`;
    }
    return value >= 100 ? value.toFixed(0) : value.toFixed(value >= 1 ? 2 : 4);
}

export function formatValue(value: number | null | undefined): string {
    if (value === null || value === undefined || !Number.isFinite(value)) return "—";
    const magnitude = Math.abs(value);
    return magnitude >= 1000 ? value.toFixed(2) : magnitude >= 1 ? value.toFixed(3) : value.toPrecision(4);
}

export function formatTime(ms: number): string {
    return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function formatAge(ms: number): string {
    const seconds = Math.max(0, Math.round(ms / 1000));
    if (seconds < 90) return `${seconds} s`;
    const minutes = Math.round(seconds / 60);
    return minutes < 90 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}
