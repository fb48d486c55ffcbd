namespace Kmesh.Core.Check;

/// <summary>Why a file could not be checked.</summary>
/// <param name="Message">The whole message, <c>file:line:column: field: reason</c> when the place is known.</param>
/// <param name="Line">The line, when known.</param>
/// <param name="Column">The column, when known.</param>
/// <param name="Field">The field path, when known; else empty.</param>
public sealed record FileProblem(string Message, int? Line = null, int? Column = null, string Field = "");
