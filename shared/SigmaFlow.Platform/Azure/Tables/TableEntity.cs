using System.Collections;
using System.Globalization;
using Azure;

namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>
/// One table entity: its keys, the service's ETag and Timestamp, and up to 252 typed properties addressed by name
/// (<c>entity["close"] = 65000.5</c>, <c>entity.GetDouble("close")</c>). Property values are <see cref="string"/>,
/// <see cref="bool"/>, <see cref="int"/> (Edm.Int32), <see cref="long"/> (Edm.Int64), <see cref="double"/> (Edm.Double,
/// NaN and infinities included), <see cref="DateTimeOffset"/> (Edm.DateTime), <see cref="byte"/>[] (Edm.Binary) and
/// <see cref="Guid"/> (Edm.Guid); each comes back from the service as the type it was stored with.
/// </summary>
/// <remarks>
/// A <see cref="DateTime"/> is stored as a UTC <see cref="DateTimeOffset"/> when it is set (a local time is converted,
/// an unspecified kind is taken as UTC); Edm.DateTime keeps 100 ns ticks and dates from 1601-01-01. Setting a property to
/// null removes it (the service does not store nulls). Properties keep the order they were first set in. The entity is
/// not thread-safe.
/// </remarks>
public sealed class TableEntity : IEnumerable<KeyValuePair<string, object>>
{
    /// <summary>Earliest instant an Edm.DateTime holds.</summary>
    public static readonly DateTimeOffset MinDateTime = new(1601, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly OrderedDictionary<string, object> properties = new(StringComparer.Ordinal);
    private string partitionKey;
    private string rowKey;

    /// <summary>Creates an entity with its keys.</summary>
    /// <param name="partitionKey">Partition key: at most 1 KiB, no '/', '\', '#', '?' or control characters; may be empty.</param>
    /// <param name="rowKey">Row key, same rules.</param>
    /// <exception cref="ArgumentException">A key breaks the rules; the message names it and the rule.</exception>
    public TableEntity(string partitionKey, string rowKey)
    {
        this.partitionKey = TableGuards.Key(partitionKey, nameof(partitionKey), "partition key");
        this.rowKey = TableGuards.Key(rowKey, nameof(rowKey), "row key");
    }

    /// <summary>Partition key (same rules as the constructor's).</summary>
    public string PartitionKey
    {
        get => partitionKey;
        set => partitionKey = TableGuards.Key(value, nameof(PartitionKey), "partition key");
    }

    /// <summary>Row key (same rules as the constructor's).</summary>
    public string RowKey
    {
        get => rowKey;
        set => rowKey = TableGuards.Key(value, nameof(RowKey), "row key");
    }

    /// <summary>The service's ETag from the read that produced this entity; <c>default</c> for an entity built locally.</summary>
    public ETag ETag { get; set; }

    /// <summary>When the service last changed the entity (set by the service; never sent).</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>Number of custom properties (the keys, ETag and Timestamp are not counted).</summary>
    public int Count => properties.Count;

    /// <summary>Names of the custom properties, in the order they were set.</summary>
    public IEnumerable<string> Keys => properties.Keys;

    /// <summary>
    /// A property by name: null when absent. <c>PartitionKey</c>, <c>RowKey</c> and <c>Timestamp</c> read the
    /// corresponding members; <c>PartitionKey</c> and <c>RowKey</c> may also be set through here.
    /// </summary>
    /// <param name="name">Property name: 1–255 letters, digits or '_', not starting with a digit.</param>
    /// <returns>The value, or null.</returns>
    /// <exception cref="ArgumentException">The name or the value's type is not allowed; the message says which.</exception>
    public object? this[string name]
    {
        get => name switch
        {
            nameof(PartitionKey) => PartitionKey,
            nameof(RowKey) => RowKey,
            nameof(Timestamp) => Timestamp,
            _ => properties.TryGetValue(name, out var value) ? value : null,
        };
        set => Set(name, value);
    }

    /// <summary>Adds a property (for collection initializers); a later value for the same name replaces the earlier one.</summary>
    /// <param name="name">Property name.</param>
    /// <param name="value">Value of a supported type.</param>
    public void Add(string name, object value) => Set(name, value);

    /// <summary>Whether a custom property is present.</summary>
    /// <param name="name">Property name.</param>
    /// <returns>True when present.</returns>
    public bool ContainsKey(string name) => properties.ContainsKey(name);

    /// <summary>Removes a custom property.</summary>
    /// <param name="name">Property name.</param>
    /// <returns>True when it was present.</returns>
    public bool Remove(string name) => properties.Remove(name);

    /// <summary>A custom property's value, if present.</summary>
    /// <param name="name">Property name.</param>
    /// <param name="value">The value, or null.</param>
    /// <returns>True when present.</returns>
    public bool TryGetValue(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? value) => properties.TryGetValue(name, out value);

    /// <summary>A string property.</summary>
    /// <param name="name">Property name.</param>
    /// <returns>The value, or null when absent.</returns>
    /// <exception cref="InvalidOperationException">The property holds another type.</exception>
    public string? GetString(string name) => GetObject<string>(name);

    /// <summary>A Boolean property.</summary>
    /// <param name="name">Property name.</param>
    /// <returns>The value, or null when absent.</returns>
    /// <exception cref="InvalidOperationException">The property holds another type.</exception>
    public bool? GetBoolean(string name) => Get<bool>(name);

    /// <summary>An Int32 property.</summary>
    /// <param name="name">Property name.</param>
    /// <returns>The value, or null when absent.</returns>
    /// <exception cref="InvalidOperationException">The property holds another type.</exception>
    public int? GetInt32(string name) => Get<int>(name);

    /// <summary>An Int64 property (an Int32 widens).</summary>
    /// <param name="name">Property name.</param>
    /// <returns>The value, or null when absent.</returns>
    /// <exception cref="InvalidOperationException">The property holds another type.</exception>
    public long? GetInt64(string name) => this[name] is int i ? i : Get<long>(name);

    /// <summary>A Double property (an Int32 or Int64 widens).</summary>
    /// <param name="name">Property name.</param>
    /// <returns>The value, or null when absent.</returns>
    /// <exception cref="InvalidOperationException">The property holds another type.</exception>
    public double? GetDouble(string name) => this[name] switch
    {
        int i => i,
        long l => l,
        _ => Get<double>(name),
    };

    /// <summary>A DateTime property as a UTC <see cref="DateTimeOffset"/>.</summary>
    /// <param name="name">Property name.</param>
    /// <returns>The value, or null when absent.</returns>
    /// <exception cref="InvalidOperationException">The property holds another type.</exception>
    public DateTimeOffset? GetDateTimeOffset(string name) => Get<DateTimeOffset>(name);

    /// <summary>A DateTime property as a UTC <see cref="DateTime"/>.</summary>
    /// <param name="name">Property name.</param>
    /// <returns>The value, or null when absent.</returns>
    /// <exception cref="InvalidOperationException">The property holds another type.</exception>
    public DateTime? GetDateTime(string name) => Get<DateTimeOffset>(name)?.UtcDateTime;

    /// <summary>A binary property.</summary>
    /// <param name="name">Property name.</param>
    /// <returns>The value, or null when absent.</returns>
    /// <exception cref="InvalidOperationException">The property holds another type.</exception>
    public byte[]? GetBinary(string name) => GetObject<byte[]>(name);

    /// <summary>A Guid property.</summary>
    /// <param name="name">Property name.</param>
    /// <returns>The value, or null when absent.</returns>
    /// <exception cref="InvalidOperationException">The property holds another type.</exception>
    public Guid? GetGuid(string name) => Get<Guid>(name);

    /// <summary>The custom properties in the order they were set.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => properties.GetEnumerator();

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"entity (PartitionKey '{TableGuards.Printable(PartitionKey)}', RowKey '{TableGuards.Printable(RowKey)}', {Count} properties)");

