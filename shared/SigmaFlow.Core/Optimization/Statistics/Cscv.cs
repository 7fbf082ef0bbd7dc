using System.Globalization;

namespace SigmaFlow.Core.Optimization.Statistics;

/// <summary>
/// One trial's per-bar returns (the returns of its equity curve), cut into S contiguous blocks and summarised per block,
/// so the Probability of Backtest Overfitting can be computed without holding the full T × N return matrix.
/// </summary>
/// <param name="Sum">Per block: the sum of the returns in the block.</param>
/// <param name="SumOfSquares">Per block: the sum of the squared returns in the block.</param>
/// <param name="Count">Per block: the number of returns in the block (≥ 0).</param>
public sealed record BlockReturns(double[] Sum, double[] SumOfSquares, int[] Count);

/// <summary>The Probability of Backtest Overfitting estimated by combinatorially symmetric cross-validation.</summary>
/// <param name="Probability">
/// PBO: the share of splits in which the in-sample best trial ranks in the bottom half out of sample (logit ≤ 0);
/// NaN with fewer than 2 trials.
/// </param>
/// <param name="Trials">N: the number of trials.</param>
/// <param name="Blocks">S: the number of blocks per trial (0 when there are no trials).</param>
/// <param name="Splits">The number of splits evaluated, C(S, S/2); 0 with fewer than 2 trials.</param>
/// <param name="MedianLogit">The median of <paramref name="Logits"/>; NaN when there are none.</param>
/// <param name="Logits">
/// Per split, in lexicographic order of the in-sample block set: λ = ln(ω / (1 − ω)) of the out-of-sample relative rank
/// ω of the in-sample best trial.
/// </param>
public sealed record PboResult(double Probability, int Trials, int Blocks, int Splits, double MedianLogit, double[] Logits);

/// <summary>
/// Combinatorially symmetric cross-validation (Bailey, Borwein, López de Prado &amp; Zhu, 2014): the Probability of
/// Backtest Overfitting of a parameter sweep from per-block return statistics of every trial.
/// </summary>
/// <remarks>
/// For every choice of S/2 of the S blocks as in-sample (the rest out-of-sample), the trial n* with the best in-sample
/// per-period Sharpe ratio is found, its out-of-sample rank r among all N trials is turned into ω = r / (N + 1) and the
/// logit λ = ln(ω / (1 − ω)); PBO is the share of splits with λ ≤ 0. See <c>Optimization/Statistics/README.md</c> for
/// the rank and tie rules. Cost: O(C(S, S/2) · N · S / 2) additions and O(N · S) memory; the splits are evaluated in
/// complementary pairs, so each pair's block sums and Sharpe ratios are computed once.
/// </remarks>
public static class Cscv
{
    /// <summary>The largest number of blocks accepted (C(16, 8) = 12,870 splits).</summary>
    private const int MaximumBlocks = 16;

    /// <summary>
    /// A pooled centred sum of squares at or below this share of the sum of squares is rounding noise of
    /// Σr² − (Σr)²/n, and counts as zero variance.
    /// </summary>
    private const double VarianceNoise = 1e-12;

