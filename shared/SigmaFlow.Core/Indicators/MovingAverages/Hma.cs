using System.Runtime.CompilerServices;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Kernel;

namespace SigmaFlow.Core.Indicators.MovingAverages;

/// <summary>
/// Hull moving average: WMA over ⌊√N⌋ of (2·WMA(⌊N/2⌋) − WMA(N)). First value at (N − 1) + ⌊√N⌋ − 1.
/// </summary>
public struct HmaKernel : IValueKernel
{
    private WmaKernel full;
    private WmaKernel half;
    private WmaKernel outer;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">Length N, ≥ 2.</param>
    public HmaKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 2, nameof(lookbackPeriods));
        full = new WmaKernel(lookbackPeriods);
        half = new WmaKernel(lookbackPeriods / 2);
        outer = new WmaKernel((int)Math.Sqrt(lookbackPeriods));
    }

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        full.Peek(value);
        half.Peek(value);
        outer.Peek((2 * half.Value) - full.Value);
        Value = outer.Value;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        full.Commit();
        half.Commit();
        outer.Commit();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = Value;
}

/// <summary>
/// Kaufman's adaptive moving average. Seeded with the raw value at index ER − 1; after that the efficiency ratio
/// ER = |x − x[ER]| / Σ|Δx| over ER changes sets the smoothing constant sc = (ER·(fast − slow) + slow)², with
/// fast = 2/(fastPeriods + 1) and slow = 2/(slowPeriods + 1). A flat window resets the average to the price.
/// </summary>
public struct KamaKernel : IValueKernel
{
    private readonly int erPeriods;
    private readonly double fastConstant;
    private readonly double slowConstant;
    private Ring history;
    private WindowSum volatility;
    private int count;
    private double kama;
    private double pending;
    private bool valid;

    /// <summary>Creates the kernel.</summary>
    /// <param name="erPeriods">Efficiency-ratio length, ≥ 1.</param>
    /// <param name="fastPeriods">Fast EMA length, ≥ 1.</param>
    /// <param name="slowPeriods">Slow EMA length, greater than the fast one.</param>
    public KamaKernel(int erPeriods, int fastPeriods, int slowPeriods)
    {
        Guard.AtLeast(erPeriods, 1, nameof(erPeriods));
        Guard.AtLeast(fastPeriods, 1, nameof(fastPeriods));
        Guard.Less(fastPeriods, slowPeriods, nameof(fastPeriods), nameof(slowPeriods));
        this.erPeriods = erPeriods;
        fastConstant = 2.0 / (fastPeriods + 1);
        slowConstant = 2.0 / (slowPeriods + 1);
        history = new Ring(erPeriods);
        volatility = new WindowSum(erPeriods);
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
        pending = value;
        Value = double.NaN;
        if (!valid)
        {
            return;
        }

        if (count > 0)
        {
            var noise = volatility.Peek(Math.Abs(value - history.Ago(0)));
            if (count >= erPeriods)
            {
                var change = Math.Abs(value - history.Ago(erPeriods - 1));
                if (noise != 0)
                {
                    var er = change / noise;
                    var sc = (er * (fastConstant - slowConstant)) + slowConstant;
                    sc *= sc;
                    Value = kama + (sc * (value - kama));
                }
                else
                {
                    Value = value;
                }

                return;
            }
        }

        if (count == erPeriods - 1)
        {
            Value = value;
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (!valid)
        {
            return;
        }

        if (count > 0)
        {
            volatility.Commit();
        }

        history.Push(pending);
        if (count < erPeriods)
        {
            count++;
        }

        kama = Value;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = Value;
}

/// <summary>Volume-weighted moving average: Σ(close·volume)/Σvolume over N bars; NaN when the volume sums to 0.</summary>
public struct VwmaKernel : IIndicatorKernel
{
    private WindowSum priceVolume;
    private WindowSum volume;
    private double value;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">Length N, ≥ 1.</param>
    public VwmaKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        priceVolume = new WindowSum(lookbackPeriods);
        volume = new WindowSum(lookbackPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        var pv = priceVolume.Peek(bar.Close * bar.Volume);
        var v = volume.Peek(bar.Volume);
        value = volume.IsReady && v != 0 ? pv / v : double.NaN;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        priceVolume.Commit();
        volume.Commit();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = value;
}
