namespace Kmesh.Sdk.Testing;

/// <summary>
/// A C# mirror does not have the layout of its C struct (see <see cref="MapLayout.AssertMatches{T}"/>).
/// The message names the struct and, for every difference, the member with its C offset and size
/// and the C# field with its offset and size. Thrown as is, so any test framework reports it as a failure.
/// </summary>
public sealed class MapLayoutMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="cStruct">The C struct's name.</param>
    /// <param name="mirror">The C# mirror.</param>
    /// <param name="objectFile">The object whose BTF was read.</param>
    /// <param name="mismatches">The differences, one line each.</param>
    public MapLayoutMismatchException(string cStruct, Type mirror, string objectFile, IReadOnlyList<string> mismatches)
        : base(Format(cStruct, mirror, objectFile, mismatches))
    {
        CStruct = cStruct;
        Mirror = mirror;
        Mismatches = mismatches;
    }

    /// <summary>The C struct's name (without <c>struct</c>).</summary>
    public string CStruct { get; }

    /// <summary>The C# mirror.</summary>
    public Type Mirror { get; }

    /// <summary>The differences, one line each, e.g. <c>rt_key.port: C offset 16, size 2; RouteKey.Port: C# offset 18, size 2</c>.</summary>
    public IReadOnlyList<string> Mismatches { get; }

    private static string Format(string cStruct, Type mirror, string objectFile, IReadOnlyList<string> mismatches)
    {
        ArgumentNullException.ThrowIfNull(mirror);
        ArgumentNullException.ThrowIfNull(mismatches);
        return $"{mirror.Name} does not mirror struct {cStruct} as compiled in {objectFile} ({mismatches.Count} difference{(mismatches.Count == 1 ? "" : "s")}):"
            + string.Concat(mismatches.Select(m => $"{Environment.NewLine}  {m}"));
    }
}
