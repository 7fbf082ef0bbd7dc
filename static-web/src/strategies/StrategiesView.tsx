import { useCallback, useEffect, useId, useRef, useState } from "react";
import { ApiError, describeProblem } from "../api/problem";
import type { StrategySummary, StrategyVersion } from "../api/types";
import { useViewContext } from "../shell/App";
import { useObservable, useServices } from "../shell/services";
import { CodeEditor, type CodeEditorHandle } from "./CodeEditor";
import { documentErrors, newDocument } from "./editorModel";
import { useValidation } from "./useValidation";

interface Open {
    /** null for a strategy not saved yet. */
    id: string | null;
    etag: string | null;
    version: number | null;
    saved: string;
}

function randomKey(): string {
    return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

function when(iso: string): string {
    return iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "";
}

/** Strategies: the list, an editor validated as you type, parameter bounds, saving as new versions, and the history. */
export default function StrategiesView() {
    const { api, settings: settingsObservable } = useServices();
    const settings = useObservable(settingsObservable);
    const { rest } = useViewContext();
    const routeId = rest[0] ?? null;
    const [list, setList] = useState<StrategySummary[] | null>(null);
    const [listError, setListError] = useState<string | null>(null);
    const [open, setOpen] = useState<Open>({ id: null, etag: null, version: null, saved: "" });
    const [text, setText] = useState(newDocument);
    const [loadError, setLoadError] = useState<string | null>(null);
    const [saving, setSaving] = useState(false);
    const [saveMessage, setSaveMessage] = useState<{ ok: boolean; text: string } | null>(null);
    const [versions, setVersions] = useState<StrategyVersion[] | null>(null);
    const [viewing, setViewing] = useState<StrategyVersion | null>(null);
    const [validation, showErrors] = useValidation(api, text, Boolean(settings.apiKey));
    const editor = useRef<CodeEditorHandle>(null);
    const justSaved = useRef<string | null>(null);
    const ids = { editor: useId(), errors: useId(), title: useId() };
    const dirty = text !== open.saved;

    const refreshList = useCallback(() => {
        if (!settings.apiKey) return;
        api.strategies().then(
            (items) => {
                setList(items);
                setListError(null);
            },
            (e: unknown) => setListError(e instanceof Error ? e.message : String(e)),
        );
    }, [api, settings.apiKey]);

    const refreshVersions = useCallback(
        (id: string) => {
            api.strategyVersions(id).then(setVersions, () => setVersions([]));
        },
        [api],
    );

    useEffect(refreshList, [refreshList, settings.apiBase]);

    // Open the strategy named in the route (#/strategies/{id}), or a new one (#/strategies or #/strategies/new).
    useEffect(() => {
        if (routeId !== null && routeId === justSaved.current) {
            // The address follows a save: what is open is already this strategy.
            justSaved.current = null;
            return;
        }
        setSaveMessage(null);
        setViewing(null);
        setLoadError(null);
        if (!routeId || routeId === "new") {
            setOpen({ id: null, etag: null, version: null, saved: "" });
            setText(newDocument);
            setVersions(null);
            return;
        }
        if (!settings.apiKey) return;
        let cancelled = false;
        api.strategy(routeId).then(
            (answer) => {
                if (cancelled) return;
                setOpen({ id: answer.data.id, etag: answer.etag ?? `"v${answer.data.version}"`, version: answer.data.version, saved: answer.data.document });
                setText(answer.data.document);
                refreshVersions(answer.data.id);
            },
            (e: unknown) => !cancelled && setLoadError(e instanceof Error ? e.message : String(e)),
        );
        return () => {
            cancelled = true;
        };
    }, [api, routeId, settings.apiKey, refreshVersions]);

    const save = async () => {
        if (saving) return;
        setSaving(true);
        setSaveMessage(null);
        try {
            const answer = open.id === null ? await api.createStrategy(text, randomKey()) : await api.updateStrategy(open.id, text, open.etag ?? `"v${open.version ?? 1}"`);
            const record = answer.data;
            setOpen({ id: record.id, etag: answer.etag ?? `"v${record.version}"`, version: record.version, saved: record.document });
            setSaveMessage({ ok: true, text: `Saved ${record.id} as version ${record.version}.` });
            refreshList();
            refreshVersions(record.id);
            if (routeId !== record.id) {
                justSaved.current = record.id;
                window.location.hash = `#/strategies/${encodeURIComponent(record.id)}`;
            }
        } catch (e) {
            if (e instanceof ApiError) {
                const problem = e.problem;
                if (problem.status === 422) {
                    showErrors(documentErrors(problem.errors));
                    setSaveMessage({ ok: false, text: `Not saved: ${describeProblem(problem)}` });
                } else if (problem.status === 412) {
                    setSaveMessage({ ok: false, text: `Not saved: the strategy changed elsewhere since version ${open.version} was opened. Copy your text, reload it, and apply your change again.` });
                } else if (problem.status === 409) {
                    setSaveMessage({ ok: false, text: `Not saved: ${problem.detail} Change the document's name, or open the existing strategy.` });
                } else if (problem.status === 403) {
                    setSaveMessage({ ok: false, text: `Not saved: this API key may only read (${problem.detail}). Saving needs the trade scope.` });
                } else {
                    setSaveMessage({ ok: false, text: `Not saved: ${problem.title}: ${describeProblem(problem)}` });
                }
            } else {
                setSaveMessage({ ok: false, text: `Not saved: ${String(e)}` });
            }
        } finally {
            setSaving(false);
        }
    };

    const showVersion = async (version: number) => {
        if (!open.id) return;
        try {
            setViewing(await api.strategyVersion(open.id, version));
        } catch (e) {
            setSaveMessage({ ok: false, text: `Version ${version}: ${e instanceof Error ? e.message : String(e)}` });
        }
    };

    const status =
        validation.state === "checking"
            ? "Checking…"
            : validation.state === "valid"
              ? `Valid${validation.name ? `: ${validation.name}` : ""}`
              : validation.state === "invalid"
                ? `${validation.errors.length} ${validation.errors.length === 1 ? "problem" : "problems"}`
                : validation.state === "unavailable"
                  ? `Cannot check: ${validation.problem}`
                  : "";

    return (
        <div className="strategies">
            <nav className="panel strategy-list" aria-label="Strategies">
                <div className="panel-head">
                    <h2>Strategies</h2>
                    <a className="button" href="#/strategies/new">
                        New
                    </a>
                </div>
                {listError && (
                    <p className="error" role="alert">
                        {listError}
                    </p>
                )}
                {list && list.length === 0 && <p className="empty">None saved yet.</p>}
                <ul>
                    {(list ?? []).map((s) => (
                        <li key={s.id}>
                            <a href={`#/strategies/${encodeURIComponent(s.id)}`} aria-current={s.id === open.id ? "page" : undefined}>
                                <span className="name">{s.name}</span>
                                <span className="meta">
                                    v{s.version} · {when(s.updatedAt)}
                                </span>
                            </a>
                        </li>
                    ))}
                </ul>
            </nav>
            <section className="panel strategy-editor" aria-labelledby={ids.title}>
                <div className="panel-head">
                    <h1 id={ids.title}>
                        {open.id ?? "New strategy"}
                        {open.version !== null && <span className="tag">v{open.version}</span>}
                        {dirty && <span className="tag tag-warn">unsaved</span>}
                    </h1>
                    <span className={`validation validation-${validation.state}`} role="status" aria-live="polite" data-testid="validation-status" data-state={validation.state}>
                        {status}
                    </span>
                    <button type="button" onClick={() => void save()} disabled={saving || !settings.apiKey || (!dirty && open.id !== null)} data-testid="save-strategy">
                        {saving ? "Saving…" : open.id === null ? "Save" : "Save new version"}
                    </button>
                </div>
                {loadError && (
                    <p className="error" role="alert">
                        {loadError}
                    </p>
                )}
                <CodeEditor
                    ref={editor}
                    id={ids.editor}
                    label="Strategy document (YAML or JSON)"
                    value={text}
                    onChange={setText}
                    errors={validation.errors}
                    describedBy={validation.errors.length > 0 ? ids.errors : undefined}
                    onSave={() => void save()}
                />
                {saveMessage && (
                    <p className={saveMessage.ok ? "note" : "error"} role={saveMessage.ok ? "status" : "alert"} data-testid="save-message">
                        {saveMessage.text}
                    </p>
                )}
                {validation.errors.length > 0 && (
                    <ul className="problems" id={ids.errors} aria-label="Problems in the document" data-testid="strategy-errors">
                        {validation.errors.map((e, i) => (
                            <li key={`${e.line}:${e.column}:${i}`}>
                                {e.line > 0 ? (
                                    <button type="button" className="link" onClick={() => editor.current?.goTo(e.line, e.column)} data-line={e.line}>
                                        Line {e.line}, column {e.column}
                                    </button>
                                ) : (
                                    <span>Document</span>
                                )}
                                : {e.message}
                            </li>
                        ))}
                    </ul>
                )}
            </section>
            <aside className="panel strategy-side" aria-label="Parameters and versions">
                <h2>Parameters</h2>
                {validation.parameters.length > 0 ? (
                    <table className="grid params" data-testid="parameters">
                        <caption className="visually-hidden">Declared parameters with their bounds</caption>
                        <thead>
                            <tr>
                                <th scope="col">Name</th>
                                <th scope="col" className="num">
                                    Default
                                </th>
                                <th scope="col" className="num">
                                    Min
                                </th>
                                <th scope="col" className="num">
                                    Max
                                </th>
                                <th scope="col" className="num">
                                    Step
                                </th>
                            </tr>
                        </thead>
                        <tbody>
                            {validation.parameters.map((p) => (
                                <tr key={p.name}>
                                    <th scope="row">{p.name}</th>
                                    <td className="num">{p.default}</td>
                                    <td className="num">{p.min}</td>
                                    <td className="num">{p.max}</td>
                                    <td className="num">{p.step ?? "—"}</td>
                                </tr>
                            ))}
                        </tbody>
                    </table>
                ) : (
                    <p className="empty">No parameters declared.</p>
                )}
                <h2>Versions</h2>
                {open.id === null ? (
                    <p className="empty">Saved versions appear here.</p>
                ) : (
                    <ol className="versions" data-testid="versions" reversed>
                        {[...(versions ?? [])].reverse().map((v) => (
                            <li key={v.version}>
                                <button type="button" className="link" onClick={() => void showVersion(v.version)} aria-pressed={viewing?.version === v.version}>
                                    v{v.version}
                                </button>{" "}
                                <span className="meta">
                                    {v.name} · {when(v.createdAt)}
                                </span>
                            </li>
                        ))}
                    </ol>
                )}
                {viewing && (
                    <div className="version-view" data-testid="version-view">
                        <h3>
                            Version {viewing.version} <span className="meta">{when(viewing.createdAt)}</span>
                        </h3>
                        <pre tabIndex={0} aria-label={`Document of version ${viewing.version}`}>{viewing.document ?? ""}</pre>
                        <div className="actions">
                            <button
                                type="button"
                                className="secondary"
                                onClick={() => {
                                    setText(viewing.document ?? "");
                                    setViewing(null);
                                }}
                            >
                                Load into the editor
                            </button>
                            <button type="button" className="secondary" onClick={() => setViewing(null)}>
                                Close
                            </button>
                        </div>
                    </div>
                )}
            </aside>
        </div>
    );
}
