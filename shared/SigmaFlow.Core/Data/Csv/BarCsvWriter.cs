using System.Globalization;

namespace SigmaFlow.Core.Data;

/// <summary>Writes bars as CSV that <see cref="BarCsvReader"/> reads back bit for bit.</summary>
public static class BarCsvWriter
{
    /// <summary>The header line written first.</summary>
    public const string Header = "timestamp,open,high,low,close,volume";

    /// <summary>
    /// Writes <c>timestamp,open,high,low,close,volume</c> rows: ISO 8601 UTC times (<c>yyyy-MM-ddTHH:mm:ssZ</c>, with
    /// <c>.fff</c> only for times that are not whole seconds) and round-trip numbers (<c>"R"</c>, invariant culture).
    /// Lines end with <c>\n</c> on every platform. The writer is not flushed or disposed.
    /// </summary>
    /// <param name="bars">The bars; times must lie in years 1 to 9999.</param>
    /// <param name="writer">The destination.</param>
    public static void Write(BarSeries bars, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Header);
        writer.Write('\n');
        Span<char> buffer = stackalloc char[256];
        for (var i = 0; i < bars.Count; i++)
        {
            var length = UnixTimeText.Format(bars.Time[i], buffer);
            length += AppendNumber(bars.Open[i], buffer[length..]);
            length += AppendNumber(bars.High[i], buffer[length..]);
            length += AppendNumber(bars.Low[i], buffer[length..]);
            length += AppendNumber(bars.Close[i], buffer[length..]);
            length += AppendNumber(bars.Volume[i], buffer[length..]);
            buffer[length++] = '\n';
            writer.Write(buffer[..length]);
        }
    }

    private static int AppendNumber(double value, Span<char> destination)
    {
        destination[0] = ',';
        value.TryFormat(destination[1..], out var written, "R", CultureInfo.InvariantCulture);
        return written + 1;
    }
}
