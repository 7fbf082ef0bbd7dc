using System.Globalization;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Tests.Data;

/// <summary>Small named CSV fixtures and helpers shared by the data tests.</summary>
internal static class CsvSamples
{
    public const string Header = "date,open,high,low,close,volume";

    /// <summary>Three valid daily bars.</summary>
    public const string GoodBars =
        Header + "\n" +
        "2017-01-03,10,11,9,10.5,1000\n" +
        "2017-01-04,10.5,12,10,11,2000\n" +
        "2017-01-05,11,11.5,10.2,11.2,1500\n";

    /// <summary>One valid bar.</summary>
    public const string OneBar = Header + "\n2017-01-03,10,11,9,10.5,1000\n";

    /// <summary>A header and no rows.</summary>
    public const string HeaderOnly = Header + "\n";

    /// <summary>Header, then the rows, each on its own line (the first row is line 2).</summary>
    public static string WithRows(params string[] rows) => Header + "\n" + string.Join("\n", rows) + "\n";

    /// <summary>Unix milliseconds of an ISO 8601 time, computed by the BCL as an independent oracle.</summary>
    public static long Utc(string iso) =>
        DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeMilliseconds();

    /// <summary>Loads a CSV string, asserting nothing.</summary>
    public static BarLoadResult Load(string csv, bool skipBadRows = false) =>
        BarCsvReader.Read(csv, new BarLoadOptions { SkipBadRows = skipBadRows });
}
