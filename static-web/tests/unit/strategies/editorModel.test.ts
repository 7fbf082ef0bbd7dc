import { describe, expect, it } from "vitest";
import { documentErrors, errorsByLine, lineCount, offsetOf } from "../../../src/strategies/editorModel";

describe("documentErrors", () => {
    it("reads validate errors and 422 problem errors into one sorted list", () => {
        const errors = documentErrors([
            { line: 5, column: 3, message: "unknown indicator 'smaa': did you mean 'sma'?" },
            { field: "document", rule: "expected ':'", line: 2, column: 9 },
            { field: "body.id", rule: "is required" },
        ]);
        expect(errors).toEqual([
            { line: 0, column: 0, message: "body.id: is required" },
            { line: 2, column: 9, message: "expected ':'" },
            { line: 5, column: 3, message: "unknown indicator 'smaa': did you mean 'sma'?" },
        ]);
    });
});

describe("errorsByLine", () => {
    it("groups by line and leaves out errors without a position", () => {
        const lines = errorsByLine([
            { line: 0, column: 0, message: "a" },
            { line: 3, column: 1, message: "b" },
            { line: 3, column: 8, message: "c" },
        ]);
        expect([...lines.keys()]).toEqual([3]);
        expect(lines.get(3)!.map((e) => e.message)).toEqual(["b", "c"]);
    });
});

describe("offsetOf and lineCount", () => {
    const text = "name: x\nlong:\n  entry: close > 1";

    it("finds the offset of a line and column, clamped to the line and the text", () => {
        expect(offsetOf(text, 1, 1)).toBe(0);
        expect(offsetOf(text, 2, 1)).toBe(8);
        expect(offsetOf(text, 3, 3)).toBe(16);
        expect(offsetOf(text, 2, 99)).toBe(13);
        expect(offsetOf(text, 9, 1)).toBe(text.length);
    });

    it("counts lines", () => {
        expect(lineCount("")).toBe(1);
        expect(lineCount(text)).toBe(3);
        expect(lineCount("a\n")).toBe(2);
    });
});
