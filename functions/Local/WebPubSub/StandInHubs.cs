using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace SigmaFlow.Functions.Local.WebPubSub;

/// <summary>
/// The stand-in's state: connections by hub and id, group and user memberships (also users added to groups before
/// they connect), and fan-out of messages. One lock guards the maps; each connection orders its own frames.
/// </summary>
internal sealed class StandInHubs
{
    private readonly object gate = new();
    private readonly Dictionary<(string Hub, string Id), ClientConnection> connections = [];
    private readonly Dictionary<(string Hub, string Group), HashSet<ClientConnection>> groups = [];
    private readonly Dictionary<(string Hub, string User), HashSet<ClientConnection>> users = [];
    private readonly Dictionary<(string Hub, string User), HashSet<string>> userGroups = [];
    private readonly Dictionary<(string Hub, string Id), DateTimeOffset> recoveryBlockedUntil = [];
    private readonly ILogger logger;

    /// <summary>Creates the state.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="accessKey">The access key in force (given or generated).</param>
    /// <param name="time">The clock (reconnection windows).</param>
    /// <param name="logger">The logger.</param>
    public StandInHubs(WebPubSubStandInOptions options, string accessKey, TimeProvider time, ILogger logger)
    {
        Options = options;
        AccessKey = accessKey;
        Time = time;
        this.logger = logger;
    }

