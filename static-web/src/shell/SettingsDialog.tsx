import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ApiClient } from "../api/client";
import { ApiError } from "../api/problem";
import { checkApiBase, checkApiKey, type ThemeChoice } from "../settings/settings";
import { useObservable, useServices } from "./services";

/** API base URL, API key and theme; the key stays in this browser's localStorage. */
export function SettingsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
    const services = useServices();
    const settings = useObservable(services.settings);
    const dialog = useRef<HTMLDialogElement>(null);
    const [apiBase, setApiBase] = useState(settings.apiBase);
    const [apiKey, setApiKey] = useState(settings.apiKey);
    const [theme, setTheme] = useState<ThemeChoice>(settings.theme);
    const [showKey, setShowKey] = useState(false);
    const [errors, setErrors] = useState<{ apiBase?: string; apiKey?: string }>({});
    const [check, setCheck] = useState<{ ok: boolean; text: string } | null>(null);
    const ids = { base: useId(), key: useId(), theme: useId(), baseError: useId(), keyError: useId() };

    useEffect(() => {
        const element = dialog.current;
        if (!element) return;
        if (open && !element.open) {
            setApiBase(settings.apiBase);
            setApiKey(settings.apiKey);
            setTheme(settings.theme);
            setErrors({});
            setCheck(null);
            element.showModal();
        } else if (!open && element.open) {
            element.close();
        }
    }, [open, settings]);

    const validate = () => {
        const base = checkApiBase(apiBase);
        const key = checkApiKey(apiKey);
        const found: { apiBase?: string; apiKey?: string } = {};
        if (!base.ok) found.apiBase = base.error;
        if (!key.ok) found.apiKey = key.error;
        setErrors(found);
        return base.ok && key.ok ? { apiBase: base.value, apiKey: key.value } : null;
    };

    const submit = (event: FormEvent) => {
        event.preventDefault();
        const values = validate();
        if (!values) return;
        services.saveSettings({ ...values, theme });
        onClose();
    };

    const test = async () => {
        const values = validate();
        if (!values) return;
        setCheck({ ok: true, text: "checking…" });
        try {
            const me = await new ApiClient(() => values).me();
            setCheck({ ok: true, text: me.authenticated ? `The API answers: signed in as ${me.name} (${me.scope} scope).` : "The API answers, but no key was accepted (anonymous)." });
        } catch (error) {
            setCheck({ ok: false, text: error instanceof ApiError ? `${error.problem.title}: ${error.message}` : String(error) });
        }
    };

    return (
        <dialog ref={dialog} className="settings" aria-labelledby="settings-title" onClose={onClose} onCancel={onClose}>
            <form onSubmit={submit} noValidate>
                <h2 id="settings-title">Settings</h2>
                <div className="field">
                    <label htmlFor={ids.base}>API base URL</label>
                    <input
                        id={ids.base}
                        name="apiBase"
                        type="url"
                        inputMode="url"
                        value={apiBase}
                        placeholder="empty: the same origin as this page"
                        onChange={(e) => setApiBase(e.target.value)}
                        aria-invalid={errors.apiBase ? true : undefined}
                        aria-describedby={errors.apiBase ? ids.baseError : undefined}
                        autoComplete="url"
                    />
                    <p className="hint">Where /api is. Empty uses this page's origin (as `sigmaflow serve` serves it). Other origins must allow this page (CORS).</p>
                    {errors.apiBase && (
                        <p className="error" id={ids.baseError} role="alert">
                            {errors.apiBase}
                        </p>
                    )}
                </div>
                <div className="field">
                    <label htmlFor={ids.key}>API key</label>
                    <div className="row">
                        <input
                            id={ids.key}
                            name="apiKey"
                            type={showKey ? "text" : "password"}
                            value={apiKey}
                            placeholder="sfk_…"
                            onChange={(e) => setApiKey(e.target.value)}
                            aria-invalid={errors.apiKey ? true : undefined}
                            aria-describedby={errors.apiKey ? ids.keyError : undefined}
                            autoComplete="off"
                            spellCheck={false}
                        />
                        <button type="button" className="secondary" aria-pressed={showKey} onClick={() => setShowKey(!showKey)}>
                            {showKey ? "Hide" : "Show"}
                        </button>
                    </div>
                    <p className="hint">Sent as x-api-key and kept in this browser's localStorage. The first `sigmaflow serve` prints one.</p>
                    {errors.apiKey && (
                        <p className="error" id={ids.keyError} role="alert">
                            {errors.apiKey}
                        </p>
                    )}
                </div>
                <div className="field">
                    <label htmlFor={ids.theme}>Theme</label>
                    <select id={ids.theme} name="theme" value={theme} onChange={(e) => setTheme(e.target.value as ThemeChoice)}>
                        <option value="system">Follow the system</option>
                        <option value="dark">Dark</option>
                        <option value="light">Light</option>
                    </select>
                </div>
                {check && (
                    <p className={check.ok ? "note" : "error"} role="status">
                        {check.text}
                    </p>
                )}
                <div className="actions">
                    <button type="button" className="secondary" onClick={() => void test()}>
                        Test connection
                    </button>
                    <span className="spacer" />
                    <button type="button" className="secondary" onClick={onClose}>
                        Cancel
                    </button>
                    <button type="submit">Save</button>
                </div>
            </form>
        </dialog>
    );
}
