import { describe, expect, it } from "vitest";
import { checkApiBase, checkApiKey, loadSettings, resolveTheme, saveSettings, storageKeys, type KeyValueStore } from "../../../src/settings/settings";

function memory(initial: Record<string, string> = {}): KeyValueStore & { data: Map<string, string> } {
    const data = new Map(Object.entries(initial));
    return {
        data,
        getItem: (key) => data.get(key) ?? null,
        setItem: (key, value) => void data.set(key, value),
        removeItem: (key) => void data.delete(key),
    };
}

describe("checkApiBase", () => {
    it("accepts empty as the page's own origin", () => {
        expect(checkApiBase("  ")).toEqual({ ok: true, value: "" });
    });

    it("drops a trailing slash and a trailing /api", () => {
        expect(checkApiBase("http://127.0.0.1:7071/")).toEqual({ ok: true, value: "http://127.0.0.1:7071" });
        expect(checkApiBase("https://sigmaflow.example/api/")).toEqual({ ok: true, value: "https://sigmaflow.example" });
        expect(checkApiBase("https://host/prefix/api")).toEqual({ ok: true, value: "https://host/prefix" });
    });

    it("refuses text that is not a URL, naming the field, the rule and the value", () => {
        const result = checkApiBase("localhost:7071");
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error).toBe("API base URL: must use http or https (got 'localhost:7071')");
        const other = checkApiBase("not a url");
        expect(other.ok).toBe(false);
        if (!other.ok) expect(other.error).toContain("(got 'not a url')");
    });

    it("refuses a query or fragment", () => {
        expect(checkApiBase("http://h/?x=1").ok).toBe(false);
        expect(checkApiBase("http://h/#a").ok).toBe(false);
    });
});

describe("checkApiKey", () => {
    it("accepts a key and empty", () => {
        expect(checkApiKey(" sfk_abcdefgh1234 ")).toEqual({ ok: true, value: "sfk_abcdefgh1234" });
        expect(checkApiKey("")).toEqual({ ok: true, value: "" });
    });

    it("refuses spaces and short text without echoing a long key", () => {
        const result = checkApiKey("sfk_abc def_and_more_text");
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error).toBe("API key: must be 8–256 printable characters without spaces (got 'sfk_ab…', 25 characters)");
        expect(checkApiKey("short").ok).toBe(false);
    });
});

describe("loadSettings and saveSettings", () => {
    it("uses the build's API base when nothing is stored, and the system theme", () => {
        expect(loadSettings(memory(), "https://api.example/")).toEqual({ apiBase: "https://api.example", apiKey: "", theme: "system" });
        expect(loadSettings(null, undefined)).toEqual({ apiBase: "", apiKey: "", theme: "system" });
    });

    it("prefers a stored runtime base and ignores stored values that no longer check", () => {
        const store = memory({ [storageKeys.apiBase]: "http://127.0.0.1:9000", [storageKeys.apiKey]: "has space", [storageKeys.theme]: "purple" });
        expect(loadSettings(store, "https://api.example")).toEqual({ apiBase: "http://127.0.0.1:9000", apiKey: "", theme: "system" });
    });

    it("round-trips, and forgets a runtime base equal to the build's", () => {
        const store = memory();
        saveSettings(store, { apiBase: "http://127.0.0.1:9000", apiKey: "sfk_0123456789", theme: "light" }, "");
        expect(loadSettings(store, "")).toEqual({ apiBase: "http://127.0.0.1:9000", apiKey: "sfk_0123456789", theme: "light" });
        saveSettings(store, { apiBase: "", apiKey: "", theme: "dark" }, "");
        expect(store.data.has(storageKeys.apiBase)).toBe(false);
        expect(store.data.has(storageKeys.apiKey)).toBe(false);
        expect(loadSettings(store, "").theme).toBe("dark");
    });
});

describe("resolveTheme", () => {
    it("follows the system only for 'system'", () => {
        expect(resolveTheme("system", true)).toBe("dark");
        expect(resolveTheme("system", false)).toBe("light");
        expect(resolveTheme("dark", false)).toBe("dark");
        expect(resolveTheme("light", true)).toBe("light");
    });
});
