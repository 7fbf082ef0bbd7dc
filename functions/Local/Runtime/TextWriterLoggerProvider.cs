using System.Globalization;
using Microsoft.Extensions.Logging;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>
/// One-line logs to a <see cref="TextWriter"/> (serve's stderr): <c>HH:mm:ss.fff level category: message</c>, the
/// exception's type and message appended. Thread-safe. Categories below <see cref="MinimumLevel"/> are dropped, and
/// ASP.NET Core's own categories below <see cref="LogLevel.Warning"/>.
/// </summary>
internal sealed class TextWriterLoggerProvider(TextWriter writer, LogLevel minimumLevel, TimeProvider clock) : ILoggerProvider
{
    private readonly Lock gate = new();

    public LogLevel MinimumLevel { get; } = minimumLevel;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
        lock (gate)
        {
            writer.Flush();
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{clock.GetLocalNow():HH:mm:ss.fff} {Level(level)} {category}: {message}{(exception is null ? string.Empty : $" ({exception.GetType().Name}: {exception.Message})")}");
        lock (gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }

    private sealed class Logger(TextWriterLoggerProvider provider, string category) : ILogger
    {
        private readonly LogLevel minimum = category.StartsWith("Microsoft.", StringComparison.Ordinal) && provider.MinimumLevel < LogLevel.Warning ? LogLevel.Warning : provider.MinimumLevel;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
