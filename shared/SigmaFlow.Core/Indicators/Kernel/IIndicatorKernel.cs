using System.Runtime.CompilerServices;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Indicators.Kernel;

/// <summary>
/// The O(1) update kernel of one indicator, shared by its batch and streaming forms.
/// <para>
/// The contract is two-phase. <see cref="Peek(in Ohlcv)"/> computes the outputs for a bar that is the newest bar on top of
/// the committed history, and does not change that history, so a still-forming bar can be peeked again and again as
/// ticks revise it. <see cref="Commit"/> folds the most recently peeked bar into the history. The batch form calls
/// Peek then Commit for every bar; the streaming form calls Peek on every revision and Commit when the next bar opens.
/// Both therefore run the same arithmetic in the same order, and their results are identical bit for bit.
/// </para>
/// Kernels are mutable structs: hold them in fields (never in readonly fields or locals that get copied).
/// Outputs are NaN while not yet calculable.
/// </summary>
public interface IIndicatorKernel
{
    /// <summary>Number of output fields.</summary>
    int OutputCount { get; }

    /// <summary>Computes the outputs for <paramref name="bar"/> as the newest bar, leaving the committed history unchanged.</summary>
    /// <param name="bar">The bar.</param>
    void Peek(in Ohlcv bar);

    /// <summary>Folds the most recently peeked bar into the committed history.</summary>
    void Commit();

    /// <summary>Writes the outputs of the most recent <see cref="Peek(in Ohlcv)"/>, in catalog field order.</summary>
    /// <param name="outputs">Destination, at least <see cref="OutputCount"/> long.</param>
    void Read(Span<double> outputs);
}

/// <summary>
/// A kernel over one value series (a price field or another indicator's output). Leading NaN inputs are skipped,
/// and warm-up counts valid inputs only, so indicators of indicators (<c>ema(rsi(14), 5)</c>) warm up as expected.
/// </summary>
public interface IValueKernel
{
    /// <summary>Number of output fields.</summary>
    int OutputCount { get; }

    /// <summary>The first output of the most recent peek.</summary>
    double Value { get; }

    /// <summary>Computes the outputs for <paramref name="value"/> as the newest input, leaving the history unchanged.</summary>
    /// <param name="value">The input; NaN is skipped (the outputs are NaN and Commit changes nothing).</param>
    void Peek(double value);

    /// <summary>Folds the most recently peeked value into the history.</summary>
    void Commit();

    /// <summary>Writes the outputs of the most recent peek.</summary>
    /// <param name="outputs">Destination.</param>
    void Read(Span<double> outputs);
}

/// <summary>Adapts a <see cref="IValueKernel"/> to bars by reading one price field.</summary>
/// <typeparam name="TKernel">The value kernel.</typeparam>
public struct SourceKernel<TKernel> : IIndicatorKernel
    where TKernel : struct, IValueKernel
{
    private TKernel inner;
    private readonly PriceField source;

    /// <summary>Creates the adapter.</summary>
    /// <param name="inner">The value kernel.</param>
    /// <param name="source">The price field it reads.</param>
    public SourceKernel(TKernel inner, PriceField source)
    {
        this.inner = inner;
        this.source = source;
    }

    /// <inheritdoc />
    public readonly int OutputCount => inner.OutputCount;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(in Ohlcv bar) => inner.Peek(bar.Get(source));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit() => inner.Commit();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Read(Span<double> outputs) => inner.Read(outputs);
}
