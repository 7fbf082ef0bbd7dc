using System.Buffers;
using System.Text.Json;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Platform.Jobs;

/// <summary>Sends a job's JSON messages to its Web PubSub group (<see cref="JobNames.Group"/>).</summary>
public interface IJobPush
{
    /// <summary>Sends one JSON message to a group.</summary>
    /// <param name="group">The group.</param>
    /// <param name="json">The message (a JSON object, UTF-8).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the service accepted it.</returns>
    Task SendAsync(string group, ReadOnlyMemory<byte> json, CancellationToken cancellationToken);
}

/// <summary>The push on a Web PubSub hub (the dashboard's). Thread-safe.</summary>
/// <param name="client">The hub's client.</param>
public sealed class WebPubSubJobPush(WebPubSubServiceClient client) : IJobPush
{
    /// <inheritdoc />
    public Task SendAsync(string group, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        client.SendToGroupAsync(group, BinaryData.FromBytes(json), WebPubSubContentType.Json, cancellationToken: cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"job push to {client}";
}

/// <summary>
/// The messages of a job's group, one JSON object each:
/// <c>{"type":"job","event":"queued|progress|completed|failed|cancelled","jobId","kind","status","shard"?,"outcome"?:"done|failed","shards":{"total","done","failed"},"best":{…}|null,"failedShards"?:[{"shard","reason"}],"deflatedSharpe"?,"pbo"?,"error"?}</c>.
/// Numbers that are not finite are null, except an infinite objective, written as the string <c>"Infinity"</c>.
/// </summary>
internal static class JobMessages
{
    public static byte[] Create(JobStatus job, string @event, int? shard = null, string? outcome = null)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "job");
            json.WriteString("event", @event);
            json.WriteString("jobId", job.JobId);
            json.WriteString("kind", job.Kind);
            json.WriteString("status", job.Status.ToString().ToLowerInvariant());
            if (shard is { } s)
            {
                json.WriteNumber("shard", s);
            }

            if (outcome is not null)
            {
                json.WriteString("outcome", outcome);
            }

            json.WriteStartObject("shards");
            json.WriteNumber("total", job.ShardsTotal);
            json.WriteNumber("done", job.ShardsDone);
            json.WriteNumber("failed", job.ShardsFailed);
            json.WriteEndObject();
            if (job.Best is { } best)
            {
                json.WriteStartObject("best");
                json.WriteNumber("index", best.Index);
                json.WriteNumber("shard", best.Shard);
                if (double.IsInfinity(best.Objective))
                {
                    // +∞ ranks first (a profit factor without losing trades); JSON has no infinity, so it is named.
                    json.WriteString("objective", best.Objective > 0 ? "Infinity" : "-Infinity");
                }
                else
                {
                    Number(json, "objective", best.Objective);
                }

                json.WriteStartObject("parameters");
                foreach (var (name, value) in best.Parameters)
                {
                    Number(json, name, value);
                }

                json.WriteEndObject();
                Number(json, "sharpe", best.Sharpe);
                Number(json, "totalReturn", best.TotalReturn);
                Number(json, "maxDrawdown", best.MaxDrawdown);
                json.WriteNumber("tradeCount", best.TradeCount);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("best");
            }

            if (job.IsFinished)
            {
                json.WriteStartArray("failedShards");
                foreach (var failed in job.FailedShards)
                {
                    json.WriteStartObject();
                    json.WriteNumber("shard", failed.Shard);
                    json.WriteString("reason", failed.Reason);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            if (job.DeflatedSharpe is { } dsr)
            {
                Number(json, "deflatedSharpe", dsr);
            }

            if (job.Pbo is { } pbo)
            {
                Number(json, "pbo", pbo);
            }

            if (job.Error is { } error)
            {
                json.WriteString("error", error);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A number, or null when it is not finite (JSON has no NaN or ∞).</summary>
    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
