using System.Runtime.CompilerServices;

namespace SigmaFlow.Core.Indicators.Kernel;

/// <summary>
/// Sum of the last <c>length</c> values where the newest is the pending (peeked) one. Keeps the committed tail of
/// length − 1 values and its running sum; the sum is recomputed exactly from the tail each time the tail's ring
/// wraps, so rounding drift is bounded by one lap and the summation order then matches a direct oldest-to-newest sum.
/// </summary>
internal struct WindowSum
{
    private Ring tail;
    private double tailSum;
    private double pending;

    public WindowSum(int length)
    {
        Length = length;
        tail = new Ring(length - 1);
    }

    public readonly int Length { get; }

    /// <summary>True when a peek completes a full window.</summary>
    public readonly bool IsReady => tail.Count == Length - 1;

    /// <summary>The committed value <paramref name="ago"/> commits back (0 = last committed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Ago(int ago) => tail.Ago(ago);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Peek(double value)
    {
        pending = value;
        return tailSum + value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (Length == 1)
        {
            return;
        }

        if (tail.IsFull)
        {
            tailSum -= tail.Oldest;
        }

        tail.Push(pending);
        if (tail.Wrapped)
        {
            // Just wrapped: the oldest value is in slot 0, so index order is oldest-first order.
            tailSum = Ring.Sum(tail.Buffer);
        }
        else
        {
            tailSum += pending;
        }
    }
}

/// <summary>
/// Mean and population variance of the last <c>length</c> values where the newest is the pending one. Uses sums of
/// values shifted by a recent mean (the shifted-data algorithm), re-centred and recomputed exactly once per lap, so
/// it stays accurate for series far from zero with a small spread.
/// </summary>
internal struct WindowMoments
{
    private Ring tail;
    private double shift;
    private double tailSum;
    private double tailSquares;
    private double pending;
    private bool hasShift;

    public WindowMoments(int length)
    {
        Length = length;
        tail = new Ring(length - 1);
    }

    public readonly int Length { get; }

    public readonly bool IsReady => tail.Count == Length - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Peek(double value, out double mean, out double variance)
    {
        pending = value;
        var center = hasShift ? shift : value;
        var d = value - center;
        var s = tailSum + d;
        var q = tailSquares + (d * d);
        mean = center + (s / Length);
        variance = (q - (s * s / Length)) / Length;
        if (variance < 0)
        {
            variance = 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        if (!hasShift)
        {
            shift = pending;
            hasShift = true;
        }

        if (Length == 1)
        {
            return;
        }

        if (tail.IsFull)
        {
            var o = tail.Oldest - shift;
            tailSum -= o;
            tailSquares -= o * o;
        }

        tail.Push(pending);
        if (tail.Wrapped)
        {
            // Just wrapped: slot 0 is the oldest, so index order is oldest-first order.
            (shift, tailSum, tailSquares) = Recenter(tail.Buffer);
        }
        else
        {
            var d = pending - shift;
            tailSum += d;
            tailSquares += d * d;
        }
    }

    /// <summary>New centre (the mean) and the exact shifted sums; static so the kernel's state is never exposed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (double Shift, double Sum, double Squares) Recenter(double[] values)
    {
        var shift = Ring.Sum(values) / values.Length;
        double s = 0, q = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var d = values[i] - shift;
            s += d;
            q += d * d;
        }

        return (shift, s, q);
    }
}

/// <summary>
/// Highest (or lowest) of the last <c>length</c> values where the newest is the pending one, with how many bars ago
/// it occurred. A monotonic deque over the committed tail makes every step amortised O(1).
/// </summary>
internal struct WindowExtreme
{
    private readonly double[] values;
    private readonly long[] sequence;
    private readonly bool isMax;
    private readonly bool latestWinsTies;
    private int front;
    private int count;
    private long next;
    private double pending;

    /// <param name="length">Window length including the pending value.</param>
    /// <param name="isMax">Highest when true, lowest when false.</param>
    /// <param name="latestWinsTies">On equal values, report the most recent one (otherwise the earliest).</param>
    public WindowExtreme(int length, bool isMax, bool latestWinsTies = true)
    {
        Length = length;
        this.isMax = isMax;
        this.latestWinsTies = latestWinsTies;
        values = new double[Math.Max(length, 1)];
        sequence = new long[Math.Max(length, 1)];
    }

    public readonly int Length { get; }

    public readonly bool IsReady => next >= Length - 1;

    /// <summary>Bars since the extreme found by the last peek (0 = the pending bar).</summary>
    public int PendingAgo { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Peek(double value)
    {
        pending = value;
        if (count == 0)
        {
            PendingAgo = 0;
            return value;
        }

        var f = values[front];
        bool pendingWins = isMax
            ? (latestWinsTies ? value >= f : value > f)
            : (latestWinsTies ? value <= f : value < f);
        if (pendingWins)
        {
            PendingAgo = 0;
            return value;
        }

        PendingAgo = (int)(next - sequence[front]);
        return f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit()
    {
        var capacity = values.Length;
        var x = pending;

        // Drop dominated values from the back.
        while (count > 0)
        {
            var back = front + count - 1;
            if (back >= capacity)
            {
                back -= capacity;
            }

            var b = values[back];
            bool dominated = isMax
                ? (latestWinsTies ? b <= x : b < x)
                : (latestWinsTies ? b >= x : b > x);
            if (!dominated)
            {
                break;
            }

            count--;
        }

        var slot = front + count;
        if (slot >= capacity)
        {
            slot -= capacity;
        }

        values[slot] = x;
        sequence[slot] = next;
        count++;
        next++;

        // Keep only the last length − 1 committed values.
        var oldestAllowed = next - (Length - 1);
        while (count > 0 && sequence[front] < oldestAllowed)
        {
            if (++front == capacity)
            {
                front = 0;
            }

            count--;
        }
    }
}
