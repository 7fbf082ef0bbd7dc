/** A small line of the last 24 hours' closes; decorative (the row's numbers say the same in text). */
export function Sparkline({ values, rising }: { values: readonly number[]; rising: boolean }) {
    const width = 80;
    const height = 24;
    if (values.length < 2) {
        return <svg className="spark" width={width} height={height} aria-hidden="true" />;
    }
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
        if (v < min) min = v;
        if (v > max) max = v;
    }
    const span = max - min || 1;
    const step = width / (values.length - 1);
    const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`).join(" ");
    return (
        <svg className={`spark ${rising ? "up" : "down"}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
            <polyline points={points} fill="none" strokeWidth="1.5" />
        </svg>
    );
}
