namespace Kmesh.Core.Check;

/// <summary>The <c>source</c> of findings and facts that no plugin reported.</summary>
public static class CheckSources
{
    /// <summary>Reading the file: parse errors and warnings (unknown extension types).</summary>
    public const string Parser = "parser";

    /// <summary>The core building the snapshot: how a cluster's endpoints are found (EDS, DNS...).</summary>
    public const string Kmesh = "kmesh";

    /// <summary>The check itself: what it derived or stood in for.</summary>
    public const string Check = "check";
}
