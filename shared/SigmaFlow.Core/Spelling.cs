namespace SigmaFlow.Core;

/// <summary>"Did you mean" suggestions by edit distance.</summary>
internal static class Spelling
{
    /// <summary>The candidate closest to <paramref name="name"/> (case-insensitive), if it is close enough to be a likely typo.</summary>
    /// <param name="name">The word as written.</param>
    /// <param name="candidates">The known words.</param>
    /// <param name="maxDistance">Most edits allowed; by default max(2, length/3).</param>
    public static string? Suggest(string name, IEnumerable<string> candidates, int? maxDistance = null)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var lowered = name.ToLowerInvariant();
        foreach (var candidate in candidates)
        {
            var d = EditDistance(lowered, candidate.ToLowerInvariant());
            if (d < bestDistance || (d == bestDistance && string.CompareOrdinal(candidate, best) < 0))
            {
                bestDistance = d;
                best = candidate;
            }
        }

        return bestDistance <= (maxDistance ?? Math.Max(2, name.Length / 3)) ? best : null;
    }

    /// <summary>Suggestion text to append to a message: <c> Did you mean 'x'?</c> or nothing.</summary>
    public static string Hint(string name, IEnumerable<string> candidates)
    {
        var suggestion = Suggest(name, candidates);
        return suggestion is null ? string.Empty : $" Did you mean '{suggestion}'?";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
