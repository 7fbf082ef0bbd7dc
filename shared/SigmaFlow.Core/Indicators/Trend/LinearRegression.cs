using System.Runtime.CompilerServices;
using SigmaFlow.Core.Indicators.Kernel;

namespace SigmaFlow.Core.Indicators.Trend;

/// <summary>
/// Least-squares line through the last N values against bar position. slope is the change per bar; intercept is the
/// line's value at the current bar (the linear-regression curve, also called LSMA); r2 is the coefficient of
/// determination (NaN when the values are all equal). Sums slide in O(1) on values shifted by a recent mean and are
/// recomputed exactly once per lap. Outputs: slope, intercept, r2.
/// </summary>
public struct LinearRegressionKernel : IValueKernel
{
    private readonly int length;
    private readonly double sumX;
    private readonly double xDenominator;
    private Ring tail;
    private double shift;
    private bool hasShift;
    private double tailSum;
    private double tailWeighted;
    private double tailSquares;
    private double pending;
    private double intercept;
    private double r2;
    private bool valid;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">N, ≥ 2.</param>
    public LinearRegressionKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 2, nameof(lookbackPeriods));
        length = lookbackPeriods;
        double n = lookbackPeriods;
        sumX = n * (n - 1) / 2;
        var sumXX = (n - 1) * n * ((2 * n) - 1) / 6;
        xDenominator = (n * sumXX) - (sumX * sumX);
        tail = new Ring(lookbackPeriods - 1);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 3;

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        valid = !double.IsNaN(value);
        pending = value;
        Value = intercept = r2 = double.NaN;
        if (!valid || !tail.IsFull)
        {
            return;
        }

        var n = (double)length;
        var d = value - shift;
        var sy = tailSum + d;
        var sxy = tailWeighted + ((length - 1) * d);
        var syy = tailSquares + (d * d);
        var covariance = (n * sxy) - (sumX * sy);
        Value = covariance / xDenominator;
        intercept = shift + (sy / n) + (Value * ((length - 1) - (sumX / n)));
        var yDenominator = (n * syy) - (sy * sy);
        r2 = yDenominator > 0 ? Math.Min(1, covariance * covariance / (xDenominator * yDenominator)) : double.NaN;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (!valid)
        {
            return;
        }

        if (!hasShift)
        {
            shift = pending;
            hasShift = true;
        }

        if (tail.IsFull)
        {
            var oldest = tail.Oldest - shift;
            tailSum -= oldest;
            tailWeighted -= tailSum;
            tailSquares -= oldest * oldest;
        }

        var position = tail.IsFull ? tail.Count - 1 : tail.Count;
        tail.Push(pending);
        if (tail.Wrapped)
        {
            // Just wrapped: slot 0 is the oldest, so index order is position order.
            (shift, tailSum, tailWeighted, tailSquares) = Recenter(tail.Buffer);
            return;
        }

        var d = pending - shift;
        tailSum += d;
        tailWeighted += position * d;
        tailSquares += d * d;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = Value;
        outputs[1] = intercept;
        outputs[2] = r2;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (double Shift, double Sum, double Weighted, double Squares) Recenter(double[] values)
    {
        var shift = Ring.Sum(values) / values.Length;
        double s = 0, w = 0, q = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var d = values[i] - shift;
            s += d;
            w += i * d;
            q += d * d;
        }

        return (shift, s, w, q);
    }
}
