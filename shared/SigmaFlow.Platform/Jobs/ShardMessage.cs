using System.Globalization;
using System.Text.Json;

namespace SigmaFlow.Platform.Jobs;

/// <summary>
/// One message on <see cref="JobNames.ShardQueue"/>: <c>{"jobId":"sw-…","shard":7,"start":140,"end":160}</c> — the job
/// and the positions <c>start … end − 1</c> of its candidate sequence. Everything else (the sweep, the data source and
/// its hash) is read from the job document, so a message is small and cannot disagree with its job.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="Shard">The shard number in the job's plan.</param>
/// <param name="Start">First position.</param>
/// <param name="End">One past the last position.</param>
public sealed record ShardMessage(string JobId, int Shard, long Start, long End)
{
    /// <summary>The message as JSON text.</summary>
    /// <returns>The text.</returns>
    public string ToJson() => JsonSerializer.Serialize(new { jobId = JobId, shard = Shard, start = Start, end = End });

    /// <summary>Reads a message from the trigger's value (an object, or its JSON text).</summary>
    /// <param name="value">The value.</param>
    /// <param name="message">The message, when it is one.</param>
    /// <param name="error">What is wrong, naming the field, the rule and the value, when it is not.</param>
    /// <returns>True when it is a message.</returns>
    public static bool TryRead(JsonElement value, out ShardMessage? message, out string error)
    {
        message = null;
        error = string.Empty;
        if (value.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var document = JsonDocument.Parse(value.GetString()!);
                return TryRead(document.RootElement.Clone(), out message, out error);
            }
            catch (JsonException e)
            {
                error = $"the message must be a JSON object {{\"jobId\",\"shard\",\"start\",\"end\"}}; got text that is not JSON ({e.Message}).";
                return false;
            }
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            error = $"the message must be a JSON object {{\"jobId\",\"shard\",\"start\",\"end\"}}; got {value.ValueKind}.";
            return false;
        }

        string? jobId = null;
        long? shard = null, start = null, end = null;
        foreach (var property in value.EnumerateObject())
        {
            switch (property.Name.ToLowerInvariant())
            {
                case "jobid" when property.Value.ValueKind == JsonValueKind.String:
                    jobId = property.Value.GetString();
                    break;
                case "shard":
                    shard = Number(property.Value);
                    break;
                case "start":
                    start = Number(property.Value);
                    break;
                case "end":
                    end = Number(property.Value);
                    break;
            }
        }

        if (!SweepJobService.IsJobId(jobId))
        {
            error = $"jobId must be a job id such as sw-20261121104455-1a2b3c4d; got {Show(value, "jobId")}.";
        }
        else if (shard is null or < 0 or > int.MaxValue)
        {
            error = $"shard must be a whole number ≥ 0; got {Show(value, "shard")}.";
        }
        else if (start is null or < 0 || end is null || end <= start)
        {
            error = $"start and end must be whole numbers with 0 ≤ start < end; got start {Show(value, "start")}, end {Show(value, "end")}.";
        }
        else
        {
            message = new ShardMessage(jobId!, (int)shard.Value, start.Value, end!.Value);
            return true;
        }

        return false;
    }

    private static long? Number(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number when element.TryGetInt64(out var n) => n,
        JsonValueKind.String when long.TryParse(element.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    private static string Show(JsonElement message, string name)
    {
        foreach (var property in message.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                var text = property.Value.GetRawText();
                return text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");
            }
        }

        return "nothing";
    }
}

/// <summary>What a delivery of a shard message did.</summary>
public enum ShardOutcome
{
    /// <summary>The shard ran, its result is stored and counted.</summary>
    Completed,

    /// <summary>The shard was already counted (a redelivery); nothing ran again.</summary>
    AlreadyCounted,

    /// <summary>The shard is recorded as failed (refused, its last delivery failed, or its message was poisoned).</summary>
    Failed,

    /// <summary>The job was cancelled while the shard ran, or before: the shard stopped or did not start.</summary>
    Cancelled,

    /// <summary>The job is already finished: nothing to do.</summary>
    Skipped,

    /// <summary>The message names no job of this store (deleted, or another database), or no shard of its plan: dropped.</summary>
    Discarded,
}

/// <summary>What one delivery did, for the invocation's log line.</summary>
/// <param name="Outcome">The outcome.</param>
/// <param name="JobId">The job.</param>
/// <param name="Shard">The shard.</param>
/// <param name="Detail">A short explanation (counts, timings, the failure reason).</param>
/// <param name="JobStatus">The job's status afterwards, when known.</param>
public sealed record ShardReport(ShardOutcome Outcome, string JobId, int Shard, string Detail, JobState? JobStatus)
{
    /// <summary>One log line, e.g. <c>RunSweepShard sw-… shard 7: completed (20 combinations in 41 ms; 12/40 done, 0 failed); job running</c>.</summary>
    /// <param name="function">The function's name.</param>
    /// <returns>The line.</returns>
    public string ToLogLine(string function) =>
        string.Create(CultureInfo.InvariantCulture, $"{function} {JobId} shard {Shard}: {Outcome.ToString().ToLowerInvariant()} ({Detail}){(JobStatus is { } s ? "; job " + s.ToString().ToLowerInvariant() : string.Empty)}");
}
