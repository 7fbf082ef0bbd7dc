namespace SigmaFlow.Platform.Screening;

/// <summary>Every name the screener uses outside the process: its tables, its Web PubSub groups and its alert type.</summary>
public static class ScreenerNames
{
    /// <summary>Screener definitions: PartitionKey <see cref="DefinitionsPartition"/>, RowKey the screener id.</summary>
    public const string ScreenersTable = "screeners";

    /// <summary>
    /// Screener results: PartitionKey the screener id; RowKey <see cref="LatestRow"/> (the latest result) and
    /// <see cref="MatchesRow"/> (the symbols that matched, which the next run compares against). Both rows are written in
    /// one entity-group transaction, so they never disagree.
    /// </summary>
    public const string ResultsTable = "screenerresults";

    /// <summary>The one partition of <see cref="ScreenersTable"/>.</summary>
    public const string DefinitionsPartition = "screeners";

    /// <summary>RowKey of the latest result in <see cref="ResultsTable"/>.</summary>
    public const string LatestRow = "latest";

    /// <summary>RowKey of the match set in <see cref="ResultsTable"/>.</summary>
    public const string MatchesRow = "matches";

    /// <summary>Web PubSub group that receives every screener's result after each scan.</summary>
    public const string Group = "screener";

    /// <summary>The <c>type</c> of screener messages: pushed results and alert candidates.</summary>
    public const string MessageType = "screener";

    /// <summary>The Web PubSub group of one screener's results, e.g. <c>screener.oversold</c>.</summary>
    /// <param name="screenerId">The screener id.</param>
    /// <returns>The group name.</returns>
    public static string ScreenerGroup(string screenerId) => Group + "." + screenerId;
}