    /// <summary>Stores a value read from the service, whose name and type the reader has already checked.</summary>
    internal void SetRead(string name, object value) => properties[name] = value;

    private T? Get<T>(string name)
        where T : struct
    {
        var value = this[name];
        return value switch
        {
            null => null,
            T typed => typed,
            _ => throw Mismatch(name, value, typeof(T)),
        };
    }

    private T? GetObject<T>(string name)
        where T : class
    {
        var value = this[name];
        return value switch
        {
            null => null,
            T typed => typed,
            _ => throw Mismatch(name, value, typeof(T)),
        };
    }

    private InvalidOperationException Mismatch(string name, object value, Type wanted) =>
        new($"Property '{name}' of {this} holds {Describe(value)}, not {(wanted == typeof(byte[]) ? "a Binary" : wanted.Name)}.");

    private static string Describe(object value) => value switch
    {
        int => "an Int32",
        long => "an Int64",
        double => "a Double",
        bool => "a Boolean",
        string => "a String",
        DateTimeOffset => "a DateTime",
        byte[] => "a Binary",
        Guid => "a Guid",
        _ => value.GetType().Name,
    };

    private void Set(string name, object? value)
    {
        switch (name)
        {
            case nameof(PartitionKey):
                PartitionKey = value as string ?? throw new ArgumentException($"PartitionKey must be a string; got {(value is null ? "null" : value.GetType().Name)}.", nameof(value));
                return;
            case nameof(RowKey):
                RowKey = value as string ?? throw new ArgumentException($"RowKey must be a string; got {(value is null ? "null" : value.GetType().Name)}.", nameof(value));
                return;
            case nameof(Timestamp) or nameof(ETag):
                throw new ArgumentException($"'{name}' is set by the service, not stored as a property; use the entity's {name} member.", nameof(name));
        }

        TableGuards.PropertyName(name, nameof(name));
        if (value is null)
        {
            properties.Remove(name);
            return;
        }

        properties[name] = Normalize(name, value);
    }

    private static object Normalize(string name, object value)
    {
        switch (value)
        {
            case string or bool or int or long or double or byte[] or Guid:
                return value;
            case DateTimeOffset offset:
                return CheckDate(name, offset.ToUniversalTime());
            case DateTime time:
                var utc = time.Kind switch
                {
                    DateTimeKind.Local => time.ToUniversalTime(),
                    _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
                };
                return CheckDate(name, new DateTimeOffset(utc));
            default:
                throw new ArgumentException(
                    $"Property '{name}': a {value.GetType().Name} cannot be stored; use string, bool, int, long, double, DateTimeOffset/DateTime, byte[] or Guid (store a decimal as an invariant-culture string).",
                    nameof(value));
        }
    }

    private static DateTimeOffset CheckDate(string name, DateTimeOffset value) => value >= MinDateTime
        ? value
        : throw new ArgumentException($"Property '{name}': an Edm.DateTime must be on or after 1601-01-01T00:00:00Z; got {value.ToString("o", CultureInfo.InvariantCulture)}.", nameof(value));
}
