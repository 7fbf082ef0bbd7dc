using System.Runtime.CompilerServices;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Kernel;
using SigmaFlow.Core.Indicators.MovingAverages;

namespace SigmaFlow.Core.Indicators.Oscillators;

/// <summary>Moving-average type used to smooth stochastic lines.</summary>
public enum StochMaType
{
    /// <summary>Simple moving average (default).</summary>
    Sma = 0,

    /// <summary>Smoothed (Wilder) moving average, seeded from the SMA of the first full window.</summary>
    Smma = 1,
}

/// <summary>Raw stochastic %K from a close and a window's highest high and lowest low, with exact 0/100 edges.</summary>
internal static class StochMath
{
    public static double RawK(double close, double highest, double lowest)
    {
        if (highest == lowest || close <= lowest)
        {
            return 0;
        }

        return close >= highest ? 100 : 100 * (close - lowest) / (highest - lowest);
    }
}

/// <summary>
/// One smoothing stage of the stochastic: SMA, or SMMA seeded as Stock.Indicators does (the seed is the SMA of the
/// first full window, and the seed bar's value is then blended in once more: (SMA·(S − 1) + x)/S).
/// </summary>
internal struct StochSmoother
{
    private readonly StochMaType type;
    private readonly int length;
    private SmaKernel sma;
    private WindowSum window;
    private double previous;
    private bool valid;

    public StochSmoother(int length, StochMaType type)
    {
        this.length = length;
        this.type = type;
        sma = new SmaKernel(length);
        window = new WindowSum(length);
        previous = double.NaN;
    }

    public double Value { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double x)
    {
        if (length <= 1)
        {
            Value = x;
            return;
        }

        if (type == StochMaType.Sma)
        {
            sma.Peek(x);
            Value = sma.Value;
            return;
        }

        valid = !double.IsNaN(x);
        if (!valid)
        {
            Value = double.NaN;
            return;
        }

        var sum = window.Peek(x);
        if (!window.IsReady)
        {
            Value = double.NaN;
            return;
        }

        var seed = double.IsNaN(previous) ? sum / length : previous;
        Value = ((seed * (length - 1)) + x) / length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (length <= 1)
        {
            return;
        }

        if (type == StochMaType.Sma)
        {
            sma.Commit();
            return;
        }

        if (!valid)
        {
            return;
        }

        window.Commit();
        if (!double.IsNaN(Value))
        {
            previous = Value;
        }
    }
}

/// <summary>
/// Stochastic oscillator. Raw %K over the last N bars (current included): 0 when the range is 0, exactly 100 at or
/// above the highest high and 0 at or below the lowest low. %K = MA(raw, smooth) (smooth = 1 gives the fast
/// stochastic), %D = MA(%K, signal), %J = kFactor·%K − dFactor·%D. Outputs: k, d, j.
/// </summary>
public struct StochKernel : IIndicatorKernel
{
    private readonly double kFactor;
    private readonly double dFactor;
    private SlidingExtreme highest;
    private SlidingExtreme lowest;
    private StochSmoother kLine;
    private StochSmoother dLine;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">Window N, ≥ 1.</param>
    /// <param name="signalPeriods">%D length, ≥ 1.</param>
    /// <param name="smoothPeriods">%K smoothing length, ≥ 1 (1 = fast stochastic).</param>
    /// <param name="kFactor">Weight of %K in %J.</param>
    /// <param name="dFactor">Weight of %D in %J.</param>
    /// <param name="maType">Smoothing type.</param>
    public StochKernel(int lookbackPeriods, int signalPeriods, int smoothPeriods, double kFactor = 3, double dFactor = 2, StochMaType maType = StochMaType.Sma)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        Guard.AtLeast(signalPeriods, 1, nameof(signalPeriods));
        Guard.AtLeast(smoothPeriods, 1, nameof(smoothPeriods));
        this.kFactor = kFactor;
        this.dFactor = dFactor;
        highest = new SlidingExtreme(lookbackPeriods, true);
        lowest = new SlidingExtreme(lookbackPeriods, false);
        kLine = new StochSmoother(smoothPeriods, maType);
        dLine = new StochSmoother(signalPeriods, maType);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 3;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        var hh = highest.Peek(bar.High);
        var ll = lowest.Peek(bar.Low);
        var raw = highest.IsReady ? StochMath.RawK(bar.Close, hh, ll) : double.NaN;
        kLine.Peek(raw);
        dLine.Peek(kLine.Value);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        highest.Commit();
        lowest.Commit();
        kLine.Commit();
        dLine.Commit();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = kLine.Value;
        outputs[1] = dLine.Value;
        outputs[2] = (kFactor * kLine.Value) - (dFactor * dLine.Value);
    }
}

/// <summary>Williams %R: the fast raw stochastic over N bars minus 100 (range −100 … 0).</summary>
public struct WilliamsRKernel : IIndicatorKernel
{
    private SlidingExtreme highest;
    private SlidingExtreme lowest;
    private double value;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">Window N, ≥ 1.</param>
    public WilliamsRKernel(int lookbackPeriods)
    {
        Guard.AtLeast(lookbackPeriods, 1, nameof(lookbackPeriods));
        highest = new SlidingExtreme(lookbackPeriods, true);
        lowest = new SlidingExtreme(lookbackPeriods, false);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 1;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        var hh = highest.Peek(bar.High);
        var ll = lowest.Peek(bar.Low);
        value = highest.IsReady ? StochMath.RawK(bar.Close, hh, ll) - 100 : double.NaN;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        highest.Commit();
        lowest.Commit();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs) => outputs[0] = value;
}

/// <summary>
/// Stochastic RSI: the stochastic of RSI values over N RSI values, smoothed by an SMA, with an SMA signal.
/// Outputs: stochrsi, signal.
/// </summary>
public struct StochRsiKernel : IValueKernel
{
    private RsiKernel rsi;
    private SlidingExtreme highest;
    private SlidingExtreme lowest;
    private SmaKernel smooth;
    private SmaKernel signal;
    private bool rsiValid;

    /// <summary>Creates the kernel.</summary>
    /// <param name="rsiPeriods">RSI length.</param>
    /// <param name="stochPeriods">Stochastic window over RSI values.</param>
    /// <param name="signalPeriods">Signal SMA length.</param>
    /// <param name="smoothPeriods">%K smoothing SMA length (1 = none).</param>
    public StochRsiKernel(int rsiPeriods, int stochPeriods, int signalPeriods, int smoothPeriods)
    {
        Guard.AtLeast(stochPeriods, 1, nameof(stochPeriods));
        rsi = new RsiKernel(rsiPeriods);
        highest = new SlidingExtreme(stochPeriods, true);
        lowest = new SlidingExtreme(stochPeriods, false);
        smooth = new SmaKernel(smoothPeriods);
        signal = new SmaKernel(signalPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 2;

    /// <inheritdoc />
    public double Value { get; private set; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value)
    {
        rsi.Peek(value);
        var r = rsi.Value;
        rsiValid = !double.IsNaN(r);
        var raw = double.NaN;
        if (rsiValid)
        {
            var hh = highest.Peek(r);
            var ll = lowest.Peek(r);
            raw = highest.IsReady ? StochMath.RawK(r, hh, ll) : double.NaN;
        }

        smooth.Peek(raw);
        signal.Peek(smooth.Value);
        Value = smooth.Value;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        rsi.Commit();
        if (rsiValid)
        {
            highest.Commit();
            lowest.Commit();
        }

        smooth.Commit();
        signal.Commit();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = Value;
        outputs[1] = signal.Value;
    }
}
