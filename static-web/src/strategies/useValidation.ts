import { useEffect, useRef, useState } from "react";
import type { ApiClient } from "../api/client";
import { ApiError } from "../api/problem";
import type { StrategyParameter } from "../api/types";
import { documentErrors, type DocumentError } from "./editorModel";

export interface Validation {
    state: "idle" | "checking" | "valid" | "invalid" | "unavailable";
    errors: DocumentError[];
    parameters: StrategyParameter[];
    name: string | null;
    /** Why validation could not run (API down, key refused). */
    problem: string | null;
}

export const validationDelayMs = 400;

/**
 * Validates the document with `POST /api/strategies/validate` while the user types: once typing pauses for
 * `validationDelayMs`, a request in flight is cancelled when the text changes, and an answer for older text is ignored.
 */
export function useValidation(api: ApiClient, document: string, enabled: boolean): [Validation, (errors: DocumentError[]) => void] {
    const [validation, setValidation] = useState<Validation>({ state: "idle", errors: [], parameters: [], name: null, problem: null });
    const sequence = useRef(0);

    useEffect(() => {
        if (!enabled) return;
        const mine = ++sequence.current;
        const abort = new AbortController();
        if (document.trim() === "") {
            setValidation({ state: "invalid", errors: [{ line: 0, column: 0, message: "the document is empty: write a strategy (name, parameters, long/short rules)" }], parameters: [], name: null, problem: null });
            return;
        }
        setValidation((v) => ({ ...v, state: "checking" }));
        const timer = setTimeout(() => {
            api.validateStrategy(document, abort.signal).then(
                (answer) => {
                    if (mine !== sequence.current) return;
                    setValidation({
                        state: answer.valid ? "valid" : "invalid",
                        errors: documentErrors(answer.errors),
                        parameters: answer.parameters,
                        name: answer.name ?? null,
                        problem: null,
                    });
                },
                (error: unknown) => {
                    if (mine !== sequence.current || abort.signal.aborted) return;
                    if (error instanceof ApiError && error.status === 422) {
                        setValidation((v) => ({ ...v, state: "invalid", errors: documentErrors(error.problem.errors), problem: null }));
                        return;
                    }
                    setValidation((v) => ({ ...v, state: "unavailable", problem: error instanceof Error ? error.message : String(error) }));
                },
            );
        }, validationDelayMs);
        return () => {
            clearTimeout(timer);
            abort.abort();
        };
    }, [api, document, enabled]);

    const showErrors = (errors: DocumentError[]) => setValidation((v) => ({ ...v, state: "invalid", errors }));
    return [validation, showErrors];
}
