using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Indicators.Catalog;

/// <summary>The descriptive part of a catalog entry, filled in by <see cref="IndicatorCatalog"/>.</summary>
internal sealed class IndicatorSpecBuilder
{
    public required string Name { get; init; }

    public required string FullName { get; init; }

    public required string Category { get; init; }

    public required string Description { get; init; }

    public IReadOnlyList<string> Aliases { get; init; } = [];

    public IReadOnlyList<IndicatorParameter> Parameters { get; init; } = [];

    public required IReadOnlyList<IndicatorOutput> Outputs { get; init; }

    public required Func<IndicatorArguments, int> Warmup { get; init; }

    public int[]? FieldMap { get; init; }

    public Action<BarSeries, IndicatorArguments, double[][]>? PostProcess { get; init; }

    public Func<IndicatorArguments, string?>? Check { get; init; }
}
