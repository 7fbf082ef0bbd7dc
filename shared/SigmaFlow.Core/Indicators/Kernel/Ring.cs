using System.Runtime.CompilerServices;

namespace SigmaFlow.Core.Indicators.Kernel;

/// <summary>Fixed-capacity history of the most recent committed values; pushing into a full ring drops the oldest.</summary>
internal struct Ring
{
    private readonly double[] buffer;
    private int head;

    public Ring(int capacity)
    {
        buffer = new double[Math.Max(capacity, 1)];
        Capacity = capacity;
    }

    public readonly int Capacity { get; }

    /// <summary>The storage; slot 0 holds the oldest value right after a wrap.</summary>
    public readonly double[] Buffer => buffer;

    public int Count { get; private set; }

    public readonly bool IsFull => Count == Capacity;

    /// <summary>True right after a push that wrapped the write position to slot 0 (a whole lap completed).</summary>
    public readonly bool Wrapped => head == 0 && Count == Capacity;

    /// <summary>The oldest value held.</summary>
    public readonly double Oldest
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Count < Capacity ? buffer[0] : buffer[head];
    }

    /// <summary>The value pushed <paramref name="ago"/> pushes before the newest (0 = newest).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Ago(int ago)
    {
        var index = head - 1 - ago;
        if (index < 0)
        {
            index += Capacity;
        }

        return buffer[index];
    }

    /// <summary>The i-th oldest value held (0 = oldest).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double FromOldest(int i) => Ago(Count - 1 - i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(double value)
    {
        if (Capacity == 0)
        {
            return;
        }

        buffer[head] = value;
        if (++head == Capacity)
        {
            head = 0;
        }

        if (Count < Capacity)
        {
            Count++;
        }
    }

    /// <summary>Sum of a buffer in index order. Static, so the rare recompute never exposes a kernel's state.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double Sum(double[] values)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[i];
        }

        return sum;
    }
}
