using System.Globalization;
using SigmaFlow.Functions.Local.Runtime;

namespace SigmaFlow.Functions.Tests.Local.Runtime;

/// <summary>The timer trigger: schedules fire, runs never overlap, runOnStartup and past-due runs carry the host's TimerInfo.</summary>
public sealed class TimerTriggerTests
{
    [Fact]
    public async Task EverySecond_Fires_WithTheHostsTimerInfo()
    {
        using var app = Timer("*/1 * * * * *");
        await using var handler = await RecordingHandler.StartAsync();
        await using (await StartAsync(app, handler, RuntimeStateStore.InMemory()))
        {
            var calls = await handler.WaitForCallsAsync(2, seconds: 5);

            // Sub-minute schedules run without the schedule monitor in the host, so ScheduleStatus is null.
            Assert.Equal("""{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}""", RecordedCall.Raw(calls[0].Data["timer"]!));
            Assert.Equal("Scan", calls[0].Metadata["sys"]!["MethodName"]!.GetValue<string>());
            Assert.Equal(["sys"], calls[0].Metadata.AsObject().Select(p => p.Key));
            Assert.InRange((calls[1].Started - calls[0].Started).TotalMilliseconds, 500, 1600);
        }
    }

    [Fact]
    public async Task SlowRuns_NeverOverlap()
    {
        using var app = Timer("*/1 * * * * *");
        await using var handler = await RecordingHandler.StartAsync();
        handler.Respond = async (_, ct) =>
        {
            await Task.Delay(1300, ct); // longer than the interval
            return 200;
        };
        await using (await StartAsync(app, handler, RuntimeStateStore.InMemory()))
        {
            await handler.WaitForCallsAsync(3, seconds: 8);
        }

        var calls = handler.Calls.OrderBy(c => c.Started).ToList();
        for (var i = 1; i < calls.Count; i++)
        {
            Assert.True(calls[i].Started >= calls[i - 1].Finished, $"run {i} started at {calls[i].Started:O} before run {i - 1} finished at {calls[i - 1].Finished:O}");
        }
    }

    [Fact]
    public async Task RunOnStartup_RunsAtOnce_WithTheInitialScheduleStatus()
    {
        using var app = Timer("0 0 * * * *", runOnStartup: true);
        await using var handler = await RecordingHandler.StartAsync();
        var store = RuntimeStateStore.InMemory();
        var before = DateTimeOffset.UtcNow;
        await using (await StartAsync(app, handler, store))
        {
            var call = Assert.Single(await handler.WaitForCallsAsync(1, seconds: 3));
            var nextHour = new DateTimeOffset(before.Year, before.Month, before.Day, before.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
            Assert.Equal(
                $$"""{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"0001-01-01T00:00:00","Next":"{{nextHour:yyyy-MM-dd'T'HH:mm:ss}}+00:00","LastUpdated":"0001-01-01T00:00:00"},"IsPastDue":false}""",
                RecordedCall.Raw(call.Data["timer"]!));

            // After the run, the status records it; the next occurrence stays the top of the hour.
            await Eventually.TrueAsync(async () => (await store.GetScheduleStatusAsync("Scan", default))?.Last is not null, "the status to be written");
            var status = await store.GetScheduleStatusAsync("Scan", TestContext.Current.CancellationToken);
            Assert.Equal(nextHour, status!.Next);
            Assert.InRange(status.Last!.Value, before, DateTimeOffset.UtcNow);
        }
    }

    [Fact]
    public async Task MissedOccurrence_RunsAtStart_AsPastDue()
    {
        using var app = Timer("0 0 * * * *");
        await using var handler = await RecordingHandler.StartAsync();
        var store = RuntimeStateStore.InMemory();
        var missed = new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var last = missed.AddHours(-1);
        await store.SetScheduleStatusAsync("Scan", new TimerScheduleStatus("0 0 * * * *", last, missed, last), TestContext.Current.CancellationToken);
        await using (await StartAsync(app, handler, store))
        {
            var call = Assert.Single(await handler.WaitForCallsAsync(1, seconds: 3));
            Assert.Equal(
                """{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-01-01T08:00:00+00:00","Next":"2026-01-01T09:00:00+00:00","LastUpdated":"2026-01-01T08:00:00+00:00"},"IsPastDue":true}""",
                RecordedCall.Raw(call.Data["timer"]!));
            await Eventually.TrueAsync(async () => (await store.GetScheduleStatusAsync("Scan", default))!.Next > DateTimeOffset.UtcNow, "the status to move on");
        }
    }

    [Fact]
    public async Task ChangedSchedule_ResetsTheStoredStatus_InsteadOfRunningPastDue()
    {
        using var app = Timer("0 0 * * * *");
        await using var handler = await RecordingHandler.StartAsync();
        var store = RuntimeStateStore.InMemory();
        var old = new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);
        await store.SetScheduleStatusAsync("Scan", new TimerScheduleStatus("0 30 * * * *", null, old, null), TestContext.Current.CancellationToken);
        await using (await StartAsync(app, handler, store))
        {
            await Task.Delay(300, TestContext.Current.CancellationToken);
            Assert.Empty(handler.Calls);
            Assert.Equal("0 0 * * * *", (await store.GetScheduleStatusAsync("Scan", TestContext.Current.CancellationToken))!.Schedule);
        }
    }

    [Fact]
    public void MonitorRule_FollowsTheHost()
    {
        var now = new DateTimeOffset(2026, 1, 15, 10, 20, 31, TimeSpan.Zero); // the host counts occurrences before now + 1 minute, exclusive
        Assert.True(TimerListener.FiresMoreThanOncePerMinute(TimerSchedule.Parse("*/30 * * * * *"), now));
        Assert.False(TimerListener.FiresMoreThanOncePerMinute(TimerSchedule.Parse("0 * * * * *"), now));
        Assert.True(TimerListener.FiresMoreThanOncePerMinute(TimerSchedule.Parse("00:00:30"), now));
        Assert.False(TimerListener.FiresMoreThanOncePerMinute(TimerSchedule.Parse("00:01:00"), now));
    }

    private static TestApp Timer(string schedule, bool runOnStartup = false) => TestApp.Create(TestApp.DefaultHost, ("Scan", $$"""
        { "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "{{schedule}}", "runOnStartup": {{runOnStartup.ToString(CultureInfo.InvariantCulture).ToLowerInvariant()}} } ] }
        """));

    private static async Task<LocalRuntime> StartAsync(TestApp app, RecordingHandler handler, RuntimeStateStore store)
    {
        var runtime = new LocalRuntime(app.Load(), new LocalRuntimeOptions { HandlerAddress = handler.Address, ReadSetting = TestApp.Settings(), StateStore = store });
        await runtime.StartAsync(TestContext.Current.CancellationToken);
        return runtime;
    }
}
