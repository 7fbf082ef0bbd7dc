import { createContext, useContext, useSyncExternalStore } from "react";
import { ApiClient, type ApiHealth } from "../api/client";
import { ApiError } from "../api/problem";
import { LiveConnection, PermanentFailure, type PubSubClientFactory } from "../live/connection";
import { groupsOfMessage } from "../live/messages";
import { Observable } from "../live/observable";
import { browserStore, loadSettings, saveSettings, type KeyValueStore, type Settings } from "../settings/settings";

/** What every view reaches: the settings, the API client, the live connection and the API's last known health. */
export interface Services {
    settings: Observable<Settings>;
    apiHealth: Observable<ApiHealth>;
    api: ApiClient;
    live: LiveConnection;
    store: KeyValueStore | null;
    saveSettings(settings: Settings): void;
}

/** Builds the services and starts the live connection when a key is known. */
export function createServices(createClient: PubSubClientFactory, buildApiBase: string | undefined): Services {
    const store = browserStore();
    const settings = new Observable(loadSettings(store, buildApiBase));
    const apiHealth = new Observable<ApiHealth>("unknown");
    const api = new ApiClient(() => settings.get(), (health) => apiHealth.set(health));
    const live = new LiveConnection(createClient, groupsOfMessage);

    const negotiate = async (): Promise<string> => {
        try {
            return (await api.negotiate()).url;
        } catch (error) {
            if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
                throw new PermanentFailure(`API key refused (${error.status}): ${error.message}`);
            }
            throw error instanceof ApiError ? new Error(error.status === 0 ? "API not reachable" : `negotiate failed (${error.status}): ${error.message}`) : error;
        }
    };

    const connect = (value: Settings) => live.configure(value.apiKey ? negotiate : null);
    connect(settings.get());
    return {
        settings,
        apiHealth,
        api,
        live,
        store,
        saveSettings(value: Settings) {
            const before = settings.get();
            saveSettings(store, value, buildApiBase);
            settings.set(value);
            if (before.apiBase !== value.apiBase || before.apiKey !== value.apiKey) {
                apiHealth.set("unknown");
                connect(value);
            }
        },
    };
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
    const services = useContext(ServicesContext);
    if (!services) throw new Error("useServices: no ServicesContext provider above this component");
    return services;
}

/** The current value of an observable; re-renders when it changes. */
export function useObservable<T>(observable: Observable<T>): T {
    return useSyncExternalStore(observable.subscribe, observable.get, observable.get);
}
