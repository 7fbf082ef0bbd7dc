using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>The last attempt of an invocation with its function's retry policy.</summary>
/// <param name="Last">The last attempt's outcome.</param>
/// <param name="Attempts">Attempts made (1 without retries).</param>
/// <param name="Abandoned">Whether the runtime began stopping while a retry was pending, so the input was not retried to the end.</param>
internal sealed record RetriedOutcome(InvocationOutcome Last, int Attempts, bool Abandoned);

/// <summary>
/// A function-level retry policy as the host applies it (WebJobs' <c>FunctionExecutorExtensions.TryExecuteAsync</c>):
/// the same input is invoked again after the policy's delay until it succeeds or the retries run out; every attempt
/// carries <c>Metadata.RetryContext</c> = <c>{"RetryCount": n, "MaxRetryCount": m, "Exception": …}</c> with n = 0 on the
/// first attempt and the previous attempt's failure as <c>Exception</c>.
/// </summary>
internal static partial class FunctionRetry
{
    public static async Task<RetriedOutcome> InvokeAsync(
        FunctionInvoker invoker,
        FunctionDefinition function,
        string reason,
        Func<JsonObject> data,
        Func<JsonObject> metadata,
        TimeProvider clock,
        ILogger log,
        CancellationToken stopping,
        CancellationToken abort)
    {
        var policy = function.Retry;
        var retryCount = 0;
        JsonObject? previousFailure = null;
        while (true)
        {
            var meta = metadata();
            if (policy is not null)
            {
                meta["RetryContext"] = new JsonObject
                {
                    ["RetryCount"] = retryCount,
                    ["MaxRetryCount"] = policy.MaxRetryCount,
                    ["Exception"] = previousFailure,
                };
            }

            var outcome = await invoker.InvokeAsync(function.Name, retryCount == 0 ? reason : "Retry", data(), meta, abort).ConfigureAwait(false);
            if (outcome.Succeeded || policy is null || !policy.AllowsRetry(retryCount))
            {
                if (!outcome.Succeeded && policy is not null)
                {
                    RetriesExhausted(log, function.Name, retryCount);
                }

                return new RetriedOutcome(outcome, retryCount + 1, false);
            }

            retryCount++;
            var delay = policy.DelayBefore(retryCount);
            Retrying(log, function.Name, retryCount, policy.MaxRetryCount, delay.TotalMilliseconds);
            previousFailure = HostEncoding.FailureException(outcome.StatusCode, outcome.Error);
            try
            {
                await Task.Delay(delay, clock, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return new RetriedOutcome(outcome, retryCount, true);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: retry {RetryCount} of {MaxRetryCount} in {Milliseconds:0} ms")]
    private static partial void Retrying(ILogger logger, string function, int retryCount, int maxRetryCount, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function}: still failing after {RetryCount} retries; the trigger moves on")]
    private static partial void RetriesExhausted(ILogger logger, string function, int retryCount);
}
