using Microsoft.Extensions.Logging;

namespace SigmaFlow.Platform.Jobs;

/// <summary>
/// Pushes a job's messages to its group after the state they describe is stored. A push that fails or takes longer
/// than <see cref="SweepJobOptions.PushTimeout"/> is logged and dropped: the job's status stays readable from the API,
/// so a lost progress message only delays the dashboard.
/// </summary>
internal sealed partial class JobPublisher(IJobPush? push, SweepJobOptions options, ILogger logger)
{
    public bool Enabled => push is not null;

    public async Task PublishAsync(JobStatus job, string @event, int? shard = null, string? outcome = null)
    {
        if (push is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(options.PushTimeout);
        try
        {
            await push.SendAsync(JobNames.Group(job.JobId), JobMessages.Create(job, @event, shard, outcome), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            PushFailed(logger, job.JobId, @event, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId}: pushing the '{Event}' message failed: {Reason}")]
    private static partial void PushFailed(ILogger logger, string jobId, string @event, string reason);
}
