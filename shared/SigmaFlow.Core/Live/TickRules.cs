using System.Globalization;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Live;

/// <summary>Why a tick was not used.</summary>
public enum TickRejection
{
    /// <summary>Accepted.</summary>
    None,

    /// <summary>The event is not a tick (not JSON, missing or mistyped fields).</summary>
    Malformed,

    /// <summary>Price not finite or not positive.</summary>
    BadPrice,

    /// <summary>Size not finite or negative.</summary>
    BadSize,

    /// <summary>Bid or ask not positive, or bid above ask.</summary>
    BadQuote,

    /// <summary>Price moved further from the last accepted price than the allowed band.</summary>
    Jump,

    /// <summary>Event time too far after the time it was received.</summary>
    Future,

    /// <summary>The tick belongs to a bar that is already final.</summary>
    Late,

    /// <summary>The same event was delivered before.</summary>
    Duplicate,
}

/// <summary>Validation rules for incoming ticks.</summary>
public sealed record TickRules
{
    /// <summary>Largest move from the last accepted price, as a fraction (0.2 = 20 %); larger moves are rejected as bad prints.</summary>
    public double MaxJump { get; init; } = 0.2;

    /// <summary>How far an event time may lie after the time it was received (clock skew).</summary>
    public TimeSpan MaxFuture { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long after a bar's end late ticks may still update it; the bar becomes final once event time passes its end by this much.</summary>
    public TimeSpan LateTolerance { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Checks the rules.</summary>
    /// <exception cref="ArgumentException">A rule is out of range; the message names it, the rule and the value.</exception>
    public void Validate()
    {
        if (!(MaxJump > 0 && MaxJump <= 10))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"MaxJump must be in (0, 10]; got {MaxJump}."), nameof(MaxJump));
        }

        if (MaxFuture < TimeSpan.Zero || MaxFuture > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"MaxFuture must be between 0 and 1 hour; got {MaxFuture}.", nameof(MaxFuture));
        }

        if (LateTolerance < TimeSpan.Zero || LateTolerance > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"LateTolerance must be between 0 and 10 minutes; got {LateTolerance}.", nameof(LateTolerance));
        }
    }

    /// <summary>Checks the fields of a tick that need no history.</summary>
    /// <param name="tick">The tick.</param>
    /// <param name="receivedAt">When it was received (Unix ms), for the future-time check.</param>
    /// <param name="lastPrice">The symbol's last accepted price, or NaN.</param>
    /// <param name="message">Why it was rejected: the field, the rule and the value.</param>
    /// <returns>The verdict.</returns>
    public TickRejection Check(in Tick tick, long receivedAt, double lastPrice, out string? message)
    {
        if (!double.IsFinite(tick.Price) || tick.Price <= 0)
        {
            message = string.Create(CultureInfo.InvariantCulture, $"price must be a positive number; got {tick.Price}");
            return TickRejection.BadPrice;
        }

        if (!double.IsFinite(tick.Size) || tick.Size < 0)
        {
            message = string.Create(CultureInfo.InvariantCulture, $"size must be a number ≥ 0; got {tick.Size}");
            return TickRejection.BadSize;
        }

        if (!double.IsNaN(tick.Bid) || !double.IsNaN(tick.Ask))
        {
            if (!(tick.Bid > 0) || !(tick.Ask > 0) || tick.Bid > tick.Ask || !double.IsFinite(tick.Bid) || !double.IsFinite(tick.Ask))
            {
                message = string.Create(CultureInfo.InvariantCulture, $"bid and ask must both be positive with bid ≤ ask; got bid {tick.Bid}, ask {tick.Ask}");
                return TickRejection.BadQuote;
            }
        }

        if (tick.Time > receivedAt + (long)MaxFuture.TotalMilliseconds)
        {
            message = string.Create(CultureInfo.InvariantCulture, $"time must not be more than {MaxFuture.TotalSeconds:0.###} s after it was received; it is {(tick.Time - receivedAt) / 1000.0:0.###} s after");
            return TickRejection.Future;
        }

        if (double.IsFinite(lastPrice) && Math.Abs((tick.Price / lastPrice) - 1) > MaxJump)
        {
            message = string.Create(CultureInfo.InvariantCulture, $"price moved {(tick.Price / lastPrice) - 1:P1} from the last accepted {lastPrice}; the band is ±{MaxJump:P0}");
            return TickRejection.Jump;
        }

        message = null;
        return TickRejection.None;
    }
}
