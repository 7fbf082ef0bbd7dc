using System.Globalization;

namespace SigmaFlow.Functions.Local.EventHubs;

/// <summary>
/// Settings of the local Event Hubs stand-in, validated when it is created. Defaults: <c>http://127.0.0.1:7073</c>,
/// namespace <c>sigmaflow-local</c>, policy <c>RootManageSharedAccessKey</c> with a key generated randomly for each run,
/// requests of at most 1 MiB (the Standard tier's publication limit), and the log's defaults (hub <c>ticks</c> with 4
/// partitions, 100,000 events retained per partition).
/// </summary>
public sealed class EventHubsStandInOptions
{
    /// <summary>Default address.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7073";

    /// <summary>Default namespace name.</summary>
    public const string DefaultNamespaceName = "sigmaflow-local";

    /// <summary>Default policy name (the one Azure creates with every namespace).</summary>
    public const string DefaultKeyName = "RootManageSharedAccessKey";

    /// <summary>Default request limit: 1 MiB.</summary>
    public const int DefaultMaxRequestBytes = 1024 * 1024;

    /// <summary>Where to listen: an absolute <c>http://host:port</c> address without a path; port 0 lets the operating system pick one.</summary>
    public string Url { get; set; } = DefaultUrl;

    /// <summary>The namespace name, shown in error messages' tracker (Azure's namespace would be <c>{name}.servicebus.windows.net</c>).</summary>
    public string NamespaceName { get; set; } = DefaultNamespaceName;

    /// <summary>The shared access policy name tokens must carry (<c>skn</c>).</summary>
    public string SharedAccessKeyName { get; set; } = DefaultKeyName;

    /// <summary>The policy key, or null to generate a random one for this run (read it back from the connection string).</summary>
    public string? SharedAccessKey { get; set; }

    /// <summary>Largest request body in bytes, a single event or a whole batch; larger requests get 413. Default 1 MiB.</summary>
    public int MaxRequestBytes { get; set; } = DefaultMaxRequestBytes;

    /// <summary>
    /// Adds the test hook <c>PUT /_test/enqueued-time?time=…</c> / <c>DELETE /_test/enqueued-time</c>, which pins the
    /// enqueued time of appended events (<see cref="LocalEventLog.PinEnqueuedTime"/>). Unauthenticated: never enable it
    /// outside tests. Default false.
    /// </summary>
    public bool EnableTestHooks { get; set; }

    /// <summary>Hubs, partition counts and events retained per partition; the log the stand-in writes to must be built from these.</summary>
    public LocalEventLogOptions Log { get; set; } = new();

    /// <summary>Checks the settings; the message names the setting, the rule and the value (never the key's value).</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp || url.AbsolutePath != "/" || url.Query.Length > 0)
        {
            throw new ArgumentException($"{nameof(Url)} must be an absolute http://host:port address without a path (https is not served locally); got '{Url}'.", nameof(Url));
        }

        if (string.IsNullOrEmpty(NamespaceName) || NamespaceName.Length > 50 || !NamespaceName.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ArgumentException($"{nameof(NamespaceName)} must be 1 to 50 letters, digits or '-'; got '{NamespaceName}'.", nameof(NamespaceName));
        }

        if (string.IsNullOrEmpty(SharedAccessKeyName) || SharedAccessKeyName.Length > 256 || !SharedAccessKeyName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"{nameof(SharedAccessKeyName)} must be 1 to 256 letters, digits, '-', '_' or '.'; got '{SharedAccessKeyName}'.", nameof(SharedAccessKeyName));
        }

        if (SharedAccessKey is not null && (SharedAccessKey.Length < 8 || SharedAccessKey.Any(c => char.IsWhiteSpace(c) || c == ';')))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{nameof(SharedAccessKey)} must be at least 8 characters without spaces or ';' (it travels in a connection string), or null to generate one; got one of {SharedAccessKey.Length} characters."), nameof(SharedAccessKey));
        }

        if (MaxRequestBytes is < 1024 or > 64 * 1024 * 1024)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{nameof(MaxRequestBytes)} must be 1,024 to 67,108,864 bytes; got {MaxRequestBytes}."), nameof(MaxRequestBytes));
        }

        if (Log is null)
        {
            throw new ArgumentException($"{nameof(Log)} must not be null.", nameof(Log));
        }

        Log.Validate();
    }
}
