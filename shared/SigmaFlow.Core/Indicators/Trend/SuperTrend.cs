using System.Runtime.CompilerServices;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Kernel;
using SigmaFlow.Core.Indicators.MovingAverages;
using SigmaFlow.Core.Indicators.Volatility;

namespace SigmaFlow.Core.Indicators.Trend;

/// <summary>
/// SuperTrend: hl2 ± m·ATR(N) bands that only tighten (the upper band falls, the lower band rises) unless the previous
/// close broke through; the trend flips when the close crosses the active band. First value at index N. Only the
/// active band is set on each bar. Outputs: supertrend, upperband, lowerband.
/// </summary>
public struct SuperTrendKernel : IIndicatorKernel
{
    private readonly double multiplier;
    private AtrCore atr;
    private bool started;
    private bool bullish;
    private double upper;
    private double lower;
    private bool pBullish;
    private double pUpper;
    private double pLower;
    private bool pStarted;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">ATR length N, ≥ 1.</param>
    /// <param name="multiplier">ATR multiple, &gt; 0.</param>
    public SuperTrendKernel(int lookbackPeriods, double multiplier)
    {
        Guard.Positive(multiplier, nameof(multiplier));
        this.multiplier = multiplier;
        atr = new AtrCore(lookbackPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 3;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        var previousClose = atr.PreviousClose;
        atr.Peek(bar);
        pStarted = started;
        pBullish = bullish;
        pUpper = upper;
        pLower = lower;
        if (double.IsNaN(atr.Atr))
        {
            pStarted = false;
            return;
        }

        var mid = (bar.High + bar.Low) / 2;
        var upperEval = mid + (multiplier * atr.Atr);
        var lowerEval = mid - (multiplier * atr.Atr);
        if (!started)
        {
            pBullish = bar.Close >= mid;
            pUpper = upperEval;
            pLower = lowerEval;
        }

        if (upperEval < pUpper || previousClose > pUpper)
        {
            pUpper = upperEval;
        }

        if (lowerEval > pLower || previousClose < pLower)
        {
            pLower = lowerEval;
        }

        pBullish = !(bar.Close <= (pBullish ? pLower : pUpper));
        pStarted = true;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        atr.Commit();
        started = pStarted;
        bullish = pBullish;
        upper = pUpper;
        lower = pLower;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        if (!pStarted)
        {
            outputs[0] = outputs[1] = outputs[2] = double.NaN;
            return;
        }

        outputs[0] = pBullish ? pLower : pUpper;
        outputs[1] = pBullish ? double.NaN : pUpper;
        outputs[2] = pBullish ? pLower : double.NaN;
    }
}

/// <summary>
/// Ichimoku cloud. tenkan and kijun are (highest high + lowest low)/2 over their windows (current bar included);
/// senkoua at bar i = (tenkan + kijun)/2 of bar i − kijun, senkoub at bar i = the senkouB-bar midpoint of bar i − kijun,
/// chikou at bar i = close of bar i + kijun (a look-ahead field: empty for the last kijun bars and in streaming).
/// Outputs: tenkan, kijun, senkoua, senkoub, chikou.
/// </summary>
public struct IchimokuKernel : IIndicatorKernel
{
    private readonly int offset;
    private SlidingExtreme tenkanHigh;
    private SlidingExtreme tenkanLow;
    private SlidingExtreme kijunHigh;
    private SlidingExtreme kijunLow;
    private SlidingExtreme spanHigh;
    private SlidingExtreme spanLow;
    private Ring spanAHistory;
    private Ring spanBHistory;
    private double tenkan;
    private double kijun;
    private double spanBNow;
    private double senkouA;
    private double senkouB;

