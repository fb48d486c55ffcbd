using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kmesh.Bpf.Tests.Infrastructure;

namespace Kmesh.Bpf.Tests;

/// <summary>BtfLayout against a struct with holes, a nested struct, arrays and an enum.</summary>
public sealed unsafe class BtfLayoutTests
{
    private static string Maps => KernelSandbox.ObjectPath("maps.bpf.o");

    [StructLayout(LayoutKind.Sequential)]
    private struct Nested
    {
        public fixed uint Addr[4];
    }

    /// <summary>The C# mirror of struct layout_probe in Programs/maps.bpf.c.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct LayoutProbe
    {
        public byte Flag;
        public ulong Wide;
        public ushort Port;
        public Nested NestedAddr;
        public fixed uint Tail[3];
        public int Color;
    }

    [Fact]
    public void Struct_layout_matches_the_compiler_and_the_CSharp_mirror()
    {
        var layout = BtfLayout.GetStruct(Maps, "layout_probe");

        Assert.Equal("layout_probe", layout.Name);
        Assert.Equal(56, layout.Size);
        Assert.Equal(sizeof(LayoutProbe), layout.Size);
        Assert.Equal(
            [("flag", 0, 1), ("wide", 8, 8), ("port", 16, 2), ("nested", 20, 16), ("tail", 36, 12), ("color", 48, 4)],
            layout.Members.Select(m => (m.Name, m.Offset, m.Size)));

        LayoutProbe probe = default;
        ref byte origin = ref Unsafe.As<LayoutProbe, byte>(ref probe);
        Assert.Equal(Offset(ref origin, ref probe.Wide), layout.Member("wide").Offset);
        Assert.Equal(Offset(ref origin, ref probe.Port), layout.Member("port").Offset);
        Assert.Equal(Offset(ref origin, ref probe.NestedAddr), layout.Member("nested").Offset);
        Assert.Equal(Offset(ref origin, ref probe.Tail[0]), layout.Member("tail").Offset);
        Assert.Equal(Offset(ref origin, ref probe.Color), layout.Member("color").Offset);
    }

    [Fact]
    public void Enum_values_are_read()
    {
        var values = BtfLayout.GetEnum(Maps, "probe_color");
        Assert.Equal(1, values["PROBE_RED"]);
        Assert.Equal(7, values["PROBE_BLUE"]);
    }

    [Fact]
    public void Missing_types_are_reported()
    {
        Assert.False(BtfLayout.TryGetStruct(Maps, "no_such_struct", out _));
        Assert.Throws<KeyNotFoundException>(() => BtfLayout.GetStruct(Maps, "no_such_struct"));
        Assert.Throws<KeyNotFoundException>(() => BtfLayout.GetStruct(Maps, "layout_probe").Member("nope"));
        Assert.Throws<KeyNotFoundException>(() => BtfLayout.GetEnum(Maps, "no_such_enum"));
    }

    private static int Offset<T>(ref byte origin, ref T field)
        => (int)Unsafe.ByteOffset(ref origin, ref Unsafe.As<T, byte>(ref field));
}
