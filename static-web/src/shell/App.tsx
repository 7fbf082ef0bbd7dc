import { Component, createContext, lazy, Suspense, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ComponentType, type ErrorInfo, type LazyExoticComponent, type ReactNode } from "react";
import { ConnectionBadge } from "./ConnectionBadge";
import { Placeholder } from "./Placeholder";
import { SettingsDialog } from "./SettingsDialog";
import { useObservable, useServices } from "./services";
import { useAppliedTheme } from "./theme";
import { routeOf, views, type ViewInfo } from "./views";

function subscribeHash(listener: () => void): () => void {
    window.addEventListener("hashchange", listener);
    return () => window.removeEventListener("hashchange", listener);
}

const currentHash = () => window.location.hash;

/** The route below the view (`#/strategies/sma-cross` → ["sma-cross"]) and the resolved theme, for views. */
export interface ViewContextValue {
    rest: string[];
    theme: "dark" | "light";
}

export const ViewContext = createContext<ViewContextValue>({ rest: [], theme: "dark" });

export function useViewContext(): ViewContextValue {
    return useContext(ViewContext);
}

/** Keeps a failing view from taking the shell (navigation, connection state, settings) down with it. */
class ViewBoundary extends Component<{ label: string; children: ReactNode }, { error: Error | null }> {
    override state: { error: Error | null } = { error: null };

    static getDerivedStateFromError(error: Error) {
        return { error };
    }

    override componentDidCatch(error: Error, info: ErrorInfo) {
        console.error(`the ${this.props.label} view failed:`, error, info.componentStack);
    }

    override render() {
        if (!this.state.error) return this.props.children;
        return (
            <section className="panel" role="alert">
                <h1>{this.props.label} stopped working</h1>
                <p className="error">{this.state.error.message}</p>
                <button type="button" onClick={() => this.setState({ error: null })}>
                    Try again
                </button>
            </section>
        );
    }
}

const loaded = new Map<string, LazyExoticComponent<ComponentType>>();

function component(view: ViewInfo): LazyExoticComponent<ComponentType> | null {
    if (!view.load) return null;
    let lazyView = loaded.get(view.id);
    if (!lazyView) {
        lazyView = lazy(view.load);
        loaded.set(view.id, lazyView);
    }
    return lazyView;
}

/** The shell: top bar (views, connection state, theme, settings), a banner while no key is set, and the current view. */
export function App() {
    const services = useServices();
    const settings = useObservable(services.settings);
    const health = useObservable(services.apiHealth);
    const hash = useSyncExternalStore(subscribeHash, currentHash, () => "");
    const { view, rest } = routeOf(hash);
    const theme = useAppliedTheme(settings.theme);
    const [settingsOpen, setSettingsOpen] = useState(false);
    const View = component(view);
    const restKey = rest.join("/");
    const context = useMemo(() => ({ rest: restKey ? restKey.split("/") : [], theme }), [restKey, theme]);

    useEffect(() => {
        document.title = `${view.label} — SigmaFlow`;
    }, [view.label]);

    const toggleTheme = () => services.saveSettings({ ...settings, theme: theme === "dark" ? "light" : "dark" });

    return (
        <div className="app">
            <a className="skip-link" href="#main" onClick={(e) => {
                e.preventDefault();
                document.getElementById("main")?.focus();
            }}>
                Skip to content
            </a>
            <header className="topbar">
                <a className="brand" href="#/markets" aria-label="SigmaFlow home">
                    <span aria-hidden="true">Σ</span> SigmaFlow
                </a>
                <nav aria-label="Views" className="nav">
                    <ul>
                        {views.map((v) => (
                            <li key={v.id}>
                                <a href={`#/${v.id}`} aria-current={v.id === view.id ? "page" : undefined} className={v.status === "coming" ? "coming" : undefined}>
                                    {v.label}
                                    {v.status === "coming" && <span className="visually-hidden"> (coming with the API)</span>}
                                </a>
                            </li>
                        ))}
                    </ul>
                </nav>
                <div className="topbar-end">
                    <ConnectionBadge />
                    <button type="button" className="icon" onClick={toggleTheme} aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`} title="Theme">
                        <span aria-hidden="true">{theme === "dark" ? "☀" : "☾"}</span>
                    </button>
                    <button type="button" className="icon" onClick={() => setSettingsOpen(true)} aria-label="Settings" title="Settings" data-testid="open-settings">
                        <span aria-hidden="true">⚙</span>
                    </button>
                </div>
            </header>
            {!settings.apiKey && (
                <div className="banner" role="note">
                    No API key yet: the dashboard cannot read the API or connect live.{" "}
                    <button type="button" className="link" onClick={() => setSettingsOpen(true)}>
                        Enter your API key
                    </button>{" "}
                    (the first `sigmaflow serve` prints one).
                </div>
            )}
            {settings.apiKey && health === "unauthorized" && (
                <div className="banner banner-error" role="alert">
                    The API refused the API key.{" "}
                    <button type="button" className="link" onClick={() => setSettingsOpen(true)}>
                        Check the key in Settings
                    </button>
                </div>
            )}
            <main id="main" tabIndex={-1}>
                <ViewContext.Provider value={context}>
                    {View ? (
                        <ViewBoundary key={view.id} label={view.label}>
                            <Suspense fallback={<p className="loading" role="status">Loading {view.label}…</p>}>
                                <View />
                            </Suspense>
                        </ViewBoundary>
                    ) : (
                        <Placeholder view={view} />
                    )}
                </ViewContext.Provider>
            </main>
            <SettingsDialog open={settingsOpen} onClose={() => setSettingsOpen(false)} />
        </div>
    );
}
