using System.Diagnostics;
using SigmaFlow.Core.Optimization.Statistics;

namespace SigmaFlow.Core.Tests.Optimization;

/// <summary>
/// Normal distribution, Deflated Sharpe Ratio, CSCV Probability of Backtest Overfitting and type-7 quantiles against
/// values computed independently by <c>reference_statistics.py</c> (next to this file; Python 3 standard library:
/// 400-digit decimal Φ and Newton Φ⁻¹, a naive CSCV over the raw return matrix, hand-written type-7 quantiles).
/// </summary>
public sealed class StatisticsTests
{
    // ------------------------------------------------------------------ normal distribution

    // From reference_statistics.py ("# Phi(x)"): 400-digit decimal series, correctly rounded to double.
    public static readonly TheoryData<double, double> CdfReference = new()
    {
        { 0.0, 0.5 },
        { 0.5, 0.6914624612740131 },
        { -0.5, 0.3085375387259869 },
        { 1.0, 0.8413447460685429 },
        { -1.0, 0.15865525393145705 },
        { 1.959963984540054, 0.975 },
        { -1.959963984540054, 0.025000000000000012 },
        { 3.0, 0.9986501019683699 },
        { -3.0, 0.0013498980316300946 },
        { 5.0, 0.9999997133484281 },
        { -5.0, 2.866515718791939e-07 },
        { 7.5, 0.9999999999999681 },
        { -8.0, 6.220960574271784e-16 },
        { -10.0, 7.619853024160525e-24 },
        { -20.0, 2.7536241186062337e-89 },
        { -30.0, 4.906713927148187e-198 },
        { -37.0, 5.725571222524577e-300 },
    };

    // From reference_statistics.py ("# Phi^-1(p)"): Newton's method on the 400-digit Φ.
    public static readonly TheoryData<double, double> InverseCdfReference = new()
    {
        { 1e-300, -37.0470962993612 },
        { 1e-100, -21.273453560965326 },
        { 1e-20, -9.262340089798407 },
        { 1e-10, -6.361340902404057 },
        { 1e-05, -4.264890793922825 },
        { 0.001, -3.0902323061678136 },
        { 0.01, -2.326347874040841 },
        { 0.025, -1.9599639845400543 },
        { 0.1, -1.2815515655446004 },
        { 0.3, -0.5244005127080408 },
        { 0.5, 0.0 },
        { 0.6, 0.2533471031357997 },
        { 0.9, 1.2815515655446006 },
        { 0.975, 1.9599639845400538 },
        { 0.99, 2.3263478740408408 },
        { 0.999999, 4.753424308817087 },
    };

    [Theory]
    [MemberData(nameof(CdfReference))]
    public void Cdf_MatchesReferenceValues(double x, double expected)
    {
        // Relative accuracy ~1e-15 everywhere, including the far lower tail.
        AssertRelative(expected, NormalDistribution.Cdf(x), 2e-15);
    }

    [Fact]
    public void Cdf_EdgeValues_AreExact()
    {
        Assert.Equal(0.5, NormalDistribution.Cdf(0));
        Assert.Equal(0.0, NormalDistribution.Cdf(double.NegativeInfinity));
        Assert.Equal(1.0, NormalDistribution.Cdf(double.PositiveInfinity));
        Assert.Equal(0.0, NormalDistribution.Cdf(-40));
        Assert.Equal(1.0, NormalDistribution.Cdf(9));
        Assert.True(double.IsNaN(NormalDistribution.Cdf(double.NaN)));
    }

    [Fact]
    public void Cdf_Symmetric_SumsToOne()
    {
        for (var x = 0.0; x <= 6; x += 0.0625)
        {
            Assert.Equal(1.0, NormalDistribution.Cdf(x) + NormalDistribution.Cdf(-x), 15);
        }
    }

