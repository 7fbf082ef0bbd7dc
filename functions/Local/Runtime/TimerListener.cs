using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>
/// A <c>timerTrigger</c>, as the host's <c>TimerListener</c> runs it: one invocation at a time (the next occurrence is
/// computed after the previous run ends, so runs never overlap and a late run is followed by at most one catch-up
/// run); <c>runOnStartup</c> runs once at start; with the schedule monitor on, the status (<c>Last</c>, <c>Next</c>,
/// <c>LastUpdated</c>) is kept in the state store, a start after a missed occurrence runs at once with
/// <c>IsPastDue: true</c>, and the status is sent as <c>TimerInfo.ScheduleStatus</c>. Like the host, the monitor is off
/// for schedules that fire more than once a minute (and with <c>"useMonitor": false</c>); <c>ScheduleStatus</c> is then null.
/// </summary>
internal sealed partial class TimerListener(FunctionDefinition function, RuntimeServices services) : TriggerListener(function, services)
{
    private readonly TimerTriggerDefinition trigger = (TimerTriggerDefinition)function.Trigger;

    public override string Describe() => $"timer '{trigger.Schedule.Expression}' (UTC){(trigger.RunOnStartup ? ", runOnStartup" : string.Empty)}{(Function.Retry is { } r ? $", retry {r}" : string.Empty)}";

    public override async Task RunAsync(CancellationToken stopping, CancellationToken abort)
    {
        var schedule = trigger.Schedule;
        var clock = Services.Clock;
        var now = clock.GetUtcNow();
        if (schedule.GetNextOccurrence(now) is not { } firstNext)
        {
            NeverAgain(Log, Function.Name, schedule.Expression);
            return;
        }

        var monitor = trigger.UseMonitor && !FiresMoreThanOncePerMinute(schedule, now);
        TimerScheduleStatus? stored = monitor ? await ReadStatusAsync(stopping).ConfigureAwait(false) : null;
        if (stored is not null && stored.Schedule != schedule.Expression)
        {
            ScheduleChanged(Log, Function.Name, stored.Schedule, schedule.Expression);
            stored = null;
        }

        var status = stored ?? new TimerScheduleStatus(schedule.Expression, null, firstNext, null);
        if (monitor && stored is null)
        {
            await WriteStatusAsync(status, stopping).ConfigureAwait(false);
        }

        var pending = stored is not null && stored.Next < now ? Start.PastDue : trigger.RunOnStartup ? Start.OnStartup : Start.None;
        if (Log.IsEnabled(LogLevel.Information))
        {
            var upcoming = string.Join(", ", NextOccurrences(schedule, now, 5));
            Scheduled(Log, Function.Name, schedule.Expression, upcoming);
        }
        while (!stopping.IsCancellationRequested)
        {
            var kind = pending;
            pending = Start.None;
            var dueAt = kind == Start.None ? status.Next : clock.GetUtcNow();
            if (!await DelayAsync(dueAt - clock.GetUtcNow(), stopping).ConfigureAwait(false))
            {
                break;
            }

            var invokedAt = clock.GetUtcNow();
            var reason = kind switch
            {
                Start.PastDue => "IsPastDue",
                Start.OnStartup => "RunOnStartup",
                _ => $"Timer fired at {HostEncoding.WithOffset(invokedAt)}",
            };
            var timerInfo = TimerInfo(schedule, monitor ? status : null, kind == Start.PastDue);
            await FunctionRetry.InvokeAsync(
                Services.Invoker,
                Function,
                reason,
                () => new JsonObject { [trigger.BindingName] = timerInfo.DeepClone() },
                () => [],
                clock,
                Log,
                stopping,
                abort).ConfigureAwait(false);

            // As the host: a run that fired a little early counts as the scheduled time, so Next never repeats.
            var adjusted = kind == Start.None && status.Next > invokedAt ? status.Next : invokedAt;
            if (schedule.GetNextOccurrence(adjusted) is not { } next)
            {
                NeverAgain(Log, Function.Name, schedule.Expression);
                break;
            }

            status = new TimerScheduleStatus(schedule.Expression, adjusted, next, adjusted);
            if (monitor)
            {
                await WriteStatusAsync(status, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The <c>TimerInfo</c> object the host sends as the trigger value.</summary>
    internal static JsonObject TimerInfo(TimerSchedule schedule, TimerScheduleStatus? status, bool isPastDue) => new()
    {
        ["Schedule"] = new JsonObject { ["AdjustForDST"] = schedule.AdjustForDst },
        ["ScheduleStatus"] = status is null
            ? null
            : new JsonObject
            {
                // The host's DateTime default (0001-01-01, unspecified kind) before the first run.
                ["Last"] = status.Last is { } last ? HostEncoding.WithOffset(last) : "0001-01-01T00:00:00",
                ["Next"] = HostEncoding.WithOffset(status.Next),
                ["LastUpdated"] = status.LastUpdated is { } updated ? HostEncoding.WithOffset(updated) : "0001-01-01T00:00:00",
            },
        ["IsPastDue"] = isPastDue,
    };

    /// <summary>The host turns the schedule monitor off for schedules due more than once in the next minute.</summary>
    internal static bool FiresMoreThanOncePerMinute(TimerSchedule schedule, DateTimeOffset now) => schedule switch
    {
        IntervalSchedule interval => interval.Interval < TimeSpan.FromMinutes(1),
        _ => schedule.GetNextOccurrence(now) is { } first && schedule.GetNextOccurrence(first) is { } second && second < now + TimeSpan.FromMinutes(1),
    };

    private static IEnumerable<string> NextOccurrences(TimerSchedule schedule, DateTimeOffset now, int count)
    {
        var at = now;
        for (var i = 0; i < count && schedule.GetNextOccurrence(at) is { } next; i++)
        {
            yield return HostEncoding.Utc(next);
            at = next;
        }
    }

    private async Task<TimerScheduleStatus?> ReadStatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Services.State.GetScheduleStatusAsync(Function.Name, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The status is a convenience: a store fault must not stop the timer.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            StatusFailed(Log, e, Function.Name, Services.State.ToString());
            return null;
        }
    }

    private async Task WriteStatusAsync(TimerScheduleStatus status, CancellationToken cancellationToken)
    {
        try
        {
            await Services.State.SetScheduleStatusAsync(Function.Name, status, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The status is a convenience: a store fault must not stop the timer.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            StatusFailed(Log, e, Function.Name, Services.State.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Function}: schedule '{Schedule}' (UTC); next occurrences: {Next}")]
    private static partial void Scheduled(ILogger logger, string function, string schedule, string next);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Function}: the schedule changed from '{Old}' to '{New}'; its stored status is reset")]
    private static partial void ScheduleChanged(ILogger logger, string function, string old, string @new);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: the schedule '{Schedule}' has no further occurrence; the timer stops")]
    private static partial void NeverAgain(ILogger logger, string function, string schedule);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: the schedule status in {Store} could not be read or written; the timer keeps running without it")]
    private static partial void StatusFailed(ILogger logger, Exception exception, string function, string store);

    private enum Start
    {
        None,
        PastDue,
        OnStartup,
    }
}
