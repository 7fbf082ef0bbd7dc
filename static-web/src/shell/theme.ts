import { useEffect, useSyncExternalStore } from "react";
import { resolveTheme, type ThemeChoice } from "../settings/settings";

const query = "(prefers-color-scheme: dark)";

function subscribeSystem(listener: () => void): () => void {
    const media = globalThis.matchMedia?.(query);
    media?.addEventListener("change", listener);
    return () => media?.removeEventListener("change", listener);
}

const systemPrefersDark = () => globalThis.matchMedia?.(query).matches ?? true;

/** The theme in force for a choice, following the system's changes; it is set on `<html data-theme>`. */
export function useAppliedTheme(choice: ThemeChoice): "dark" | "light" {
    const prefersDark = useSyncExternalStore(subscribeSystem, systemPrefersDark, () => true);
    const theme = resolveTheme(choice, prefersDark);
    useEffect(() => {
        document.documentElement.dataset.theme = theme;
        document.documentElement.style.colorScheme = theme;
    }, [theme]);
    return theme;
}

/** A CSS custom property of the page's current theme (charts take their colours from the stylesheet). */
export function themeColor(name: string, fallback: string): string {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
}
