/**
 * The dashboard's settings: where the API is, the caller's API key and the theme. The API base comes from the build
 * (`VITE_API_BASE`, default "": the page's own origin) and can be changed at run time; the runtime value, the key and
 * the theme are kept in localStorage of this browser.
 */

export type ThemeChoice = "dark" | "light" | "system";

export interface Settings {
    /** Base URL of the API without `/api` ("" = the origin the dashboard is served from). */
    apiBase: string;
    /** `sfk_…` key sent as `x-api-key`; "" when none was entered. */
    apiKey: string;
    theme: ThemeChoice;
}

/** The part of `Storage` the settings use (tests pass a map). */
export interface KeyValueStore {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
}

export const storageKeys = {
    apiBase: "sigmaflow.apiBase",
    apiKey: "sigmaflow.apiKey",
    theme: "sigmaflow.theme",
    pinned: "sigmaflow.markets.pinned",
    markets: "sigmaflow.markets.view",
} as const;

/** The outcome of checking a settings field: the clean value, or an error naming the field, the rule and the value. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Checks an API base URL: empty (same origin), or an absolute http(s) URL without query or fragment; a trailing
 * slash or a trailing `/api` is dropped, since paths are added as `/api/…`.
 */
export function checkApiBase(text: string): Checked<string> {
    const trimmed = text.trim();
    if (trimmed === "") {
        return { ok: true, value: "" };
    }

    let url: URL;
    try {
        url = new URL(trimmed);
    } catch {
        return { ok: false, error: `API base URL: must be empty (this page's origin) or an absolute http(s) URL (got '${trimmed}')` };
    }

    if (url.protocol !== "http:" && url.protocol !== "https:") {
        return { ok: false, error: `API base URL: must use http or https (got '${trimmed}')` };
    }

    if (url.search || url.hash) {
        return { ok: false, error: `API base URL: must not have a query or fragment (got '${trimmed}')` };
    }

    const path = url.pathname.replace(/\/+$/, "").replace(/\/api$/, "");
    return { ok: true, value: `${url.origin}${path}` };
}

/** Checks an API key: empty, or printable ASCII without spaces (keys look like `sfk_…`). */
export function checkApiKey(text: string): Checked<string> {
    const trimmed = text.trim();
    if (trimmed !== "" && !/^[\x21-\x7e]{8,256}$/.test(trimmed)) {
        const shown = trimmed.length > 12 ? `${trimmed.slice(0, 6)}…` : trimmed;
        return { ok: false, error: `API key: must be 8–256 printable characters without spaces (got '${shown}', ${trimmed.length} characters)` };
    }
    return { ok: true, value: trimmed };
}

function isTheme(value: string | null): value is ThemeChoice {
    return value === "dark" || value === "light" || value === "system";
}

/** Reads the settings: stored values first, then the build's default API base. A stored value that no longer checks is ignored. */
export function loadSettings(store: KeyValueStore | null, buildApiBase: string | undefined): Settings {
    const fromBuild = checkApiBase(buildApiBase ?? "");
    const stored = store?.getItem(storageKeys.apiBase);
    const runtime = stored != null ? checkApiBase(stored) : null;
    const key = checkApiKey(store?.getItem(storageKeys.apiKey) ?? "");
    const theme = store?.getItem(storageKeys.theme) ?? null;
    return {
        apiBase: runtime?.ok ? runtime.value : fromBuild.ok ? fromBuild.value : "",
        apiKey: key.ok ? key.value : "",
        theme: isTheme(theme) ? theme : "system",
    };
}

/** Stores the settings. An API base equal to the build's default is removed, so a later build's default applies again. */
export function saveSettings(store: KeyValueStore | null, settings: Settings, buildApiBase: string | undefined): void {
    if (!store) return;
    const fromBuild = checkApiBase(buildApiBase ?? "");
    if (fromBuild.ok && fromBuild.value === settings.apiBase) {
        store.removeItem(storageKeys.apiBase);
    } else {
        store.setItem(storageKeys.apiBase, settings.apiBase);
    }

    if (settings.apiKey) {
        store.setItem(storageKeys.apiKey, settings.apiKey);
    } else {
        store.removeItem(storageKeys.apiKey);
    }

    store.setItem(storageKeys.theme, settings.theme);
}

/** localStorage, or null where it is not available (private modes, storage disabled). */
export function browserStore(): KeyValueStore | null {
    try {
        const storage = globalThis.localStorage;
        const probe = "sigmaflow.probe";
        storage.setItem(probe, "1");
        storage.removeItem(probe);
        return storage;
    } catch {
        return null;
    }
}

/** The theme to apply for a choice ("system" follows the operating system). */
export function resolveTheme(choice: ThemeChoice, prefersDark: boolean): "dark" | "light" {
    return choice === "system" ? (prefersDark ? "dark" : "light") : choice;
}
