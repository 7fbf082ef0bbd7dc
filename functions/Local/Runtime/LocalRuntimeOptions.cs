using System.Globalization;
using SigmaFlow.Functions.Local.EventHubs;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>
/// Settings of the local runtime (the triggers of <c>sigmaflow serve</c>), validated when it starts. Defaults: queue
/// messages leased for 30 s and the lease renewed every 15 s while a function runs; idle queues polled from every
/// 100 ms up to every 2 s (the host's ceiling is <c>maxPollingInterval</c>, 1 minute by default; the lower of the two
/// applies); in-flight invocations get 10 s to finish when the runtime stops.
/// </summary>
public sealed class LocalRuntimeOptions
{
    /// <summary>The version sent as <c>X-Azure-Functions-HostVersion</c> and in <c>User-Agent</c>.</summary>
    public const string DefaultHostVersion = "4.0.0-sigmaflow-serve";

    /// <summary>The custom handler's base address (<c>http://127.0.0.1:{port}/</c>). Required.</summary>
    public Uri? HandlerAddress { get; set; }

    /// <summary>Reads an app setting (connection settings of triggers, by name); the environment by default.</summary>
    public Func<string, string?> ReadSetting { get; set; } = Environment.GetEnvironmentVariable;

    /// <summary>The local Event Hubs log that <c>eventHubTrigger</c> functions read (the stand-in's log), or null when there is none.</summary>
    public LocalEventLog? EventLog { get; set; }

    /// <summary>Where checkpoints and timer status live; null for Azure Table storage of <c>AzureWebJobsStorage</c> when it is set, else memory.</summary>
    public RuntimeStateStore? StateStore { get; set; }

    /// <summary>How long a received queue message stays invisible; renewed at half this while its function runs. Default 30 s; whole seconds, at least 2 s.</summary>
    public TimeSpan QueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first wait after a poll of an idle queue; doubled per empty poll. Default 100 ms.</summary>
    public TimeSpan MinQueuePollingInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between polls of an idle queue (with <c>maxPollingInterval</c> of host.json, the lower wins). Default 2 s.</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long in-flight invocations may take to finish once the runtime stops before they are cancelled. Default 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for the handler's <c>GET /</c> at start (the host allows 30 s).</summary>
    public TimeSpan HandlerReadyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The version the runtime reports to the handler.</summary>
    public string HostVersion { get; set; } = DefaultHostVersion;

    /// <summary>Checks the settings; the message names the setting, the rule and the value.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    public void Validate()
    {
        if (HandlerAddress is null || !HandlerAddress.IsAbsoluteUri || HandlerAddress.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"{nameof(HandlerAddress)} must be the custom handler's absolute http address (http://127.0.0.1:PORT/); got '{HandlerAddress}'.", nameof(HandlerAddress));
        }

        if (ReadSetting is null)
        {
            throw new ArgumentException($"{nameof(ReadSetting)} must not be null.", nameof(ReadSetting));
        }

        if (QueueVisibilityTimeout < TimeSpan.FromSeconds(2) || QueueVisibilityTimeout > TimeSpan.FromDays(7) || QueueVisibilityTimeout.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{nameof(QueueVisibilityTimeout)} must be whole seconds from 2 s to 7 days; got {QueueVisibilityTimeout:c}."), nameof(QueueVisibilityTimeout));
        }

        if (MinQueuePollingInterval <= TimeSpan.Zero || MaxQueuePollingInterval < MinQueuePollingInterval)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{nameof(MinQueuePollingInterval)} must be above zero and at most {nameof(MaxQueuePollingInterval)}; got {MinQueuePollingInterval:c} and {MaxQueuePollingInterval:c}."), nameof(MinQueuePollingInterval));
        }

        if (ShutdownTimeout < TimeSpan.Zero || HandlerReadyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{nameof(ShutdownTimeout)} must not be negative and {nameof(HandlerReadyTimeout)} must be above zero; got {ShutdownTimeout:c} and {HandlerReadyTimeout:c}."), nameof(ShutdownTimeout));
        }

        if (string.IsNullOrWhiteSpace(HostVersion))
        {
            throw new ArgumentException($"{nameof(HostVersion)} must not be empty.", nameof(HostVersion));
        }
    }
}
