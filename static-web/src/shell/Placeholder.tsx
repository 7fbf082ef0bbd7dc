import type { ViewInfo } from "./views";

/** A view that waits for its API: says so plainly, shows nothing made up. */
export function Placeholder({ view }: { view: ViewInfo }) {
    return (
        <section className="placeholder panel" aria-labelledby="placeholder-title">
            <h1 id="placeholder-title">
                {view.label} <span className="tag">coming with the API</span>
            </h1>
            <p>{view.summary}</p>
            <p>
                This view is not built yet. It waits for {view.needs && view.needs.length > 0 ? view.needs.join(", and ") : "endpoints that do not exist yet"}, which other
                work is building now. Nothing here is simulated: the view will show real data once its API exists.
            </p>
            <p>
                Working today: <a href="#/markets">Markets</a> (live watchlist and charts) and <a href="#/strategies">Strategies</a> (editor with
                validation and versions).
            </p>
        </section>
    );
}
