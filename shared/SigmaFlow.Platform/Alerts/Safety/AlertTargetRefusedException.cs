namespace SigmaFlow.Platform.Alerts.Safety;

/// <summary>A delivery target that the <see cref="AlertTargetPolicy"/> refuses (thrown while connecting; the delivery fails for good).</summary>
public sealed class AlertTargetRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AlertTargetRefusedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">Which host, which address and why.</param>
    public AlertTargetRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">Which host, which address and why.</param>
    /// <param name="innerException">The cause.</param>
    public AlertTargetRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
