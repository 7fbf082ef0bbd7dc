using System.Runtime.CompilerServices;
using SigmaFlow.Core.Indicators.Kernel;

namespace SigmaFlow.Core.Indicators.MovingAverages;

/// <summary>Simple moving average: the plain mean of the last <c>lookbackPeriods</c> values. First value at index N − 1.</summary>
public struct SmaKernel : IValueKernel
{
    private WindowSum window;
    private bool valid;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">Window length, ≥ 1.</param>
    public SmaKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        window = new WindowSum(lookbackPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        valid = !double.IsNaN(value);
        if (!valid)
        {
            Value = double.NaN;
            return;
        }

        var sum = window.Peek(value);
        // A true division: the plain mean users compare with other tools (no reciprocal rounding).
        Value = window.IsReady ? sum / window.Length : double.NaN;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (valid)
        {
            window.Commit();
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = Value;
}
