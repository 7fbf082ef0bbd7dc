using System.Numerics;

namespace SigmaFlow.Core.Data;

/// <summary>
/// xoshiro256** 1.0 (Blackman and Vigna), seeded through SplitMix64, with uniform and standard normal draws built
/// from integer operations, IEEE-exact arithmetic and <see cref="DeterministicMath"/>. The same seed gives the same
/// sequence on every run, runtime and platform; nothing depends on <see cref="Random"/>.
/// </summary>
internal sealed class Xoshiro256StarStar
{
    private const double UnitScale = 1.0 / (1UL << 53);

    private ulong s0;
    private ulong s1;
    private ulong s2;
    private ulong s3;
    private double spareNormal;
    private bool hasSpareNormal;

    /// <summary>Seeds the four state words with consecutive SplitMix64 outputs of <paramref name="seed"/>.</summary>
    /// <param name="seed">Any value, zero included.</param>
    public Xoshiro256StarStar(ulong seed)
    {
        var state = seed;
        s0 = SplitMix64(ref state);
        s1 = SplitMix64(ref state);
        s2 = SplitMix64(ref state);
        s3 = SplitMix64(ref state);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        unchecked
        {
            var result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
            var t = s1 << 17;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = BitOperations.RotateLeft(s3, 45);
            return result;
        }
    }

    /// <summary>
    /// A uniform integer in 0 … <paramref name="bound"/> − 1 without modulo bias (Lemire's multiply-shift with
    /// rejection: one multiplication, a division only in the rare rejection zone).
    /// </summary>
    /// <param name="bound">Exclusive upper bound, ≥ 1.</param>
    /// <returns>The integer.</returns>
    public ulong NextBelow(ulong bound)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bound);
        var high = Math.BigMul(NextUInt64(), bound, out var low);
        if (low < bound)
        {
            var threshold = (0UL - bound) % bound;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), bound, out low);
            }
        }

        return high;
    }

    /// <summary>A uniform draw in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * UnitScale;

    /// <summary>A standard normal draw (Marsaglia's polar method; the second value of each pair is kept for the next call).</summary>
    public double NextNormal()
    {
        if (hasSpareNormal)
        {
            hasSpareNormal = false;
            return spareNormal;
        }

        double u, v, s;
        do
        {
            u = (2.0 * NextDouble()) - 1.0;
            v = (2.0 * NextDouble()) - 1.0;
            s = (u * u) + (v * v);
        }
        while (s >= 1.0 || s == 0.0);

        var factor = Math.Sqrt(-2.0 * DeterministicMath.Log(s) / s);
        spareNormal = v * factor;
        hasSpareNormal = true;
        return u * factor;
    }

    /// <summary>SplitMix64 (Steele, Lea and Flood): advances <paramref name="state"/> and returns a mixed value.</summary>
    internal static ulong SplitMix64(ref ulong state)
    {
        unchecked
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
