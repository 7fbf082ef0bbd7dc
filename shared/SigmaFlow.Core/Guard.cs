using System.Globalization;

namespace SigmaFlow.Core;

/// <summary>Argument guards whose messages name the parameter, the rule and the offending value.</summary>
internal static class Guard
{
    public static void AtLeast(int value, int minimum, string name)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be at least {minimum}; got {value}."));
        }
    }

    public static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number greater than 0; got {value}."));
        }
    }

    public static void NotNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number of at least 0; got {value}."));
        }
    }

    public static void Less(int value, int bound, string name, string boundName)
    {
        if (value >= bound)
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be less than {boundName} ({bound}); got {value}."));
        }
    }
}
