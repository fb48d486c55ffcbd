namespace Kmesh.Plugins.CircuitBreaker;

/// <summary><c>cb_outlier.flags</c>.</summary>
[Flags]
public enum OutlierFlags : uint
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary><c>CB_ALWAYS_EJECT_ONE</c>: one endpoint may be ejected whatever the percentage (Envoy's <c>always_eject_one_host</c>).</summary>
    AlwaysEjectOne = 1,
}
