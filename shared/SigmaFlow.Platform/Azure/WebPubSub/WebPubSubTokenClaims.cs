namespace SigmaFlow.Platform.Azure.WebPubSub;

/// <summary>
/// The claims of a Web PubSub token (AZURE-REFERENCE.md §2.2, §2.3): <c>aud</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c>,
/// <c>sub</c> (the user id), <c>role</c> and <c>webpubsub.group</c> (groups joined on connect). REST tokens carry only
/// the audience and the times; client tokens may carry all of them.
/// </summary>
public sealed record WebPubSubTokenClaims
{
    /// <summary>Audience: the request URL without query (REST) or <c>{endpoint}/client/hubs/{hub}</c> (clients).</summary>
    public required string Audience { get; init; }

    /// <summary>Expiry (<c>exp</c>), whole seconds on the wire.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Issue time (<c>iat</c>), or null to leave it out.</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <summary>Start of validity (<c>nbf</c>), or null to leave it out.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>User id (<c>sub</c>), or null for an anonymous connection.</summary>
    public string? UserId { get; init; }

    /// <summary>Roles (<c>role</c>), e.g. <c>webpubsub.joinLeaveGroup</c> or <c>webpubsub.sendToGroup.signals</c>.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Groups the connection joins when it connects (<c>webpubsub.group</c>).</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];
}

/// <summary>The outcome of <see cref="Hs256Jwt.Validate"/>: the claims of a valid token, or why it was refused.</summary>
/// <param name="Claims">The claims when the token is valid, otherwise null.</param>
/// <param name="Error">Why the token was refused (never containing the token or the key), or null when valid.</param>
public sealed record JwtValidationResult(WebPubSubTokenClaims? Claims, string? Error)
{
    /// <summary>Whether the token is valid.</summary>
    public bool IsValid => Claims is not null;
}
