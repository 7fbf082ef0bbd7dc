import { describe, expect, it } from "vitest";
import { ApiError, describeFieldError, describeProblem, networkProblem, parseProblem } from "../../../src/api/problem";

describe("parseProblem", () => {
    it("reads an RFC 7807 validation problem with its field errors", () => {
        const body = JSON.stringify({
            type: "https://sigmaflow.dev/problems/validation",
            title: "Validation failed",
            status: 422,
            detail: "query.limit: must be between 1 and 50000 (got '0')",
            instance: "/api/markets/BTCUSD/bars",
            requestId: "r-1",
            errors: [{ field: "query.limit", rule: "must be between 1 and 50000", value: "0" }],
        });
        const problem = parseProblem(422, "application/problem+json", body);
        expect(problem).toEqual({
            status: 422,
            title: "Validation failed",
            detail: "query.limit: must be between 1 and 50000 (got '0')",
            type: "https://sigmaflow.dev/problems/validation",
            instance: "/api/markets/BTCUSD/bars",
            requestId: "r-1",
            errors: [{ field: "query.limit", rule: "must be between 1 and 50000", value: "0", line: null, column: null }],
        });
    });

    it("keeps the line and column of document errors", () => {
        const body = JSON.stringify({ status: 422, title: "Validation failed", errors: [{ field: "document", rule: "expected ':'", line: 3, column: 7 }] });
        const problem = parseProblem(422, "application/problem+json; charset=utf-8", body);
        expect(problem.errors[0]).toMatchObject({ field: "document", line: 3, column: 7 });
        expect(describeFieldError(problem.errors[0]!)).toBe("document at line 3, column 7: expected ':'");
    });

    it("turns a plain-text gateway answer into a problem with the reason phrase", () => {
        const problem = parseProblem(502, "text/plain", "the function app's handler could not be reached: Connection refused\nmore");
        expect(problem.status).toBe(502);
        expect(problem.title).toBe("Bad gateway");
        expect(problem.detail).toBe("the function app's handler could not be reached: Connection refused");
        expect(problem.errors).toEqual([]);
    });

    it("does not show an HTML error page as the detail", () => {
        const problem = parseProblem(500, "text/html", "<!DOCTYPE html><html><body>oops</body></html>");
        expect(problem.detail).toBe("the server answered 500 Internal error");
    });

    it("survives a body that claims JSON but is not", () => {
        const problem = parseProblem(400, "application/json", "{not json");
        expect(problem.title).toBe("Bad request");
        expect(problem.detail).toBe("{not json");
    });

    it("gives an empty 404 a readable detail", () => {
        const problem = parseProblem(404, null, "");
        expect(problem.detail).toBe("the server answered 404 Not found");
    });

    it("skips malformed error items and fills missing members", () => {
        const body = JSON.stringify({ errors: [null, 3, { rule: "is required" }, { field: "body.id", value: 7 }] });
        const problem = parseProblem(422, "application/problem+json", body);
        expect(problem.title).toBe("Validation failed");
        expect(problem.errors).toEqual([
            { field: "request", rule: "is required", value: null, line: null, column: null },
            { field: "body.id", rule: "is not valid", value: "7", line: null, column: null },
        ]);
        expect(describeProblem(problem)).toBe("request: is required");
    });
});

describe("networkProblem and ApiError", () => {
    it("names the URL and the cause when the API is unreachable", () => {
        const problem = networkProblem("http://127.0.0.1:1/api/me", new TypeError("Failed to fetch"));
        expect(problem.status).toBe(0);
        expect(problem.detail).toContain("http://127.0.0.1:1/api/me");
        expect(problem.detail).toContain("Failed to fetch");
        const error = new ApiError(problem);
        expect(error.status).toBe(0);
        expect(error.message).toBe(problem.detail);
    });
});
