namespace SigmaFlow.Platform.Alerts.Storage;

/// <summary>How a store operation ended (the HTTP API maps these to 200, 201, 204, 404, 409, 400/422 and 412).</summary>
public enum AlertStoreStatus
{
    /// <summary>Read or updated.</summary>
    Ok,

    /// <summary>Created.</summary>
    Created,

    /// <summary>Deleted.</summary>
    Deleted,

    /// <summary>No such id.</summary>
    NotFound,

    /// <summary>The id exists already (create), or the item is still in use (deleting a channel rules send to).</summary>
    Conflict,

    /// <summary>The item breaks a rule; see the problems.</summary>
    Invalid,

    /// <summary>The item changed since it was read (the ETag given does not match).</summary>
    PreconditionFailed,
}

/// <summary>A stored rule or channel with its version and times.</summary>
/// <typeparam name="T">The item's type.</typeparam>
/// <param name="Value">The item.</param>
/// <param name="ETag">Its version: pass it back to update or delete only that version.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record StoredAlertItem<T>(T Value, string ETag, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>What a store operation did: a status, the stored item when there is one, and the problems or the message when it failed.</summary>
/// <typeparam name="T">The item's type.</typeparam>
/// <param name="Status">How it ended.</param>
/// <param name="Item">The stored item (created, read or updated), or null.</param>
/// <param name="Problems">What is wrong with the item (<see cref="AlertStoreStatus.Invalid"/>), each naming the field, the rule and the value.</param>
/// <param name="Message">Why it failed otherwise, or null.</param>
public sealed record AlertStoreResult<T>(AlertStoreStatus Status, StoredAlertItem<T>? Item, IReadOnlyList<AlertProblem> Problems, string? Message)
{
    /// <summary>Whether it succeeded.</summary>
    public bool Succeeded => Status is AlertStoreStatus.Ok or AlertStoreStatus.Created or AlertStoreStatus.Deleted;
}

/// <summary>Every stored rule or channel, and the ids of rows that could not be read (with why).</summary>
/// <typeparam name="T">The items' type.</typeparam>
/// <param name="Items">The items, by id.</param>
/// <param name="Unreadable">Rows that could not be read: id and reason.</param>
public sealed record AlertList<T>(IReadOnlyList<StoredAlertItem<T>> Items, IReadOnlyList<KeyValuePair<string, string>> Unreadable);
