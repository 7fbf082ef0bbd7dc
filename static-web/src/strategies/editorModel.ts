import type { FieldError } from "../api/problem";
import type { StrategyErrorItem } from "../api/types";

/** A problem in the document: 1-based line and column, or line 0 when it belongs to no position. */
export interface DocumentError {
    line: number;
    column: number;
    message: string;
}

/** The validate endpoint's errors, and the document errors of a 422 problem from saving, as one list. */
export function documentErrors(items: readonly (StrategyErrorItem | FieldError)[]): DocumentError[] {
    return items
        .map((item) =>
            "message" in item
                ? { line: item.line, column: item.column, message: item.message }
                : { line: item.line ?? 0, column: item.column ?? 0, message: item.field === "document" ? item.rule : `${item.field}: ${item.rule}` },
        )
        .sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The errors of each line (1-based), for the gutter and the line highlights. */
export function errorsByLine(errors: readonly DocumentError[]): Map<number, DocumentError[]> {
    const lines = new Map<number, DocumentError[]>();
    for (const error of errors) {
        if (error.line <= 0) continue;
        lines.set(error.line, [...(lines.get(error.line) ?? []), error]);
    }
    return lines;
}

/** The text offset of a 1-based line and column, clamped to the text. */
export function offsetOf(text: string, line: number, column: number): number {
    let offset = 0;
    for (let current = 1; current < line; current++) {
        const next = text.indexOf("\n", offset);
        if (next < 0) return text.length;
        offset = next + 1;
    }
    const end = text.indexOf("\n", offset);
    const lineEnd = end < 0 ? text.length : end;
    return Math.min(offset + Math.max(0, column - 1), lineEnd);
}

/** Number of lines of a text (an empty text has one). */
export function lineCount(text: string): number {
    let count = 1;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) count++;
    return count;
}

/** A new strategy's starting document: the README's example, valid as written. */
export const newDocument = `name: my-strategy
parameters:
  fast: { default: 10, min: 2, max: 200 }
  slow: { default: 30, min: 3, max: 400 }
long:
  entry: crossover(sma(close, fast), sma(close, slow))
  exit: crossunder(sma(close, fast), sma(close, slow))
sizing:
  quantity: 100
`;
