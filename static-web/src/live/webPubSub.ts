import { WebPubSubClient, WebPubSubJsonProtocol } from "@azure/web-pubsub-client";
import type { PubSubClient, PubSubClientFactory } from "./connection";

/**
 * The official client with the dashboard's options: JSON subprotocol, automatic reconnect (every new connection asks
 * for a fresh URL, so an expired token is replaced), re-joining groups left to `LiveConnection` (it knows which groups
 * the views still want), pings every 10 s and a dead connection noticed after 35 s of silence.
 */
export const createWebPubSubClient: PubSubClientFactory = (getUrl) =>
    new WebPubSubClient(
        { getClientAccessUrl: () => getUrl() },
        {
            protocol: WebPubSubJsonProtocol(),
            autoReconnect: true,
            autoRejoinGroups: false,
            keepAliveIntervalInMs: 10_000,
            keepAliveTimeoutInMs: 35_000,
            reconnectRetryOptions: { mode: "Exponential", retryDelayInMs: 1000, maxRetryDelayInMs: 15_000 },
            messageRetryOptions: { maxRetries: 2 },
        },
    ) as unknown as PubSubClient;
