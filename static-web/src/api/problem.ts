/**
 * RFC 7807 problems as the SigmaFlow API answers them (`application/problem+json`), and the same shape for failures
 * that never reached the API (network down, a gateway's plain-text 502), so every view shows one kind of error.
 */

/** One thing wrong with a request: the field, the rule it breaks and the value sent (line and column for documents). */
export interface FieldError {
    field: string;
    rule: string;
    value?: string | null;
    line?: number | null;
    column?: number | null;
}

/** A failure of an API call. `status` is 0 when the API could not be reached at all. */
export interface Problem {
    status: number;
    title: string;
    detail: string;
    type?: string;
    instance?: string;
    requestId?: string;
    errors: FieldError[];
}

/** Thrown by the API client: carries the parsed problem. */
export class ApiError extends Error {
    readonly problem: Problem;

    constructor(problem: Problem) {
        super(describeProblem(problem));
        this.name = "ApiError";
        this.problem = problem;
    }

    get status(): number {
        return this.problem.status;
    }
}

const reasons: Record<number, string> = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Validation failed",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
};

function text(value: unknown): string | undefined {
    return typeof value === "string" && value.length > 0 ? value : undefined;
}

function whole(value: unknown): number | null {
    return typeof value === "number" && Number.isInteger(value) ? value : null;
}

function fieldErrors(value: unknown): FieldError[] {
    if (!Array.isArray(value)) {
        return [];
    }

    const errors: FieldError[] = [];
    for (const item of value) {
        if (item === null || typeof item !== "object") {
            continue;
        }

        const record = item as Record<string, unknown>;
        const field = text(record.field) ?? "request";
        const rule = text(record.rule) ?? text(record.message) ?? "is not valid";
        errors.push({
            field,
            rule,
            value: typeof record.value === "string" ? record.value : record.value == null ? null : JSON.stringify(record.value),
            line: whole(record.line),
            column: whole(record.column),
        });
    }

    return errors;
}

/**
 * Reads an error response into a problem. A problem document keeps its members; any other body (a proxy's text, an
 * HTML error page, nothing) becomes a problem with the status's reason phrase and the body's first line as detail.
 */
export function parseProblem(status: number, contentType: string | null, body: string): Problem {
    const fallbackTitle = reasons[status] ?? `HTTP ${status}`;
    const looksJson = (contentType ?? "").includes("json") || body.trimStart().startsWith("{");
    if (looksJson) {
        try {
            const parsed: unknown = JSON.parse(body);
            if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
                const record = parsed as Record<string, unknown>;
                const problem: Problem = {
                    status: whole(record.status) ?? status,
                    title: text(record.title) ?? fallbackTitle,
                    detail: text(record.detail) ?? text(record.message) ?? text(record.title) ?? fallbackTitle,
                    errors: fieldErrors(record.errors),
                };
                const type = text(record.type);
                const instance = text(record.instance);
                const requestId = text(record.requestId);
                if (type) problem.type = type;
                if (instance) problem.instance = instance;
                if (requestId) problem.requestId = requestId;
                return problem;
            }
        } catch {
            // Not JSON after all: fall through to the text form.
        }
    }

    const firstLine = body.split(/\r?\n/, 1)[0]?.trim() ?? "";
    const isHtml = /^<(!doctype|html)/i.test(firstLine);
    return {
        status,
        title: fallbackTitle,
        detail: firstLine && !isHtml ? firstLine.slice(0, 300) : `the server answered ${status} ${fallbackTitle}`,
        errors: [],
    };
}

/** The problem for a request that got no answer (DNS, refused connection, CORS, offline). */
export function networkProblem(url: string, cause: unknown): Problem {
    const reason = cause instanceof Error && cause.message ? cause.message : String(cause);
    return {
        status: 0,
        title: "API not reachable",
        detail: `no answer from ${url} (${reason}); check the API base URL in Settings and that the API is running`,
        errors: [],
    };
}

/** One line for a problem: its detail, or its first field error's field, rule and value. */
export function describeProblem(problem: Problem): string {
    const first = problem.errors[0];
    if (first && (!problem.detail || problem.detail === problem.title)) {
        return describeFieldError(first);
    }

    return problem.detail || problem.title;
}

/** `field: rule (got 'value')`, with the line and column for documents. */
export function describeFieldError(error: FieldError): string {
    const where = error.line != null ? ` at line ${error.line}${error.column != null ? `, column ${error.column}` : ""}` : "";
    const got = error.value != null ? ` (got '${error.value}')` : "";
    return `${error.field}${where}: ${error.rule}${got}`;
}