    /// <summary>The options.</summary>
    public WebPubSubStandInOptions Options { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The access key that signs every token.</summary>
    public string AccessKey { get; }

    /// <summary>Registers a new connection and joins it to its token's groups and its user's groups.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="tokenGroups">Groups from <c>webpubsub.group</c>.</param>
    public void Add(ClientConnection connection, IEnumerable<string> tokenGroups)
    {
        lock (gate)
        {
            connections[(connection.Hub, connection.ConnectionId)] = connection;
            if (connection.UserId is { } user)
            {
                Set(users, (connection.Hub, user)).Add(connection);
                if (userGroups.TryGetValue((connection.Hub, user), out var remembered))
                {
                    foreach (var group in remembered)
                    {
                        JoinLocked(connection, group);
                    }
                }
            }

            foreach (var group in tokenGroups)
            {
                JoinLocked(connection, group);
            }
        }

        StandInLog.Connected(logger, connection.Hub, connection.ConnectionId, connection.UserId, connection.Protocol);
    }

    /// <summary>Finds a live connection.</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="connectionId">The id.</param>
    /// <returns>The connection, or null.</returns>
    public ClientConnection? Find(string hub, string connectionId)
    {
        lock (gate)
        {
            return connections.GetValueOrDefault((hub, connectionId));
        }
    }

    /// <summary>Forgets a connection and its memberships (after it closed, expired or was closed).</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="why">Why, for the log.</param>
    public void Remove(ClientConnection connection, string why)
    {
        lock (gate)
        {
            if (!connections.Remove((connection.Hub, connection.ConnectionId)))
            {
                return;
            }

            foreach (var group in connection.Groups)
            {
                RemoveFrom(groups, (connection.Hub, group), connection);
            }

            connection.Groups.Clear();
            if (connection.UserId is { } user)
            {
                RemoveFrom(users, (connection.Hub, user), connection);
            }

            recoveryBlockedUntil.Remove((connection.Hub, connection.ConnectionId));
        }

        StandInLog.Removed(logger, connection.Hub, connection.ConnectionId, why);
    }

    /// <summary>Closes a connection for good and forgets it.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="status">Close status for its socket.</param>
    /// <param name="reason">Why (sent in <c>disconnected</c> and the close frame).</param>
    public void Close(ClientConnection connection, WebSocketCloseStatus status, string reason)
    {
        connection.Close(status, reason);
        Remove(connection, reason);
    }

    /// <summary>Joins a connection to a group.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="group">The group.</param>
    public void Join(ClientConnection connection, string group)
    {
        lock (gate)
        {
            if (connections.ContainsKey((connection.Hub, connection.ConnectionId)))
            {
                JoinLocked(connection, group);
            }
        }
    }

    /// <summary>Takes a connection out of a group.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="group">The group.</param>
    public void Leave(ClientConnection connection, string group)
    {
        lock (gate)
        {
            if (connection.Groups.Remove(group))
            {
                RemoveFrom(groups, (connection.Hub, group), connection);
            }
        }
    }

    /// <summary>Adds a user to a group: current connections join, and so will the user's later connections.</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="user">The user id.</param>
    /// <param name="group">The group.</param>
    public void AddUserToGroup(string hub, string user, string group)
    {
        lock (gate)
        {
            Set(userGroups, (hub, user)).Add(group);
            if (users.TryGetValue((hub, user), out var current))
            {
                foreach (var connection in current)
                {
                    JoinLocked(connection, group);
                }
            }
        }
    }

    /// <summary>Removes a user from one group, or from all groups when <paramref name="group"/> is null.</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="user">The user id.</param>
    /// <param name="group">The group, or null for all.</param>
    public void RemoveUserFromGroup(string hub, string user, string? group)
    {
        lock (gate)
        {
            if (group is null)
            {
                userGroups.Remove((hub, user));
            }
            else if (userGroups.TryGetValue((hub, user), out var remembered))
            {
                remembered.Remove(group);
            }

            if (users.TryGetValue((hub, user), out var current))
            {
                foreach (var connection in current)
                {
                    foreach (var joined in group is null ? connection.Groups.ToList() : [group])
                    {
                        if (connection.Groups.Remove(joined))
                        {
                            RemoveFrom(groups, (hub, joined), connection);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Takes a connection out of every group.</summary>
    /// <param name="connection">The connection.</param>
    public void LeaveAll(ClientConnection connection)
    {
        lock (gate)
        {
            foreach (var group in connection.Groups)
            {
                RemoveFrom(groups, (connection.Hub, group), connection);
            }

            connection.Groups.Clear();
        }
    }

    /// <summary>Whether a group has connections, a user has connections, or a connection exists.</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="kind">groups, users or connections.</param>
    /// <param name="name">The name or id.</param>
    /// <returns>True when it exists.</returns>
    public bool Exists(string hub, string kind, string name)
    {
        lock (gate)
        {
            return kind switch
            {
                "groups" => groups.ContainsKey((hub, name)),
                "users" => users.ContainsKey((hub, name)),
                _ => connections.ContainsKey((hub, name)),
            };
        }
    }

    /// <summary>The connections a message goes to.</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="kind">all, groups, users or connections.</param>
    /// <param name="name">The group, user or connection (ignored for all).</param>
    /// <returns>A snapshot.</returns>
    public List<ClientConnection> Targets(string hub, string kind, string? name)
    {
        lock (gate)
        {
            return kind switch
            {
                "all" => connections.Values.Where(c => c.Hub == hub).ToList(),
                "groups" => groups.TryGetValue((hub, name!), out var members) ? [.. members] : [],
                "users" => users.TryGetValue((hub, name!), out var mine) ? [.. mine] : [],
                _ => connections.TryGetValue((hub, name!), out var one) ? [one] : [],
            };
        }
    }

    /// <summary>Delivers a message to connections, skipping excluded ids; closes connections whose buffer overflows.</summary>
    /// <param name="targets">The recipients.</param>
    /// <param name="message">The message.</param>
    /// <param name="excluded">Connection ids to skip.</param>
    /// <param name="sender">A connection to skip (a <c>noEcho</c> publisher), or null.</param>
    /// <returns>How many connections it went to.</returns>
    public int Deliver(List<ClientConnection> targets, OutboundMessage message, IReadOnlyCollection<string>? excluded = null, ClientConnection? sender = null)
    {
        var delivered = 0;
        foreach (var connection in targets)
        {
            if (ReferenceEquals(connection, sender) || (excluded is { Count: > 0 } && excluded.Contains(connection.ConnectionId)))
            {
                continue;
            }

            if (!connection.Deliver(message))
            {
                StandInLog.BufferFull(logger, connection.Hub, connection.ConnectionId, Options.SendBufferLimit);
                Close(connection, WebSocketCloseStatus.PolicyViolation, "The connection's send buffer limit was exceeded (messages were not read or not acknowledged fast enough).");
                continue;
            }

            delivered++;
        }

        return delivered;
    }

    /// <summary>Refuses reconnects of a connection until a time (test hook).</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="until">When reconnects are accepted again.</param>
    public void BlockRecovery(ClientConnection connection, DateTimeOffset until)
    {
        lock (gate)
        {
            recoveryBlockedUntil[(connection.Hub, connection.ConnectionId)] = until;
        }
    }

    /// <summary>Whether reconnects of a connection are refused right now (test hook).</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="connectionId">The id.</param>
    /// <returns>True while blocked.</returns>
    public bool IsRecoveryBlocked(string hub, string connectionId)
    {
        lock (gate)
        {
            return recoveryBlockedUntil.TryGetValue((hub, connectionId), out var until) && Time.GetUtcNow() < until;
        }
    }

    /// <summary>Closes every connection (server shutdown).</summary>
    public void CloseAll()
    {
        List<ClientConnection> all;
        lock (gate)
        {
            all = [.. connections.Values];
        }

        foreach (var connection in all)
        {
            Close(connection, WebSocketCloseStatus.EndpointUnavailable, "The Web PubSub stand-in is shutting down.");
        }
    }

    private void JoinLocked(ClientConnection connection, string group)
    {
        if (connection.Groups.Add(group))
        {
            Set(groups, (connection.Hub, group)).Add(connection);
        }
    }

    private static HashSet<TValue> Set<TKey, TValue>(Dictionary<TKey, HashSet<TValue>> map, TKey key)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var set))
        {
            set = [];
            map[key] = set;
        }

        return set;
    }

    private static void RemoveFrom<TKey>(Dictionary<TKey, HashSet<ClientConnection>> map, TKey key, ClientConnection connection)
        where TKey : notnull
    {
        if (map.TryGetValue(key, out var set) && set.Remove(connection) && set.Count == 0)
        {
            map.Remove(key);
        }
    }
}
