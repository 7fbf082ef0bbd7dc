namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>How a write combines with the entity already stored under the same keys.</summary>
public enum TableUpdateMode
{
    /// <summary>The stored entity is replaced: properties absent from the new one are removed (<c>PUT</c>).</summary>
    Replace,

    /// <summary>The new properties are written over the stored ones; the others are kept (<c>MERGE</c>).</summary>
    Merge,
}
