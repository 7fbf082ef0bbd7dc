namespace SigmaFlow.Core.Tests.Fixtures;

/// <summary>
/// Locates the reference data sets in <c>../shared/data</c> beside the repository root. They are not part of the
/// repository; tests that need them skip with a message when the folder is absent.
/// </summary>
internal static class SharedData
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The data folder, or null when it is not there.</summary>
    public static string? Folder => Root.Value;

    /// <summary>Full path of a file under the data folder, or skips the calling test when the folder is absent.</summary>
    /// <param name="relativePath">Path below the data folder, e.g. <c>quotes/default.csv</c>.</param>
    /// <returns>The full path.</returns>
    public static string RequireFile(string relativePath)
    {
        var folder = Folder;
        if (folder is null)
        {
            Assert.Skip("Reference data not found: ../shared/data beside the repository root is absent (it is not part of the repository).");
        }

        var path = Path.Combine(folder, relativePath);
        if (!File.Exists(path))
        {
            Assert.Skip($"Reference data file not found: {relativePath} under ../shared/data.");
        }

        return path;
    }

    private static string? FindRoot()
    {
        var overridden = Environment.GetEnvironmentVariable("SIGMAFLOW_SHARED_DATA");
        if (!string.IsNullOrEmpty(overridden))
        {
            return Directory.Exists(overridden) ? overridden : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
