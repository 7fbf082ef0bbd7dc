import { useId, useMemo, useState, type FormEvent } from "react";
import type { IndicatorInfo } from "../api/types";
import { buildSpec, placement } from "./indicators";

/** An indicator on the chart: the catalog entry and the spec the API computes. */
export interface ActiveIndicator {
    spec: string;
    info: IndicatorInfo;
}

const sources = ["close", "open", "high", "low", "hl2", "hlc3", "ohlc4", "volume"];
export const maxIndicators = 8;

interface Props {
    catalog: IndicatorInfo[] | null;
    catalogError: string | null;
    active: ActiveIndicator[];
    onAdd(indicator: ActiveIndicator): void;
    onRemove(spec: string): void;
}

/** Picks an indicator from the catalog with its parameters (bounds shown and checked), and lists the ones on the chart. */
export function IndicatorPicker({ catalog, catalogError, active, onAdd, onRemove }: Props) {
    const [name, setName] = useState("");
    const [values, setValues] = useState<Record<string, string>>({});
    const [source, setSource] = useState("close");
    const [errors, setErrors] = useState<string[]>([]);
    const ids = { select: useId(), source: useId(), errors: useId(), base: useId() };
    const info = catalog?.find((i) => i.name === name) ?? null;
    const categories = useMemo(() => {
        const grouped = new Map<string, IndicatorInfo[]>();
        for (const item of catalog ?? []) grouped.set(item.category, [...(grouped.get(item.category) ?? []), item]);
        return [...grouped.entries()];
    }, [catalog]);

    const choose = (next: string) => {
        setName(next);
        setValues({});
        setSource("close");
        setErrors([]);
    };

    const add = (event: FormEvent) => {
        event.preventDefault();
        if (!info) {
            setErrors(["indicator: choose one from the list"]);
            return;
        }
        const result = buildSpec(info, values);
        if (!result.ok) {
            setErrors(result.errors);
            return;
        }
        const spec = info.usesSource && source !== "close" ? result.spec.replace("(", `(${source}${info.parameters.length > 0 ? "," : ""}`) : result.spec;
        if (active.some((a) => a.spec === spec)) {
            setErrors([`indicator: ${spec} is already on the chart`]);
            return;
        }
        if (active.length >= maxIndicators) {
            setErrors([`indicators: at most ${maxIndicators} on one chart (remove one first)`]);
            return;
        }
        setErrors([]);
        onAdd({ spec, info });
    };

    return (
        <div className="indicators">
            <form className="indicator-form" onSubmit={add} noValidate aria-describedby={errors.length > 0 ? ids.errors : undefined} data-testid="indicator-form">
                <div className="field inline">
                    <label htmlFor={ids.select}>Indicator</label>
                    <select id={ids.select} value={name} onChange={(e) => choose(e.target.value)} disabled={!catalog}>
                        <option value="">{catalog ? "choose…" : catalogError ? "catalog unavailable" : "loading…"}</option>
                        {categories.map(([category, items]) => (
                            <optgroup key={category} label={category}>
                                {items.map((item) => (
                                    <option key={item.name} value={item.name}>
                                        {item.name} — {item.description.split(/[.:]/)[0]}
                                    </option>
                                ))}
                            </optgroup>
                        ))}
                    </select>
                </div>
                {info?.usesSource && (
                    <div className="field inline">
                        <label htmlFor={ids.source}>Source</label>
                        <select id={ids.source} value={source} onChange={(e) => setSource(e.target.value)}>
                            {sources.map((s) => (
                                <option key={s} value={s}>
                                    {s}
                                </option>
                            ))}
                        </select>
                    </div>
                )}
                {info?.parameters.map((p) => (
                    <div className="field inline param" key={p.name}>
                        <label htmlFor={`${ids.base}-${p.name}`}>
                            {p.name} <span className="bounds">({p.min}–{p.max})</span>
                        </label>
                        <input
                            id={`${ids.base}-${p.name}`}
                            type="number"
                            inputMode="decimal"
                            min={p.min}
                            max={p.max}
                            step={p.type === "integer" ? 1 : "any"}
                            placeholder={String(p.default)}
                            value={values[p.name] ?? ""}
                            title={p.description}
                            onChange={(e) => setValues({ ...values, [p.name]: e.target.value })}
                        />
                    </div>
                ))}
                <button type="submit" disabled={!info}>
                    Add
                </button>
                {info && <span className="hint">{placement(info).pane === "price" ? "drawn over the price" : "drawn in its own pane"}</span>}
            </form>
            {errors.length > 0 && (
                <ul className="error" id={ids.errors} role="alert">
                    {errors.map((e) => (
                        <li key={e}>{e}</li>
                    ))}
                </ul>
            )}
            {catalogError && (
                <p className="error" role="alert">
                    indicator catalog: {catalogError}
                </p>
            )}
            {active.length > 0 && (
                <ul className="chips" aria-label="Indicators on the chart">
                    {active.map((a) => (
                        <li key={a.spec}>
                            <span>{a.spec}</span>
                            <button type="button" className="chip-remove" aria-label={`Remove ${a.spec}`} onClick={() => onRemove(a.spec)}>
                                <span aria-hidden="true">×</span>
                            </button>
                        </li>
                    ))}
                </ul>
            )}
        </div>
    );
}
