namespace Kmesh.Core.Datapath;

/// <summary>
/// The owner tag of a plugin's mark on the connection record (<c>km_conn.mark</c>, chain ABI 1.5):
/// written into the object's <c>km_conn_mark_tag</c> before load. Derived from the plugin's name
/// rather than its slot, so that marks left on open connections by the same plugin are still its own
/// after a restart, an upgrade or a chain whose order changed.
/// </summary>
internal static class ConnMarkTag
{
    /// <summary>The <c>const volatile</c> global of a 1.5 object that holds the tag.</summary>
    public const string Global = "km_conn_mark_tag";

    /// <summary>24 bits (the mark's low 8 are the owner's state), never 0 (0 = nobody's).</summary>
    public static uint Of(string pluginName)
    {
        // FNV-1a over the name's UTF-16 code units, folded to 24 bits: stable across runs and
        // .NET versions, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in pluginName)
            hash = (hash ^ c) * 16777619u;
        var tag = (hash >> 24) ^ (hash & 0xffffff);
        return tag == 0 ? 1 : tag;
    }
}
