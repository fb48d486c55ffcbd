namespace Kmesh.Xds;

/// <summary>
/// A config file could not be read into Envoy resources. The message reads
/// <c>file:line:column: field.path: reason</c> so that editors and terminals can jump to it.
/// </summary>
public sealed class ConfigParseException : Exception
{
    /// <summary>Creates the exception for a position in a file.</summary>
    /// <param name="filePath">The file, as the caller named it.</param>
    /// <param name="line">1-based line of the offending YAML/JSON node.</param>
    /// <param name="column">1-based column of that node.</param>
    /// <param name="fieldPath">Where in the document, e.g. <c>listeners[0].name</c>; empty for the document itself.</param>
    /// <param name="reason">What is wrong, for a person.</param>
    /// <param name="inner">The underlying parser error, if any.</param>
    public ConfigParseException(string filePath, int line, int column, string fieldPath, string reason, Exception? inner = null)
        : base(Format(filePath, line, column, fieldPath, reason), inner)
    {
        FilePath = filePath;
        Line = line;
        Column = column;
        FieldPath = fieldPath;
        Reason = reason;
    }

    /// <summary>The file, as the caller named it.</summary>
    public string FilePath { get; }

    /// <summary>1-based line of the offending node.</summary>
    public int Line { get; }

    /// <summary>1-based column of the offending node.</summary>
    public int Column { get; }

    /// <summary>Field path of the offending node (field names as written in the file), or empty.</summary>
    public string FieldPath { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>
    /// True when the document is not Envoy configuration in any shape Kmesh reads (neither a
    /// bootstrap, a resources list, a config dump nor bare resources), as opposed to Envoy
    /// configuration with a mistake in it.
    /// </summary>
    public bool NotEnvoyConfig { get; init; }

    private static string Format(string file, int line, int column, string path, string reason) =>
        path.Length == 0 ? $"{file}:{line}:{column}: {reason}" : $"{file}:{line}:{column}: {path}: {reason}";
}
