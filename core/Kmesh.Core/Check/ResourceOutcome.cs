namespace Kmesh.Core.Check;

/// <summary>What became of one item of a config file (docs/config-check.md).</summary>
public enum ResourceOutcome
{
    /// <summary>A plugin applied it, and nothing of it was left out.</summary>
    Applied,
    /// <summary>A plugin applied it, and part of it was left out (each part named by a warning).</summary>
    Partial,
    /// <summary>It is invalid: it did not parse, or a plugin refused it (an error names the field).</summary>
    Rejected,
    /// <summary>Nothing of it applies, and the reason says why (not supported, not a service, not read...).</summary>
    NotUsed,
}