    [Theory]
    [MemberData(nameof(InverseCdfReference))]
    public void InverseCdf_MatchesReferenceValues(double p, double expected)
    {
        AssertRelative(expected, NormalDistribution.InverseCdf(p), 1e-15);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void InverseCdf_OutsideUnitInterval_IsNaN(double p)
    {
        Assert.True(double.IsNaN(NormalDistribution.InverseCdf(p)));
    }

    [Fact]
    public void InverseCdf_ZeroAndOne_AreInfinite()
    {
        Assert.Equal(double.NegativeInfinity, NormalDistribution.InverseCdf(0));
        Assert.Equal(double.PositiveInfinity, NormalDistribution.InverseCdf(1));
    }

    [Fact]
    public void InverseCdf_OfCdf_RoundTrips()
    {
        // Up to x = 1 only: above, Φ(x) near 1 keeps only absolute accuracy and the round trip loses digits.
        for (var x = -37.0; x <= 1; x += 0.25)
        {
            var back = NormalDistribution.InverseCdf(NormalDistribution.Cdf(x));
            Assert.True(Math.Abs(back - x) <= 1e-14 * Math.Max(1, Math.Abs(x)), $"x = {x}: got {back:R}");
        }
    }

    // ------------------------------------------------------------------ Deflated Sharpe Ratio

    [Theory]
    [InlineData(0.01, 2L, 0.05197553442805939)]
    [InlineData(0.01, 10L, 0.157459830134575)]
    [InlineData(0.01, 100L, 0.2530602893201682)]
    [InlineData(0.01, 1000L, 0.32551215136527256)]
    [InlineData(0.002, 1_000_000L, 0.21769731899117825)]
    [InlineData(0.002, 100L, 0.11317200186513203)]
    public void ExpectedMaximumSharpe_MatchesReferenceValues(double variance, long trials, double expected)
    {
        // From reference_statistics.py ("# SR0(V, N)").
        AssertRelative(expected, DeflatedSharpe.ExpectedMaximumSharpe(variance, trials), 1e-14);
    }

    [Fact]
    public void ExpectedMaximumSharpe_Edges()
    {
        Assert.Equal(0.0, DeflatedSharpe.ExpectedMaximumSharpe(0.01, 1));
        Assert.Equal(0.0, DeflatedSharpe.ExpectedMaximumSharpe(0, 100));
        Assert.True(double.IsNaN(DeflatedSharpe.ExpectedMaximumSharpe(0.01, 0)));
        Assert.True(double.IsNaN(DeflatedSharpe.ExpectedMaximumSharpe(0.01, -5)));
        Assert.True(double.IsNaN(DeflatedSharpe.ExpectedMaximumSharpe(-0.01, 100)));
        Assert.True(double.IsNaN(DeflatedSharpe.ExpectedMaximumSharpe(double.NaN, 100)));
        Assert.True(double.IsNaN(DeflatedSharpe.ExpectedMaximumSharpe(double.PositiveInfinity, 100)));
        Assert.True(double.IsFinite(DeflatedSharpe.ExpectedMaximumSharpe(0.01, long.MaxValue)));
    }

    [Theory]
    [InlineData(0.1, 0.0, 252L, 0.0, 3.0, 0.9429868610243622)]
    [InlineData(0.05, 0.02, 1000L, -0.5, 5.0, 0.8252176216732529)]
    [InlineData(-0.03, 0.0, 60L, 1.0, 6.0, 0.4102391501126611)]
    [InlineData(0.2, 0.25, 100L, 0.0, 3.0, 0.31115038622537483)]
    public void Probabilistic_MatchesReferenceValues(double sharpe, double benchmark, long observations, double skewness, double kurtosis, double expected)
    {
        // From reference_statistics.py ("# PSR").
        AssertRelative(expected, DeflatedSharpe.Probabilistic(sharpe, benchmark, observations, skewness, kurtosis), 1e-13);
    }

    [Fact]
    public void Probabilistic_Edges_AreNaN()
    {
        Assert.True(double.IsNaN(DeflatedSharpe.Probabilistic(0.1, 0, 1, 0, 3)));
        Assert.True(double.IsNaN(DeflatedSharpe.Probabilistic(0.1, 0, 0, 0, 3)));
        Assert.True(double.IsNaN(DeflatedSharpe.Probabilistic(double.NaN, 0, 100, 0, 3)));
        Assert.True(double.IsNaN(DeflatedSharpe.Probabilistic(0.1, double.NaN, 100, 0, 3)));
        Assert.True(double.IsNaN(DeflatedSharpe.Probabilistic(0.1, 0, 100, double.PositiveInfinity, 3)));
        Assert.True(double.IsNaN(DeflatedSharpe.Probabilistic(0.1, 0, 100, 0, double.NaN)));

        // 1 − γ₃·SR + (γ₄ − 1)/4·SR² = 1 − 10·0.5 + 0.5·0.25 = −3.875 < 0, and exactly 0 at SR = 1, γ₃ = 1.5, γ₄ = 3.
        Assert.True(double.IsNaN(DeflatedSharpe.Probabilistic(0.5, 0, 100, 10, 3)));
        Assert.True(double.IsNaN(DeflatedSharpe.Probabilistic(1, 0, 100, 1.5, 3)));
    }

    [Fact]
    public void Probabilistic_SharpeEqualsBenchmark_IsOneHalf()
    {
        Assert.Equal(0.5, DeflatedSharpe.Probabilistic(0.1, 0.1, 500, -1, 8));
    }

    [Fact]
    public void Compute_PaperWorkedExample_IsAbout0Point90()
    {
        // Bailey & López de Prado (2014): annualised SR 2.5, 1250 daily returns (250 a year), skew −3, kurtosis 10,
        // 100 trials whose annualised Sharpe ratios have variance 0.5. Per period: SR = 2.5/√250, V = 0.5/250.
        // From reference_statistics.py: SR0 = 0.11317200186513203 per day (1.7894 annualised), DSR = 0.900396834449391.
        const double PeriodsPerYear = 250;
        var sharpe = 2.5 / Math.Sqrt(PeriodsPerYear);
        var variance = 0.5 / PeriodsPerYear;

        var expectedMaximum = DeflatedSharpe.ExpectedMaximumSharpe(variance, 100);
        var deflated = DeflatedSharpe.Compute(sharpe, variance, 100, 1250, -3, 10);

        AssertRelative(0.11317200186513203, expectedMaximum, 1e-14);
        Assert.Equal(1.7894064662732059, expectedMaximum * Math.Sqrt(PeriodsPerYear), 12);
        AssertRelative(0.900396834449391, deflated, 1e-13);
        Assert.InRange(deflated, 0.895, 0.905);
    }

    [Theory]
    [InlineData(0.2, 0.005, 50L, 500L, 0.3, 4.0, 0.8120551121493366)]
    [InlineData(0.1, 0.01, 1L, 300L, 0.0, 3.0, 0.9577231862437624)]
    public void Compute_MatchesReferenceValues(double sharpe, double variance, long trials, long observations, double skewness, double kurtosis, double expected)
    {
        // From reference_statistics.py ("# DSR"); the second row has one trial, so SR0 = 0 and DSR = PSR(SR, 0).
        AssertRelative(expected, DeflatedSharpe.Compute(sharpe, variance, trials, observations, skewness, kurtosis), 1e-13);
    }

    [Fact]
    public void Compute_InvalidTrialsOrObservations_IsNaN()
    {
        Assert.True(double.IsNaN(DeflatedSharpe.Compute(0.1, 0.01, 0, 300, 0, 3)));
        Assert.True(double.IsNaN(DeflatedSharpe.Compute(0.1, -0.01, 10, 300, 0, 3)));
        Assert.True(double.IsNaN(DeflatedSharpe.Compute(0.1, 0.01, 10, 1, 0, 3)));
    }

    // ------------------------------------------------------------------ CSCV / PBO

    // From reference_statistics.py ("# CSCV", overfit case): naive CSCV over the raw 80 × 8 return matrix.
    private static readonly double[] OverfitLogits4 =
    [
        -1.252762968495368, -0.45198512374305727, 2.0794415416798353, 2.0794415416798353, 0.6931471805599452, 1.252762968495368,
    ];

    private static readonly double[] OverfitLogits6 =
    [
        -1.252762968495368, 2.0794415416798353, 0.6931471805599452, 0.6931471805599452, 2.0794415416798353, -1.252762968495368,
        2.0794415416798353, 2.0794415416798353, 2.0794415416798353, 1.252762968495368, -0.22314355131420985, 2.0794415416798353,
        2.0794415416798353, 2.0794415416798353, 1.252762968495368, 2.0794415416798353, -0.22314355131420985, -0.22314355131420985,
        2.0794415416798353, 1.252762968495368,
    ];

    private static readonly double[] OverfitLogits8 =
    [
        -1.252762968495368, 1.252762968495368, -0.22314355131420985, -0.22314355131420985, -0.22314355131420985, 0.22314355131420993,
        -0.22314355131420985, -1.252762968495368, -0.22314355131420985, -0.45198512374305727, -0.45198512374305727, 0.0,
        1.252762968495368, 2.0794415416798353, 2.0794415416798353, -1.252762968495368, 2.0794415416798353, -1.252762968495368,
        2.0794415416798353, 1.252762968495368, 1.252762968495368, 1.252762968495368, -0.22314355131420985, 1.252762968495368,
        1.252762968495368, 0.0, -0.45198512374305727, 0.4519851237430575, 0.0, 1.252762968495368, 0.0, -0.45198512374305727,
        -0.45198512374305727, -0.45198512374305727, 2.0794415416798353, 2.0794415416798353, 0.6931471805599452, 0.6931471805599452,
        0.6931471805599452, 0.22314355131420993, -0.22314355131420985, 0.22314355131420993, -0.22314355131420985, 0.22314355131420993,
        -0.22314355131420985, -1.252762968495368, -0.6931471805599454, -1.252762968495368, -0.22314355131420985, -0.6931471805599454,
        -0.22314355131420985, 2.0794415416798353, -0.6931471805599454, 2.0794415416798353, 1.252762968495368, 2.0794415416798353,
        2.0794415416798353, -0.22314355131420985, 0.6931471805599452, 0.6931471805599452, 0.6931471805599452, -0.22314355131420985,
        -0.22314355131420985, 0.6931471805599452, -0.22314355131420985, -1.252762968495368, -0.22314355131420985, -0.6931471805599454,
        -0.22314355131420985, 1.252762968495368,
    ];

    [Theory]
    [InlineData(4, 0.3333333333333333, 0.9729550745276566)]
    [InlineData(6, 0.25, 1.6661022550876017)]
    [InlineData(8, 0.5428571428571428, 0.0)]
    public void Cscv_BlockSums_MatchNaiveReference(int blocks, double expectedPbo, double expectedMedian)
    {
        // Trial 0 drifts up in the first half and down in the second (good in-sample only), trial 6 is flat (NaN
        // Sharpe everywhere), trial 7 duplicates trial 3 (out-of-sample ties count one half).
        var expectedLogits = blocks switch { 4 => OverfitLogits4, 6 => OverfitLogits6, _ => OverfitLogits8 };
        var returns = OverfitMatrix();

        var result = Cscv.Compute(ToBlocks(returns, blocks));

        Assert.Equal(8, result.Trials);
        Assert.Equal(blocks, result.Blocks);
        Assert.Equal(expectedLogits.Length, result.Splits);
        Assert.Equal(expectedLogits.Length, result.Logits.Length);
        for (var k = 0; k < expectedLogits.Length; k++)
        {
            Assert.True(Math.Abs(expectedLogits[k] - result.Logits[k]) <= 1e-12, $"split {k}: expected {expectedLogits[k]}, got {result.Logits[k]}");
        }

        Assert.Equal(expectedPbo, result.Probability, 12);
        Assert.Equal(expectedMedian, result.MedianLogit, 12);
        Assert.InRange(result.Probability, 0.01, 0.99);
    }

    [Fact]
    public void Cscv_DominantTrial_PboIsZero()
    {
        // From reference_statistics.py ("dominant S=6"): trial 2 is best in every block, so every split ranks it first
        // out of sample: ω = 6/7, λ = ln 6 in all 20 splits.
        var result = Cscv.Compute(ToBlocks(DominantMatrix(), 6));

        Assert.Equal(0.0, result.Probability);
        Assert.Equal(20, result.Splits);
        Assert.All(result.Logits, logit => Assert.Equal(Math.Log(6), logit, tolerance: 1e-14));
        Assert.Equal(1.7917594692280545, result.MedianLogit, tolerance: 1e-14);
    }

    [Fact]
    public void Cscv_TrialOrder_DoesNotChangeLogitsWithoutTies()
    {
        var returns = DominantMatrix();
        var forward = ToBlocks(returns, 6);
        var reversed = new List<BlockReturns>(forward);
        reversed.Reverse();

        Assert.Equal(Cscv.Compute(forward).Logits, Cscv.Compute(reversed).Logits);
    }

    [Fact]
    public void Cscv_FewerThanTwoTrials_ProbabilityIsNaN()
    {
        var one = Cscv.Compute([Block([1, 2], [3, 4], [5, 5])]);
        var none = Cscv.Compute([]);

        Assert.True(double.IsNaN(one.Probability));
        Assert.Equal(1, one.Trials);
        Assert.Equal(2, one.Blocks);
        Assert.Equal(0, one.Splits);
        Assert.Empty(one.Logits);
        Assert.True(double.IsNaN(one.MedianLogit));
        Assert.True(double.IsNaN(none.Probability));
        Assert.Equal(0, none.Trials);
        Assert.Equal(0, none.Blocks);
    }

    [Fact]
    public void Cscv_OddBlockCount_ThrowsNamingTheField()
    {
        var odd = Block([1, 1, 1], [1, 1, 1], [5, 5, 5]);

        var error = Assert.Throws<ArgumentException>(() => Cscv.Compute([odd, odd]));

        Assert.Equal("trials[0].Sum", error.ParamName);
        Assert.Contains("trials[0].Sum.Length (the number of blocks S) must be even and between 2 and 16; got 3.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cscv_TooManyBlocks_Throws()
    {
        var many = Block(new double[18], new double[18], new int[18]);

        var error = Assert.Throws<ArgumentException>(() => Cscv.Compute([many, many]));

        Assert.Contains("got 18.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cscv_TrialsWithDifferentBlockCounts_ThrowsNamingTheTrial()
    {
        var four = Block([1, 1, 1, 1], [1, 1, 1, 1], [5, 5, 5, 5]);
        var two = Block([1, 1], [1, 1], [5, 5]);

        var error = Assert.Throws<ArgumentException>(() => Cscv.Compute([four, four, two]));

        Assert.Equal("trials[2].Sum", error.ParamName);
        Assert.Contains("must equal that of trials[0] (4); got 2.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cscv_CorruptBlockValues_ThrowNamingTheField()
    {
        var good = Block([1, 1], [1, 1], [5, 5]);

        var shortCount = Assert.Throws<ArgumentException>(() => Cscv.Compute([good, Block([1, 1], [1, 1], [5])]));
        var negative = Assert.Throws<ArgumentException>(() => Cscv.Compute([good, Block([1, 1], [1, 1], [5, -1])]));
        var notFinite = Assert.Throws<ArgumentException>(() => Cscv.Compute([good, Block([1, double.NaN], [1, 1], [5, 5])]));
        var nullArray = Assert.Throws<ArgumentException>(() => Cscv.Compute([good, new BlockReturns([1, 1], null!, [5, 5])]));

        Assert.Equal("trials[1].Count", shortCount.ParamName);
        Assert.Contains("trials[1].Count.Length must equal the number of blocks S (2); got 1.", shortCount.Message, StringComparison.Ordinal);
        Assert.Contains("trials[1].Count[1] must be at least 0; got -1.", negative.Message, StringComparison.Ordinal);
        Assert.Contains("trials[1].Sum[1] must be finite; got NaN.", notFinite.Message, StringComparison.Ordinal);
        Assert.Equal("trials[1].SumOfSquares", nullArray.ParamName);
    }

    [Fact]
    public void Cscv_TenThousandTrialsTenBlocks_ComputesEverySplit()
    {
        const int TrialCount = 10_000;
        const int Blocks = 10;
        var random = new Random(12345);
        var trials = new BlockReturns[TrialCount];
        for (var t = 0; t < TrialCount; t++)
        {
            var sum = new double[Blocks];
            var squares = new double[Blocks];
            var count = new int[Blocks];
            for (var b = 0; b < Blocks; b++)
            {
                count[b] = 100;
                sum[b] = (random.NextDouble() - 0.5) * 0.2;
                squares[b] = (sum[b] * sum[b] / 100) + (0.01 + (random.NextDouble() * 0.01));
            }

            trials[t] = new BlockReturns(sum, squares, count);
        }

        var result = Cscv.Compute(trials);

        // Its speed is measured in tests/SigmaFlow.Benchmarks (CscvBenchmarks), not asserted here.
        Assert.Equal(252, result.Splits);
        Assert.Equal(10_000, result.Trials);
        Assert.InRange(result.Probability, 0, 1);
    }

    // ------------------------------------------------------------------ quantiles

    // From reference_statistics.py ("# Quantiles type 7"), hand-written type 7, checked against statistics.quantiles.
    private static readonly double[] SortedSample = [-7.5, -1.0, 0.25, 1.125, 2.0, 3.5, 4.0, 4.0, 6.0, 8.0, 10.0];

    [Theory]
    [InlineData(0.0, -7.5)]
    [InlineData(0.05, -4.25)]
    [InlineData(0.1, -1.0)]
    [InlineData(0.25, 0.6875)]
    [InlineData(0.3333333333333333, 1.4166666666666665)]
    [InlineData(0.5, 3.5)]
    [InlineData(0.75, 5.0)]
    [InlineData(0.9, 8.0)]
    [InlineData(0.95, 9.0)]
    [InlineData(1.0, 10.0)]
    public void Linear_MatchesReferenceValues(double p, double expected)
    {
        Assert.Equal(expected, Quantiles.Linear(SortedSample, p), 14);
    }

    [Fact]
    public void Linear_Empty_IsNaN()
    {
        Assert.True(double.IsNaN(Quantiles.Linear([], 0.5)));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void Linear_ProbabilityOutsideUnitInterval_Throws(double p)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Quantiles.Linear(SortedSample, p));

        Assert.Equal("p", error.ParamName);
    }

    [Fact]
    public void Linear_SingleValueAndInfinities()
    {
        Assert.Equal(42.0, Quantiles.Linear([42.0], 0.3));
        Assert.Equal(double.PositiveInfinity, Quantiles.Linear([1.0, double.PositiveInfinity], 0.5));
        Assert.Equal(1.0, Quantiles.Linear([1.0, double.PositiveInfinity], 0.0));
        Assert.True(double.IsNaN(Quantiles.Linear([double.NegativeInfinity, double.PositiveInfinity], 0.5)));
    }

    [Fact]
    public void Bands_UnsortedWithNaNs_DropsNaNsAndMatchesReference()
    {
        // The sample above, shuffled, with three NaNs: bands = [-4.25, 0.6875, 3.5, 5.0, 9.0] (reference_statistics.py).
        double[] values = [3.5, double.NaN, -1.0, 2.0, 8.0, 0.25, double.NaN, 4.0, 4.0, 10.0, -7.5, 6.0, double.NaN, 1.125];

        var bands = Quantiles.Bands(values);

        Assert.Equal([-4.25, 0.6875, 3.5, 5.0, 9.0], bands);
        Assert.Equal(SortedSample, values[..11]);
        Assert.All(values[11..], value => Assert.True(double.IsNaN(value)));
    }

    [Fact]
    public void Bands_TwoValues_Interpolates()
    {
        // reference_statistics.py: [1, 2] → [1.05, 1.25, 1.5, 1.75, 1.95].
        var bands = Quantiles.Bands(new double[] { 2, 1 });

        double[] expected = [1.05, 1.25, 1.5, 1.75, 1.95];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], bands[i], 14);
        }
    }

    [Fact]
    public void Bands_NoNumbers_AllNaN()
    {
        Assert.All(Quantiles.Bands(new[] { double.NaN, double.NaN }), value => Assert.True(double.IsNaN(value)));
        Assert.All(Quantiles.Bands([]), value => Assert.True(double.IsNaN(value)));
    }

    // ------------------------------------------------------------------ fixtures

    /// <summary>The overfit matrix of reference_statistics.py: 80 bars × 8 trials.</summary>
    private static double[][] OverfitMatrix() => Matrix(
        bars: 80,
        scales: [0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.0, 0.02],
        driftsFirst: [0.004, 0.0003, 0.0006, 0.0016, 0.0012, 0.0015, 0.0, 0.0016],
        driftsSecond: [-0.004, 0.0003, 0.0006, 0.0016, 0.0012, 0.0015, 0.0, 0.0016],
        sources: [0, 1, 2, 3, 4, 5, 6, 3],
        seed: 20240607);

    /// <summary>The dominant matrix of reference_statistics.py: 60 bars × 6 trials, trial 2 far ahead.</summary>
    private static double[][] DominantMatrix() => Matrix(
        bars: 60,
        scales: [0.02, 0.02, 0.001, 0.02, 0.02, 0.02],
        driftsFirst: [0.0, 0.0005, 0.01, -0.0005, 0.001, 0.0],
        driftsSecond: [0.0, 0.0005, 0.01, -0.0005, 0.001, 0.0],
        sources: [0, 1, 2, 3, 4, 5],
        seed: 7);

    /// <summary>
    /// r[t][j] = (u[src[j]] − 0.5) · scale[j] + drift[j] (first drifts for t &lt; bars / 2), u from the LCG
    /// state = (1103515245 · state + 12345) mod 2^31, u = state / 2^31, one draw per trial per bar: bit for bit the
    /// Python generator.
    /// </summary>
    private static double[][] Matrix(int bars, double[] scales, double[] driftsFirst, double[] driftsSecond, int[] sources, long seed)
    {
        var n = scales.Length;
        var state = seed;
        var rows = new double[bars][];
        var u = new double[n];
        for (var t = 0; t < bars; t++)
        {
            for (var j = 0; j < n; j++)
            {
                state = ((1103515245 * state) + 12345) % 2147483648;
                u[j] = state / 2147483648.0;
            }

            var drift = 2 * t < bars ? driftsFirst : driftsSecond;
            rows[t] = new double[n];
            for (var j = 0; j < n; j++)
            {
                rows[t][j] = ((u[sources[j]] - 0.5) * scales[j]) + drift[j];
            }
        }

        return rows;
    }

    /// <summary>Block b covers bars ⌊b·T/S⌋ … ⌊(b+1)·T/S⌋ − 1, as in the Python script.</summary>
    private static BlockReturns[] ToBlocks(double[][] rows, int blocks)
    {
        var bars = rows.Length;
        var n = rows[0].Length;
        var trials = new BlockReturns[n];
        for (var j = 0; j < n; j++)
        {
            var sum = new double[blocks];
            var squares = new double[blocks];
            var count = new int[blocks];
            for (var b = 0; b < blocks; b++)
            {
                for (var t = b * bars / blocks; t < (b + 1) * bars / blocks; t++)
                {
                    var r = rows[t][j];
                    sum[b] += r;
                    squares[b] += r * r;
                    count[b]++;
                }
            }

            trials[j] = new BlockReturns(sum, squares, count);
        }

        return trials;
    }

    private static BlockReturns Block(double[] sum, double[] squares, int[] count) => new(sum, squares, count);

    private static void AssertRelative(double expected, double actual, double tolerance)
    {
        var error = expected == 0 ? Math.Abs(actual) : Math.Abs((actual - expected) / expected);
        Assert.True(error <= tolerance, $"expected {expected:R}, got {actual:R} (relative error {error:E2} > {tolerance:E0})");
    }
}
