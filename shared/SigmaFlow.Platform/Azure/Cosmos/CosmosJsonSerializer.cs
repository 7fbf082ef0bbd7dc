using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;

namespace SigmaFlow.Platform.Azure.Cosmos;

/// <summary>
/// The Cosmos SDK's serializer replaced by System.Text.Json, so the platform's documents (plain C# records) are stored
/// in camelCase without Newtonsoft attributes. The SDK keeps its own serializer for its system types (databases,
/// containers); this one handles documents, query parameters and patch values. <see cref="CosmosStore"/> also uses
/// <see cref="Options"/> directly for the documents it sends and reads as streams.
/// </summary>
public sealed class CosmosJsonSerializer : CosmosSerializer
{
    /// <summary>Creates the serializer.</summary>
    /// <param name="options">JSON settings; <see cref="DefaultOptions"/> when null.</param>
    public CosmosJsonSerializer(JsonSerializerOptions? options = null)
    {
        Options = options ?? DefaultOptions;
    }

    /// <summary>
    /// SigmaFlow's document settings: camelCase property names (a record's <c>Id</c> is the document's <c>id</c>),
    /// case-insensitive reading, enums as camelCase strings, nulls written. Read-only.
    /// </summary>
    public static JsonSerializerOptions DefaultOptions { get; } = CreateDefaultOptions();

    /// <summary>The settings in use.</summary>
    public JsonSerializerOptions Options { get; }

    /// <inheritdoc />
    public override T FromStream<T>(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (typeof(Stream).IsAssignableFrom(typeof(T)))
        {
            return (T)(object)stream;
        }

        using (stream)
        {
            if (stream.CanSeek && stream.Length == 0)
            {
                return default!;
            }

            return JsonSerializer.Deserialize<T>(stream, Options)!;
        }
    }

    /// <inheritdoc />
    public override Stream ToStream<T>(T input)
    {
        var stream = new MemoryStream();
        JsonSerializer.Serialize(stream, input, Options);
        stream.Position = 0;
        return stream;
    }

    private static JsonSerializerOptions CreateDefaultOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.Strict,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
