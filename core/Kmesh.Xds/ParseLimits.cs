namespace Kmesh.Xds;

/// <summary>
/// The limits every input path enforces (config files, <c>kmesh config check</c>, <c>kmesh xds
/// serve</c>, ADS responses), so that no input can exhaust a node's stack or memory. Each is far
/// above what real Envoy configuration needs and documented in docs/limits.md; an input over one
/// is refused with an error naming the file, the line and the limit.
/// </summary>
public static class ParseLimits
{
    /// <summary>
    /// Mappings and sequences nested inside each other (counted through aliases). Envoy's own
    /// protobuf parsing stops at 100 message levels; real configs stay under 40 YAML levels. The
    /// readers are recursive, so the depth is checked as the parser meets each level, before it
    /// can exhaust the stack.
    /// </summary>
    public const int MaxDepth = 100;

    /// <summary>A config file's size: the same as the largest ADS message the daemon accepts.</summary>
    public const long MaxDocumentBytes = 64L * 1024 * 1024;

    /// <summary>One scalar (a string, e.g. an inline certificate or Lua script).</summary>
    public const int MaxScalarChars = 16 * 1024 * 1024;

    /// <summary>
    /// Nodes that aliases (<c>*name</c>) add when their anchored node is expanded in place. Real
    /// configs alias a few defaults; "billion laughs" needs billions.
    /// </summary>
    public const long MaxAliasNodes = 100_000;

    /// <summary>Characters of scalars that aliases add when expanded.</summary>
    public const long MaxAliasChars = 16L * 1024 * 1024;

    /// <summary>Resources in one ADS response (a 10 000-service mesh sends 10 000 clusters).</summary>
    public const int MaxResourcesPerResponse = 100_000;

    /// <summary>
    /// Message levels when decoding a binary xDS resource. Protobuf nests three messages per
    /// level of a Struct (Struct, its map entry, Value), so this is what a resource read from a
    /// file within <see cref="MaxDepth"/> can need; anything deeper is refused (NACK), never a
    /// stack overflow.
    /// </summary>
    public const int MaxMessageDepth = 3 * MaxDepth + 20;

    /// <summary>A size for people: <c>64 MiB</c>.</summary>
    public static string Size(long bytes) =>
        bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.#} MiB" : bytes >= 1024 ? $"{bytes / 1024.0:0.#} KiB" : $"{bytes} bytes";
}
