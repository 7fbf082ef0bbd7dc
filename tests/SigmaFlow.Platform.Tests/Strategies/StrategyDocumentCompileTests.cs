using SigmaFlow.Core.Strategies;
using SigmaFlow.Platform.Strategies;

namespace SigmaFlow.Platform.Tests.Strategies;

/// <summary>Documents read here must compile in Core, and rule errors must point into the document.</summary>
public sealed class StrategyDocumentCompileTests
{
    [Theory]
    [InlineData(StrategyDocuments.SmaCrossYaml)]
    [InlineData(StrategyDocuments.SmaCrossJson)]
    [InlineData(StrategyDocuments.Everything)]
    [InlineData(StrategyDocuments.Minimal)]
    public void Compile_DocumentedExamples_Compile(string text)
    {
        var compiled = StrategyCompiler.Compile(StrategyDocumentReader.Read(text));

        Assert.NotNull(compiled);
    }

    [Fact]
    public void Compile_UnknownFunctionInRule_PointsIntoTheDocument()
    {
        var document = StrategyDocumentReader.Read(StrategyDocuments.SmaCrossYaml.Replace("sma(close, slow))\n  exit", "smaa(close, slow))\n  exit", StringComparison.Ordinal));

        var exception = Assert.Throws<StrategyException>(() => StrategyCompiler.Compile(document));

        var problem = Assert.Single(exception.Diagnostics);
        Assert.Equal((6, 38), (problem.Line, problem.Column));
    }
}
