namespace SigmaFlow.Platform.Strategies;

/// <summary>Suggests the closest known word for a misspelt key or value ("did you mean 'stop_loss'?").</summary>
internal static class KeySuggestion
{
    /// <summary>The candidate closest to <paramref name="found"/>, if it is close enough to be a likely typo.</summary>
    /// <param name="found">The word as written.</param>
    /// <param name="candidates">The words that are allowed.</param>
    /// <returns>The suggestion, or null when nothing is close.</returns>
    public static string? Closest(string found, IReadOnlyList<string> candidates)
    {
        // One edit for short words, two for longer ones: more would suggest unrelated words.
        var allowed = found.Length <= 3 ? 1 : 2;
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(found, candidate);
            if (distance <= allowed && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>
    /// Case-insensitive optimal string alignment distance: insertions, deletions, substitutions and transpositions of
    /// neighbours each cost 1.
    /// </summary>
    /// <param name="a">First word.</param>
    /// <param name="b">Second word.</param>
    /// <returns>The number of edits.</returns>
    public static int Distance(string a, string b)
    {
        var rows = a.Length + 1;
        var columns = b.Length + 1;
        var d = new int[rows * columns];
        for (var i = 0; i < rows; i++)
        {
            d[i * columns] = i;
        }

        for (var j = 0; j < columns; j++)
        {
            d[j] = j;
        }

        for (var i = 1; i < rows; i++)
        {
            for (var j = 1; j < columns; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                var value = Math.Min(Math.Min(d[((i - 1) * columns) + j] + 1, d[(i * columns) + j - 1] + 1), d[((i - 1) * columns) + j - 1] + cost);
                if (i > 1 && j > 1
                    && char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 2])
                    && char.ToLowerInvariant(a[i - 2]) == char.ToLowerInvariant(b[j - 1]))
                {
                    value = Math.Min(value, d[((i - 2) * columns) + j - 2] + 1);
                }

                d[(i * columns) + j] = value;
            }
        }

        return d[(rows * columns) - 1];
    }
}
