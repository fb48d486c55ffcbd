using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kmesh.Bpf;

namespace Kmesh.Sdk.Testing;

/// <summary>
/// Typed map schemas: holds a C# mirror of an eBPF map's key or value struct against the layout
/// clang actually produced, read from the compiled object's BTF (needs no privileges, no kernel).
/// Call it from a test so that a drift between the C header and the C# struct fails the build,
/// not a map in production. Works with any test framework: a mismatch throws
/// <see cref="MapLayoutMismatchException"/>.
/// </summary>
/// <example>
/// <code>
/// [Fact]
/// public void RouteKey_MatchesTheObject() =>
///     MapLayout.AssertMatches&lt;RouteKey&gt;("routing.bpf.o", "rt_key",
///         ("addr", nameof(RouteKey.Address)), ("port", nameof(RouteKey.PortNetworkOrder)));
///     // family → Family and protocol → Protocol are matched by name.
/// </code>
/// </example>
public static class MapLayout
{
    /// <summary>
    /// Checks that <typeparamref name="T"/> has the layout of <c>struct <paramref name="cStruct"/></c>
    /// in the BTF of <paramref name="objectPath"/>: the same total size, and every C member mirrored
    /// by a C# field at the same offset with the same size.
    /// </summary>
    /// <remarks>
    /// <para>
    /// C members not named in <paramref name="members"/> are matched by name: <c>cluster_id</c> is
    /// mirrored by <c>ClusterId</c> (underscores dropped, case ignored). A C member that matches no
    /// field is reported as not mirrored.
    /// </para>
    /// <para>
    /// <c>CsField</c> is a field name, or the name of an auto-property (its backing field is used).
    /// A C array member may be mirrored by one field of the same size (a <c>fixed</c> buffer or an
    /// <c>[InlineArray]</c> struct) or by several consecutive fields that together cover it: name
    /// the C member once per field, in order (<c>("length", "LengthV4"), ("length", "LengthV6")</c>).
    /// </para>
    /// <para>
    /// C# fields mirroring no C member are allowed only in the C struct's padding (explicit
    /// padding fields); one that overlaps a C member's bytes is reported.
    /// </para>
    /// </remarks>
    /// <typeparam name="T">The C# mirror: an unmanaged struct with sequential or explicit layout and no <c>bool</c> or <c>char</c> fields.</typeparam>
    /// <param name="objectPath">The compiled <c>.bpf.o</c> (built with <c>-g</c>, as the Kmesh.Sdk package builds it). A relative path is taken from the test assembly's folder (<see cref="AppContext.BaseDirectory"/>), where a referenced plugin's object lands.</param>
    /// <param name="cStruct">The C struct's name, without <c>struct</c> (a typedef of a struct works too).</param>
    /// <param name="members">Pairs of C member name and C# field name, for the members whose names do not match by the rule above.</param>
    /// <exception cref="MapLayoutMismatchException">The layouts differ; the message names the struct, every member that differs, and the C and C# offsets and sizes.</exception>
    /// <exception cref="FileNotFoundException">The object does not exist.</exception>
    /// <exception cref="KeyNotFoundException">The object's BTF has no such struct (clang emits only the types a map or program uses).</exception>
    public static void AssertMatches<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields)] T>(
        string objectPath, string cStruct, params (string CMember, string CsField)[] members)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(objectPath);
        ArgumentException.ThrowIfNullOrEmpty(cStruct);
        ArgumentNullException.ThrowIfNull(members);
        var path = Path.IsPathRooted(objectPath) ? objectPath : Path.Combine(AppContext.BaseDirectory, objectPath);
        var problems = Compare<T>(BtfLayout.GetStruct(path, cStruct), members);
        if (problems.Count > 0)
            throw new MapLayoutMismatchException(cStruct, typeof(T), Path.GetFileName(path), problems);
    }

    private static List<string> Compare<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields)] T>(
        BtfStructLayout c, (string CMember, string CsField)[] members)
        where T : unmanaged
    {
        var type = typeof(T);
        var problems = new List<string>();
        var fields = type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
        var cs = type.Name;

        int csSize = Unsafe.SizeOf<T>();
        if (c.Size != csSize)
            problems.Add($"size: struct {c.Name} is {c.Size} bytes, {cs} is {csSize} bytes");
        if (type.IsAutoLayout)
        {
            problems.Add($"{cs} has LayoutKind.Auto: give it [StructLayout(LayoutKind.Sequential)] (or Explicit) so its layout is fixed");
            return problems;
        }
        var notBlittable = fields.Where(f => f.FieldType == typeof(bool) || f.FieldType == typeof(char)).ToList();
        foreach (var f in notBlittable)
            problems.Add($"{cs}.{DisplayName(f)} is {f.FieldType.Name}: its marshalled layout differs from its layout in memory; use byte or ushort");
        if (notBlittable.Count > 0)
            return problems;

        // Which C# fields mirror each C member: explicit pairs first, then by name.
        var byMember = new Dictionary<string, List<FieldInfo>>(StringComparer.Ordinal);
        foreach (var (cMember, csField) in members)
        {
            if (!c.Members.Any(m => m.Name == cMember))
            {
                problems.Add($"struct {c.Name} has no member '{cMember}' (named for {cs}.{csField}); it has: {string.Join(", ", c.Members.Select(m => m.Name))}");
                continue;
            }
            var field = fields.FirstOrDefault(f => f.Name == csField)
                ?? fields.FirstOrDefault(f => f.Name == $"<{csField}>k__BackingField");
            if (field is null)
            {
                problems.Add($"{cs} has no field '{csField}' (named for {c.Name}.{cMember}); it has: {string.Join(", ", fields.Select(DisplayName))}");
                continue;
            }
            if (!byMember.TryGetValue(cMember, out var list))
                byMember[cMember] = list = [];
            list.Add(field);
        }
        foreach (var m in c.Members.Where(m => !byMember.ContainsKey(m.Name) && !members.Any(p => p.CMember == m.Name)))
        {
            var field = fields.FirstOrDefault(f => Normalize(DisplayName(f)) == Normalize(m.Name));
            if (field is null)
                problems.Add($"{c.Name}.{m.Name} (C offset {m.Offset}, size {m.Size}) is not mirrored: no field of {cs} is named for it; add one or name it in the member pairs");
            else
                byMember[m.Name] = [field];
        }

        // Offsets and sizes: a member's fields start at its offset and cover it exactly, in order.
        var mirrored = new HashSet<FieldInfo>();
        foreach (var m in c.Members)
        {
            if (!byMember.TryGetValue(m.Name, out var mapped))
                continue;
            mirrored.UnionWith(mapped);
            int expected = m.Offset;
            var parts = new List<(FieldInfo Field, int Offset, int Size)>();
            foreach (var f in mapped)
                parts.Add((f, Offset(type, f), SizeOf(f.FieldType)));
            bool ok = true;
            foreach (var (_, offset, size) in parts)
            {
                ok &= offset == expected;
                expected = offset + size;
            }
            ok &= expected == m.Offset + m.Size;
            if (ok)
                continue;
            var csText = string.Join(" + ", parts.Select(p => $"{cs}.{DisplayName(p.Field)}: C# offset {p.Offset}, size {p.Size}"));
            problems.Add($"{c.Name}.{m.Name}: C offset {m.Offset}, size {m.Size}; {csText}");
        }

        // Fields that mirror nothing may only sit in the C struct's padding.
        foreach (var f in fields.Where(f => !mirrored.Contains(f)))
        {
            int offset = Offset(type, f), size = SizeOf(f.FieldType);
            foreach (var m in c.Members.Where(m => offset < m.Offset + m.Size && m.Offset < offset + size))
                problems.Add($"{cs}.{DisplayName(f)} (C# offset {offset}, size {size}) mirrors no C member but overlaps {c.Name}.{m.Name} (C offset {m.Offset}, size {m.Size}); name it in the member pairs");
        }
        return problems;
    }

    private static int Offset(Type type, FieldInfo field) => (int)Marshal.OffsetOf(type, field.Name);

    private static int SizeOf(Type type) => RuntimeHelpers.SizeOf(type.TypeHandle);

    private static string DisplayName(FieldInfo field) =>
        field.Name.StartsWith('<') && field.Name.EndsWith(">k__BackingField", StringComparison.Ordinal)
            ? field.Name[1..field.Name.IndexOf('>', StringComparison.Ordinal)]
            : field.Name;

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
}
