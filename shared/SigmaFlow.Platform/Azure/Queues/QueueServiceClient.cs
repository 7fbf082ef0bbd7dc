using Azure.Core;
using Azure.Core.Pipeline;
using SigmaFlow.Platform.Azure.Storage;

namespace SigmaFlow.Platform.Azure.Queues;

/// <summary>
/// The Queue Storage service of one storage account, reached over the documented REST protocol on Azure.Core's
/// pipeline (<c>x-ms-version</c> 2021-12-02, Shared Key or Entra tokens, retries from <see cref="AzureClientOptions"/>).
/// Hands out <see cref="QueueClient"/>s; immutable and thread-safe, so one instance serves the whole process.
/// </summary>
public sealed class QueueServiceClient
{
    /// <summary>
    /// The message encoding used unless another is given: <see cref="QueueMessageEncoding.None"/>, matching
    /// <c>extensions.queues.messageEncoding: "none"</c> in this repository's <c>host.json</c> (a test keeps them in step).
    /// </summary>
    public const QueueMessageEncoding DefaultMessageEncoding = QueueMessageEncoding.None;

    private readonly HttpPipeline pipeline;
    private readonly QueueMessageEncoding messageEncoding = DefaultMessageEncoding;

    /// <summary>Connects with a storage connection string (Shared Key; <c>UseDevelopmentStorage=true</c> for Azurite on its default ports).</summary>
    /// <param name="connectionString">The connection string; it must hold an <c>AccountKey</c>.</param>
    /// <param name="options">Retry, transport and diagnostics settings; null for the defaults.</param>
    /// <exception cref="FormatException">The connection string is malformed.</exception>
    /// <exception cref="ArgumentException">It has no account key.</exception>
    public QueueServiceClient(string connectionString, AzureClientOptions? options = null)
        : this(StorageAccount.Parse(connectionString), null, options)
    {
    }

    /// <summary>Connects to an account with an Entra credential (in Azure: a managed identity holding Storage Queue Data Contributor), or with the account's key when <paramref name="credential"/> is null.</summary>
    /// <param name="account">The account (<see cref="StorageAccount.ForIdentity"/> or <see cref="StorageAccount.Parse"/>).</param>
    /// <param name="credential">The credential, or null to sign with the account key.</param>
    /// <param name="options">Retry, transport and diagnostics settings; null for the defaults.</param>
    /// <exception cref="ArgumentException">Neither a credential nor an account key is available.</exception>
    public QueueServiceClient(StorageAccount account, TokenCredential? credential, AzureClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        pipeline = StoragePipeline.Create(account, StorageService.Queue, credential, options);
        Endpoint = new Uri(account.QueueEndpoint.AbsoluteUri.TrimEnd('/'));
    }

    /// <summary>The queue service endpoint (for Azurite with the account name as its path).</summary>
    public Uri Endpoint { get; }

    /// <summary>
    /// How <see cref="GetQueueClient(string)"/>'s clients encode message text; default <see cref="DefaultMessageEncoding"/>.
    /// It must match the <c>messageEncoding</c> of the Functions host that triggers on the queues.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="QueueMessageEncoding"/>.</exception>
    public QueueMessageEncoding MessageEncoding
    {
        get => messageEncoding;
        init => messageEncoding = CheckEncoding(value, nameof(value));
    }

    /// <summary>A client for one queue, with this service's <see cref="MessageEncoding"/>. The queue need not exist yet.</summary>
    /// <param name="queueName">The queue name: 3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ArgumentException">The name breaks the naming rule; the message says how.</exception>
    public QueueClient GetQueueClient(string queueName) => GetQueueClient(queueName, messageEncoding);

    /// <summary>A client for one queue with an explicit message encoding.</summary>
    /// <param name="queueName">The queue name: 3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.</param>
    /// <param name="messageEncoding">How the client encodes and decodes message text.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ArgumentException">The name breaks the naming rule, or the encoding is undefined.</exception>
    public QueueClient GetQueueClient(string queueName, QueueMessageEncoding messageEncoding)
    {
        CheckName(queueName);
        return new QueueClient(pipeline, Endpoint, queueName, CheckEncoding(messageEncoding, nameof(messageEncoding)));
    }

    /// <summary>Checks a queue name against the service's rule.</summary>
    /// <param name="queueName">The name.</param>
    /// <exception cref="ArgumentException">The name breaks the rule; the message names the rule, the name and the first fault.</exception>
    public static void CheckName(string queueName)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        var fault = NameFault(queueName);
        if (fault is not null)
        {
            throw new ArgumentException(
                $"queue name must be 3-63 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit; got '{queueName}': {fault}.",
                nameof(queueName));
        }
    }

    private static string? NameFault(string name)
    {
        if (name.Length is < 3 or > 63)
        {
            return $"it is {name.Length} characters long";
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '-')
            {
                if (i == 0 || i == name.Length - 1)
                {
                    return i == 0 ? "it starts with a hyphen" : "it ends with a hyphen";
                }

                if (name[i - 1] == '-')
                {
                    return $"two hyphens in a row at index {i - 1}";
                }
            }
            else if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9')))
            {
                return c is >= 'A' and <= 'Z' ? $"uppercase '{c}' at index {i}" : $"'{c}' at index {i} is not allowed";
            }
        }

        return null;
    }

    private static QueueMessageEncoding CheckEncoding(QueueMessageEncoding value, string parameterName) =>
        Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(parameterName, value, $"message encoding must be None or Base64; got {(int)value}.");
}
