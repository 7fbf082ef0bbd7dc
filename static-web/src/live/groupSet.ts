/**
 * The Web PubSub groups views want, counted per view (two views may want the same group; it is left only when neither
 * wants it any more), and which of them the current connection has joined. After a reconnect every wanted group is
 * joined again on the new connection.
 */
export class GroupSet {
    private readonly wanted = new Map<string, number>();
    private readonly joinedNow = new Set<string>();

    /** Adds one want; true when the group was not wanted before (join it). */
    want(group: string): boolean {
        const count = this.wanted.get(group) ?? 0;
        this.wanted.set(group, count + 1);
        return count === 0;
    }

    /** Drops one want; true when nobody wants the group any more (leave it). */
    release(group: string): boolean {
        const count = this.wanted.get(group) ?? 0;
        if (count <= 1) {
            this.wanted.delete(group);
            return count === 1;
        }
        this.wanted.set(group, count - 1);
        return false;
    }

    isWanted(group: string): boolean {
        return this.wanted.has(group);
    }

    markJoined(group: string): void {
        if (this.wanted.has(group)) this.joinedNow.add(group);
    }

    markLeft(group: string): void {
        this.joinedNow.delete(group);
    }

    /** A new connection starts with no groups. */
    connectionLost(): void {
        this.joinedNow.clear();
    }

    /** Wanted groups the connection has not joined yet, sorted. */
    pending(): string[] {
        return [...this.wanted.keys()].filter((g) => !this.joinedNow.has(g)).sort();
    }

    joined(): string[] {
        return [...this.joinedNow].sort();
    }

    all(): string[] {
        return [...this.wanted.keys()].sort();
    }
}
