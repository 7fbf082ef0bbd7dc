import { useEffect, useRef, useState } from "react";
import { describeConnection } from "../live/connectionState";
import { useObservable, useServices } from "./services";
import { useNow } from "./useNow";

/** The live connection's state, always visible in the top bar (connected / reconnecting / offline), with its reason. */
export function ConnectionBadge() {
    const { live, apiHealth } = useServices();
    const state = useObservable(live.state);
    const health = useObservable(apiHealth);
    const now = useNow();
    // Messages per second since the clock's previous tick.
    const [perSecond, setPerSecond] = useState(0);
    const previous = useRef({ at: now, count: live.messagesReceived });
    useEffect(() => {
        const count = live.messagesReceived;
        if (now > previous.current.at) setPerSecond(((count - previous.current.count) * 1000) / (now - previous.current.at));
        previous.current = { at: now, count };
    }, [now, live]);
    const shown = state.status === "connecting" ? "connecting" : state.status === "idle" ? "offline" : state.status;
    const text = describeConnection(state, now);
    const quietFor = live.lastMessageAt !== null && state.status === "connected" ? Math.round((now - live.lastMessageAt) / 1000) : null;
    const title = [
        `Live updates: ${text}`,
        quietFor !== null ? `last message ${quietFor} s ago, ${perSecond.toFixed(1)} messages/s` : null,
        health === "unauthorized" ? "the API refused the key" : health === "unreachable" ? "the API is not reachable" : null,
    ]
        .filter(Boolean)
        .join("; ");
    return (
        <div className={`connection connection-${shown}`} role="status" aria-live="polite" data-status={shown} title={title} data-testid="connection" data-messages={live.messagesReceived}>
            <span className="connection-dot" aria-hidden="true" />
            <span className="connection-label">{shown === "connected" ? "Live" : shown === "connecting" ? "Connecting…" : shown === "reconnecting" ? "Reconnecting…" : "Offline"}</span>
            <span className="visually-hidden">{title}</span>
        </div>
    );
}
