/** A value views can watch (React reads it with `useSyncExternalStore`, see `useObservable`). */
export class Observable<T> {
    private current: T;
    private readonly listeners = new Set<() => void>();

    constructor(initial: T) {
        this.current = initial;
    }

    get = (): T => this.current;

    set(value: T): void {
        if (Object.is(value, this.current)) return;
        this.current = value;
        for (const listener of [...this.listeners]) listener();
    }

    update(change: (value: T) => T): void {
        this.set(change(this.current));
    }

    subscribe = (listener: () => void): (() => void) => {
        this.listeners.add(listener);
        return () => {
            this.listeners.delete(listener);
        };
    };
}
