namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>A <c>host.json</c> or <c>function.json</c> the local runtime cannot run; the message names the file, the field and the rule.</summary>
public sealed class FunctionDefinitionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FunctionDefinitionException()
        : this("invalid function app definition.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public FunctionDefinitionException(string message)
        : base(message)
    {
        FilePath = string.Empty;
        Field = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public FunctionDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
        FilePath = string.Empty;
        Field = string.Empty;
    }

    /// <summary>Creates the exception for one field of one file.</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="field">The JSON path of the field (e.g. <c>bindings[0].type</c>).</param>
    /// <param name="problem">What is wrong and what would be right.</param>
    public FunctionDefinitionException(string filePath, string field, string problem)
        : base($"{filePath}: {field}: {problem}")
    {
        FilePath = filePath;
        Field = field;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>The field at fault (a JSON path such as <c>bindings[0].schedule</c>).</summary>
    public string Field { get; }
}
