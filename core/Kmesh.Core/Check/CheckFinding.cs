using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Check;

/// <summary>A finding about a resource: what is wrong with it or was left out, and where.</summary>
/// <param name="Severity">Error: the resource is invalid and left out. Warning: part of it is left out. Info: worth knowing.</param>
/// <param name="Field">The field path inside the resource (for the parser: inside the file); may be empty.</param>
/// <param name="Message">What and why.</param>
/// <param name="Source">Who found it: a plugin's name, <c>parser</c> (reading the file), <c>kmesh</c> (building the snapshot: endpoints, DNS) or <c>check</c>.</param>
/// <param name="Line">The line in the file, when the finding has one (the parser's).</param>
public sealed record CheckFinding(DiagnosticSeverity Severity, string Field, string Message, string Source, int? Line = null)
{
    /// <summary><c>field: message</c>, as one line.</summary>
    public string Text => Field.Length == 0 ? Message : $"{Field}: {Message}";
}