    /// <summary>Creates the kernel.</summary>
    /// <param name="tenkanPeriods">Conversion line window.</param>
    /// <param name="kijunPeriods">Base line window; also the cloud and lagging-span offset.</param>
    /// <param name="senkouBPeriods">Leading span B window.</param>
    public IchimokuKernel(int tenkanPeriods, int kijunPeriods, int senkouBPeriods)
    {
        Guard.AtLeast(tenkanPeriods, 1, nameof(tenkanPeriods));
        Guard.AtLeast(kijunPeriods, 1, nameof(kijunPeriods));
        Guard.AtLeast(senkouBPeriods, 1, nameof(senkouBPeriods));
        offset = kijunPeriods;
        tenkanHigh = new SlidingExtreme(tenkanPeriods, true);
        tenkanLow = new SlidingExtreme(tenkanPeriods, false);
        kijunHigh = new SlidingExtreme(kijunPeriods, true);
        kijunLow = new SlidingExtreme(kijunPeriods, false);
        spanHigh = new SlidingExtreme(senkouBPeriods, true);
        spanLow = new SlidingExtreme(senkouBPeriods, false);
        spanAHistory = new Ring(kijunPeriods);
        spanBHistory = new Ring(kijunPeriods);
    }

    /// <inheritdoc />
    public readonly int OutputCount => 5;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        var th = tenkanHigh.Peek(bar.High);
        var tl = tenkanLow.Peek(bar.Low);
        tenkan = tenkanHigh.IsReady ? (th + tl) / 2 : double.NaN;
        var kh = kijunHigh.Peek(bar.High);
        var kl = kijunLow.Peek(bar.Low);
        kijun = kijunHigh.IsReady ? (kh + kl) / 2 : double.NaN;
        var sh = spanHigh.Peek(bar.High);
        var sl = spanLow.Peek(bar.Low);
        spanBNow = spanHigh.IsReady ? (sh + sl) / 2 : double.NaN;
        senkouA = spanAHistory.IsFull ? spanAHistory.Ago(offset - 1) : double.NaN;
        senkouB = spanBHistory.IsFull ? spanBHistory.Ago(offset - 1) : double.NaN;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        tenkanHigh.Commit();
        tenkanLow.Commit();
        kijunHigh.Commit();
        kijunLow.Commit();
        spanHigh.Commit();
        spanLow.Commit();
        spanAHistory.Push((tenkan + kijun) / 2);
        spanBHistory.Push(spanBNow);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = tenkan;
        outputs[1] = kijun;
        outputs[2] = senkouA;
        outputs[3] = senkouB;
        outputs[4] = double.NaN;
    }

    /// <summary>Fills the look-ahead chikou column (close of bar i + offset) after a batch run.</summary>
    /// <param name="close">Close prices.</param>
    /// <param name="chikou">The chikou column.</param>
    /// <param name="kijunPeriods">The offset.</param>
    public static void FillChikou(ReadOnlySpan<double> close, Span<double> chikou, int kijunPeriods)
    {
        for (var i = 0; i < chikou.Length; i++)
        {
            chikou[i] = i + kijunPeriods < close.Length ? close[i + kijunPeriods] : double.NaN;
        }
    }
}

/// <summary>Elder-ray index: EMA(close, N); bull power = high − EMA; bear power = low − EMA. Outputs: ema, bullpower, bearpower.</summary>
public struct ElderRayKernel : IIndicatorKernel
{
    private EmaKernel ema;
    private double high;
    private double low;

    /// <summary>Creates the kernel.</summary>
    /// <param name="lookbackPeriods">EMA length.</param>
    public ElderRayKernel(int lookbackPeriods) => ema = new EmaKernel(lookbackPeriods);

    /// <inheritdoc />
    public readonly int OutputCount => 3;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar)
    {
        ema.Peek(bar.Close);
        high = bar.High;
        low = bar.Low;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit() => ema.Commit();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Read(Span<double> outputs)
    {
        outputs[0] = ema.Value;
        outputs[1] = high - ema.Value;
        outputs[2] = low - ema.Value;
    }
}
