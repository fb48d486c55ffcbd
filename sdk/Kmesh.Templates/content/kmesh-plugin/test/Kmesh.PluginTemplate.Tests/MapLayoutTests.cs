using Kmesh.Sdk.Testing;

namespace Kmesh.PluginTemplate.Tests;

/// <summary>
/// Typed map schemas: the C# mirrors of the structs the program's maps use, held to the layout clang
/// gave the C structs (read from the BTF of the .bpf.o next to this assembly; no kernel, no root).
/// A field added, moved or resized on one side only fails here, not as garbage in a map. Add a test
/// like these for every struct a map of yours uses; members whose names differ (C <c>addr</c>,
/// C# <c>Address</c>) are named in pairs: <c>AssertMatches&lt;T&gt;(Object, "s", ("addr", "Address"))</c>.
/// </summary>
public sealed class MapLayoutTests
{
    private const string Object = "kmesh-plugin-template.bpf.o";

    [Fact]
    public void PortDenyKey_MirrorsPortDenyKey() =>
        MapLayout.AssertMatches<PortDenyKey>(Object, "port_deny_key");

    [Fact]
    public void PortDenyRule_MirrorsPortDenyRule() =>
        MapLayout.AssertMatches<PortDenyRule>(Object, "port_deny_rule");
}