    /// <summary>Computes the Probability of Backtest Overfitting of a set of trials.</summary>
    /// <param name="trials">Per trial, its per-block return sums, sums of squares and counts.</param>
    /// <returns>PBO, the logit of every split and their median.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="trials"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A trial or one of its arrays is null, a trial's three arrays differ in length, the number of blocks is odd, below
    /// 2 or above 16, the trials differ in their number of blocks, a count is negative, or a sum or sum of squares is not
    /// finite (or a sum of squares is negative). The message names the field (for example <c>trials[3].Count</c>), the
    /// rule and the offending value; <see cref="ArgumentException.ParamName"/> is the field path.
    /// </exception>
    public static PboResult Compute(IReadOnlyList<BlockReturns> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var trialCount = trials.Count;
        var blocks = Validate(trials);
        if (trialCount < 2)
        {
            return new PboResult(double.NaN, trialCount, blocks, 0, double.NaN, []);
        }

        // Block-major layout: row b holds block b of every trial, so the in-sample accumulation runs over contiguous memory.
        var blockSum = new double[blocks * trialCount];
        var blockSquares = new double[blocks * trialCount];
        var blockCount = new long[blocks * trialCount];
        var totalSum = new double[trialCount];
        var totalSquares = new double[trialCount];
        var totalCount = new long[trialCount];
        for (var t = 0; t < trialCount; t++)
        {
            var trial = trials[t];
            for (var b = 0; b < blocks; b++)
            {
                var at = (b * trialCount) + t;
                blockSum[at] = trial.Sum[b];
                blockSquares[at] = trial.SumOfSquares[b];
                blockCount[at] = trial.Count[b];
                totalSum[t] += trial.Sum[b];
                totalSquares[t] += trial.SumOfSquares[b];
                totalCount[t] += trial.Count[b];
            }
        }

        var half = blocks / 2;
        var splits = (int)Binomial(blocks, half);
        var logits = new double[splits];
        var inSum = new double[trialCount];
        var inSquares = new double[trialCount];
        var inCount = new long[trialCount];
        var chosenSharpe = new double[trialCount];
        var complementSharpe = new double[trialCount];
        var chosen = new int[half];
        for (var i = 0; i < half; i++)
        {
            chosen[i] = i;
        }

        // In lexicographic order the complement of the k-th half-set is the (C − 1 − k)-th, and the first C/2 half-sets
        // are exactly those containing block 0: each pass evaluates split k and its mirror C − 1 − k.
        for (var k = 0; k < splits / 2; k++)
        {
            AccumulateInSample(chosen, trialCount, blockSum, blockSquares, blockCount, inSum, inSquares, inCount);

            var bestChosen = 0;
            var bestComplement = 0;
            var bestChosenSharpe = double.NaN;
            var bestComplementSharpe = double.NaN;
            for (var t = 0; t < trialCount; t++)
            {
                var a = Sharpe(inSum[t], inSquares[t], inCount[t]);
                var c = Sharpe(totalSum[t] - inSum[t], totalSquares[t] - inSquares[t], totalCount[t] - inCount[t]);
                chosenSharpe[t] = a;
                complementSharpe[t] = c;

                // Strictly better wins, so ties keep the lowest index; any number beats NaN.
                if (a > bestChosenSharpe || (double.IsNaN(bestChosenSharpe) && !double.IsNaN(a)))
                {
                    bestChosen = t;
                    bestChosenSharpe = a;
                }

                if (c > bestComplementSharpe || (double.IsNaN(bestComplementSharpe) && !double.IsNaN(c)))
                {
                    bestComplement = t;
                    bestComplementSharpe = c;
                }
            }

            logits[k] = Logit(complementSharpe, bestChosen);
            logits[splits - 1 - k] = Logit(chosenSharpe, bestComplement);
            NextCombination(chosen, blocks);
        }

        var overfit = 0;
        for (var k = 0; k < splits; k++)
        {
            if (logits[k] <= 0)
            {
                overfit++;
            }
        }

        var sorted = (double[])logits.Clone();
        Array.Sort(sorted);
        var median = (sorted[(splits / 2) - 1] + sorted[splits / 2]) / 2;
        return new PboResult((double)overfit / splits, trialCount, blocks, splits, median, logits);
    }

    /// <summary>Per-period Sharpe ratio of pooled returns: mean / sample standard deviation; NaN when n &lt; 2 or the variance is ≤ 0.</summary>
    private static double Sharpe(double sum, double squares, long count)
    {
        if (count < 2)
        {
            return double.NaN;
        }

        var mean = sum / count;
        var centred = squares - (sum * mean);
        if (!(centred > VarianceNoise * squares))
        {
            return double.NaN;
        }

        return mean / Math.Sqrt(centred / (count - 1));
    }

    /// <summary>Sums the chosen blocks' rows into the in-sample buffers (the first row is copied, the others added).</summary>
    private static void AccumulateInSample(
        int[] chosen,
        int trialCount,
        double[] blockSum,
        double[] blockSquares,
        long[] blockCount,
        double[] inSum,
        double[] inSquares,
        long[] inCount)
    {
        var start = chosen[0] * trialCount;
        blockSum.AsSpan(start, trialCount).CopyTo(inSum);
        blockSquares.AsSpan(start, trialCount).CopyTo(inSquares);
        blockCount.AsSpan(start, trialCount).CopyTo(inCount);
        for (var i = 1; i < chosen.Length; i++)
        {
            var row = chosen[i] * trialCount;
            var sum = blockSum.AsSpan(row, trialCount);
            var squares = blockSquares.AsSpan(row, trialCount);
            var count = blockCount.AsSpan(row, trialCount);
            for (var t = 0; t < sum.Length; t++)
            {
                inSum[t] += sum[t];
                inSquares[t] += squares[t];
                inCount[t] += count[t];
            }
        }
    }

