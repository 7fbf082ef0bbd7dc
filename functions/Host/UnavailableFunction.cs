namespace SigmaFlow.Functions.Host;

/// <summary>
/// A function that is registered (its folder exists, so the host triggers it) but cannot run because a setting it
/// needs is missing: every invocation fails with the reason, which names the settings to set.
/// </summary>
/// <param name="name">The function's name.</param>
/// <param name="reason">Why it cannot run.</param>
internal sealed class UnavailableFunction(string name, string reason) : IFunctionHandler
{
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <summary>Why it cannot run.</summary>
    public string Reason { get; } = reason;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">Always, with the reason.</exception>
    public Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken) =>
        Task.FromException<InvocationResult>(new InvalidOperationException(Reason));
}
