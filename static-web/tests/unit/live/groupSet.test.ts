import { describe, expect, it } from "vitest";
import { GroupSet } from "../../../src/live/groupSet";

describe("GroupSet", () => {
    it("joins a group on the first want and leaves it on the last release", () => {
        const set = new GroupSet();
        expect(set.want("bars.BTCUSD.1m")).toBe(true);
        expect(set.want("bars.BTCUSD.1m")).toBe(false);
        expect(set.release("bars.BTCUSD.1m")).toBe(false);
        expect(set.isWanted("bars.BTCUSD.1m")).toBe(true);
        expect(set.release("bars.BTCUSD.1m")).toBe(true);
        expect(set.isWanted("bars.BTCUSD.1m")).toBe(false);
        expect(set.release("bars.BTCUSD.1m")).toBe(false);
    });

    it("lists what is still to join, and everything again after the connection is lost", () => {
        const set = new GroupSet();
        set.want("quotes.SPY");
        set.want("bars.SPY.1m");
        set.markJoined("quotes.SPY");
        set.markJoined("not-wanted");
        expect(set.pending()).toEqual(["bars.SPY.1m"]);
        expect(set.joined()).toEqual(["quotes.SPY"]);
        set.connectionLost();
        expect(set.pending()).toEqual(["bars.SPY.1m", "quotes.SPY"]);
        expect(set.all()).toEqual(["bars.SPY.1m", "quotes.SPY"]);
    });
});
