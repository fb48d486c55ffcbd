namespace Kmesh.Xds;

/// <summary>
/// Part of a config file that was read but is not applied: an extension whose type Kmesh does
/// not know (kept with its type URL and no content), or a resource of a type Kmesh does not
/// read (skipped). The rest of the file applies. <see cref="ToString"/> reads
/// <c>file:line:column: field.path: message</c>, like <see cref="ConfigParseException"/>.
/// </summary>
/// <param name="File">The file, as the caller named it.</param>
/// <param name="Line">1-based line of the node the warning is about.</param>
/// <param name="Column">1-based column of that node.</param>
/// <param name="FieldPath">Where in the document, e.g. <c>listeners[0].filter_chains[0].filters[0].typed_config</c>; empty for the document itself.</param>
/// <param name="Message">What is not applied and why, for a person.</param>
public sealed record ConfigWarning(string File, int Line, int Column, string FieldPath, string Message)
{
    /// <summary>The warning as <c>file:line:column: field.path: message</c>.</summary>
    public override string ToString() =>
        FieldPath.Length == 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: {FieldPath}: {Message}";
}