    /// <summary>
    /// λ = ln(ω / (1 − ω)), ω = r / (N + 1), r = 1 + #(strictly lower) + ½ · #(equal) among the other trials, where NaN
    /// ranks below every number and equal to NaN.
    /// </summary>
    private static double Logit(double[] outOfSample, int selected)
    {
        var value = outOfSample[selected];
        var lower = 0;
        var equal = 0;
        if (double.IsNaN(value))
        {
            for (var t = 0; t < outOfSample.Length; t++)
            {
                equal += double.IsNaN(outOfSample[t]) ? 1 : 0;
            }
        }
        else
        {
            for (var t = 0; t < outOfSample.Length; t++)
            {
                var other = outOfSample[t];
                lower += other < value || double.IsNaN(other) ? 1 : 0;
                equal += other == value ? 1 : 0;
            }
        }

        // The loops counted the selected trial itself as equal.
        var rank = 1 + lower + (0.5 * (equal - 1));
        var omega = rank / (outOfSample.Length + 1);
        return Math.Log(omega / (1 - omega));
    }

    /// <summary>Advances a sorted k-subset of 0 … n − 1 to its lexicographic successor (no-op after the last).</summary>
    private static void NextCombination(int[] chosen, int n)
    {
        var k = chosen.Length;
        var i = k - 1;
        while (i >= 0 && chosen[i] == n - k + i)
        {
            i--;
        }

        if (i < 0)
        {
            return;
        }

        chosen[i]++;
        for (var j = i + 1; j < k; j++)
        {
            chosen[j] = chosen[j - 1] + 1;
        }
    }

    private static long Binomial(int n, int k)
    {
        long result = 1;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }

    /// <summary>Checks every trial and returns the common number of blocks (0 when there are no trials).</summary>
    private static int Validate(IReadOnlyList<BlockReturns> trials)
    {
        var blocks = 0;
        for (var t = 0; t < trials.Count; t++)
        {
            var trial = trials[t];
            var name = string.Create(CultureInfo.InvariantCulture, $"trials[{t}]");
            if (trial is null)
            {
                throw new ArgumentException($"{name} must not be null.", name);
            }

            RequireArray(trial.Sum, name + ".Sum");
            RequireArray(trial.SumOfSquares, name + ".SumOfSquares");
            RequireArray(trial.Count, name + ".Count");
            var length = trial.Sum.Length;
            if (t == 0)
            {
                if (length < 2 || length > MaximumBlocks || length % 2 != 0)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"{name}.Sum.Length (the number of blocks S) must be even and between 2 and {MaximumBlocks}; got {length}."),
                        name + ".Sum");
                }

                blocks = length;
            }
            else if (length != blocks)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"{name}.Sum.Length (the number of blocks S) must equal that of trials[0] ({blocks}); got {length}."),
                    name + ".Sum");
            }

            RequireLength(trial.SumOfSquares.Length, blocks, name + ".SumOfSquares");
            RequireLength(trial.Count.Length, blocks, name + ".Count");
            for (var b = 0; b < blocks; b++)
            {
                if (trial.Count[b] < 0)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"{name}.Count[{b}] must be at least 0; got {trial.Count[b]}."),
                        name + ".Count");
                }

                if (!double.IsFinite(trial.Sum[b]))
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"{name}.Sum[{b}] must be finite; got {trial.Sum[b]}."),
                        name + ".Sum");
                }

                if (!double.IsFinite(trial.SumOfSquares[b]) || trial.SumOfSquares[b] < 0)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"{name}.SumOfSquares[{b}] must be a finite number of at least 0; got {trial.SumOfSquares[b]}."),
                        name + ".SumOfSquares");
                }
            }
        }

        return blocks;
    }

    private static void RequireArray(Array? array, string name)
    {
        if (array is null)
        {
            throw new ArgumentException($"{name} must not be null.", name);
        }
    }

    private static void RequireLength(int length, int blocks, string name)
    {
        if (length != blocks)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{name}.Length must equal the number of blocks S ({blocks}); got {length}."),
                name);
        }
    }
}
