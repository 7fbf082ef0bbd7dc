using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Workspace;

/// <summary>Creates a table once per process, on first use; a failed or cancelled creation is tried again on the next call.</summary>
internal sealed class TableReady(TableClient table)
{
    private readonly Lock gate = new();
    private Task? ready;

    public TableClient Table => table;

    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        Task task;
        lock (gate)
        {
            if (ready is null || ready.IsFaulted || ready.IsCanceled)
            {
                ready = table.CreateIfNotExistsAsync(CancellationToken.None);
            }

            task = ready;
        }

        return task.WaitAsync(cancellationToken);
    }
}
