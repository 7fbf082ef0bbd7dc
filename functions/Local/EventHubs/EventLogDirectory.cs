using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SigmaFlow.Functions.Local.EventHubs;

/// <summary>
/// The folder of a durable log: <c>log.json</c> (format, the log's epoch and every hub's partition count), a
/// <c>.lock</c> file held while a log uses the folder, and one folder per hub and partition
/// (<c>{hub}/{partition}/</c>, hub names in lower case) with that partition's segment files (<see cref="PartitionFiles"/>).
/// </summary>
internal sealed class EventLogDirectory : IDisposable
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestName = "log.json";

    private const int Format = 1;
    private readonly FileStream lockFile;

    private EventLogDirectory(string path, string epoch, bool created, FileStream lockFile)
    {
        FullPath = path;
        Epoch = epoch;
        Created = created;
        this.lockFile = lockFile;
    }

    /// <summary>The folder's full path.</summary>
    public string FullPath { get; }

    /// <summary>The log's epoch: made when the folder was first used, the same on every reload.</summary>
    public string Epoch { get; }

    /// <summary>Whether the folder held no log before.</summary>
    public bool Created { get; }

    /// <summary>
    /// Opens (or starts) the log in a folder: takes the folder's lock, reads the manifest, checks that every hub kept
    /// there has the same partition count as now (a key's partition would change otherwise), and records new hubs.
    /// </summary>
    /// <param name="path">The folder (created when missing).</param>
    /// <param name="hubs">The hubs and partition counts configured now.</param>
    /// <returns>The open folder (dispose to release the lock).</returns>
    /// <exception cref="IOException">The folder is in use by another log, or cannot be read or written.</exception>
    /// <exception cref="InvalidDataException">The manifest is not the log's, or a hub's partition count changed.</exception>
    public static EventLogDirectory Open(string path, IReadOnlyDictionary<string, int> hubs)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(full);
        FileStream lockFile;
        try
        {
            // FileShare.None takes an exclusive advisory lock on Linux and macOS as well, so a second serve with the same
            // folder fails here instead of interleaving writes.
            lockFile = new FileStream(Path.Combine(full, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"the event log in {full} is in use by another process (another sigmaflow serve with the same --data-dir?): {e.Message}", e);
        }

        try
        {
            var manifestPath = Path.Combine(full, ManifestName);
            JsonObject manifest;
            var created = !File.Exists(manifestPath);
            if (created)
            {
                manifest = new JsonObject { ["format"] = Format, ["epoch"] = Guid.NewGuid().ToString("N"), ["hubs"] = new JsonObject() };
            }
            else
            {
                manifest = ReadManifest(manifestPath);
            }

            var stored = manifest["hubs"]!.AsObject();
            var changed = created;
            foreach (var (hub, partitions) in hubs.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
            {
                var key = hub.ToLowerInvariant();
                if (stored[key] is { } kept)
                {
                    var count = kept.GetValue<int>();
                    if (count != partitions)
                    {
                        throw new InvalidDataException(string.Create(
                            CultureInfo.InvariantCulture,
                            $"{manifestPath}: event hub '{hub}' is kept there with {count} partitions but is configured with {partitions} now; a partition key would land on another partition. Use {count} partitions (serve --partitions {count}), or move the folder away to start a new log."));
                    }
                }
                else
                {
                    stored[key] = partitions;
                    changed = true;
                }
            }

            if (changed)
            {
                // Written beside and renamed over, so a crash leaves the old manifest or the new one, never half of one.
                var temporary = manifestPath + ".tmp";
                File.WriteAllText(temporary, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                File.Move(temporary, manifestPath, overwrite: true);
            }

            return new EventLogDirectory(full, manifest["epoch"]!.GetValue<string>(), created, lockFile);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>The folder of one partition.</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="partitionId">The partition.</param>
    /// <returns>Its full path.</returns>
    public string PartitionFolder(string hub, int partitionId) => Path.Combine(FullPath, hub.ToLowerInvariant(), partitionId.ToString(CultureInfo.InvariantCulture));

    /// <inheritdoc />
    public void Dispose() => lockFile.Dispose();

    private static JsonObject ReadManifest(string path)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not JSON ({e.Message}); move the folder away to start a new log.", e);
        }

        if (node is not JsonObject manifest
            || manifest["format"] is not JsonValue format || !format.TryGetValue<int>(out var version) || version != Format
            || manifest["epoch"] is not JsonValue epoch || !epoch.TryGetValue<string>(out var id) || id.Length == 0
            || manifest["hubs"] is not JsonObject hubs
            || hubs.Any(h => h.Value is not JsonValue v || !v.TryGetValue<int>(out var n) || n < 1))
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{path}: not a manifest of this log (expected {{\"format\":{Format},\"epoch\":\"…\",\"hubs\":{{\"ticks\":4}}}}); move the folder away to start a new log."));
        }

        return manifest;
    }
}
