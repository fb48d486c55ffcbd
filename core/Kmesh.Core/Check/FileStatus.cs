namespace Kmesh.Core.Check;

/// <summary>Whether a file could be checked at all.</summary>
public enum FileStatus
{
    /// <summary>Read and understood; every item has an outcome (some may be rejected).</summary>
    Checked,
    /// <summary>The file could not be read (missing, no permission).</summary>
    Unreadable,
    /// <summary>Not YAML or JSON, or Envoy configuration broken at the document level (the error says where).</summary>
    NotParsed,
    /// <summary>YAML or JSON, but not Envoy xDS configuration in any shape kmesh reads.</summary>
    NotEnvoyXds,
    /// <summary>Read, but a plugin's translator failed on it, so the outcomes may be incomplete.</summary>
    PluginFailed,
}
