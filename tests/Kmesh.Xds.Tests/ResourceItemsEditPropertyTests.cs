using CsCheck;

namespace Kmesh.Xds.Tests;

/// <summary>
/// <see cref="ResourceItems.TrySplitEdit"/> against a whole cut of the edited text
/// (<see cref="ResourceItems.TrySplit(ReadOnlyMemory{char})"/>): whenever it gives a cut, that cut
/// is the whole cut's — same frame, same items at the same places — and the items it says it kept
/// are the old ones. Edits bring what can change a cut: item lines, deeper and shallower lines,
/// comments, blank lines, anchors, document markers, a second resources key, CRLF.
/// </summary>
public sealed class ResourceItemsEditPropertyTests
{
    private static readonly string[] Lines =
        ["- name: a\n", "  port: 1\n", "  - x\n", "    deep: 2\n", "# note\n", "\n", "  # indented note\n", "- b\r\n"];

    private static readonly string[] Fragments =
        ["x", "\n", "- ", "  ", "#", "&a ", "---\n", "resources:\n", "\n- y: 1\n", "\n  z: 2\n", "\r\n", "other: 1\n", "-", "..."];

    private static readonly Gen<string> Files =
        Gen.Select(Gen.Int[0, Lines.Length - 1].Array[1, 20], Gen.Bool, Gen.Bool, (lines, frame, suffix) =>
            (frame ? "version_info: v1\n" : "") + "resources:\n- first: 0\n" + string.Concat(lines.Select(i => Lines[i]))
            + (suffix ? "extra:\n  key: 1\n" : ""));

    // A bootstrap's lists: listeners and/or clusters under static_resources, items at the key's column or deeper.
    private static readonly string[] BootstrapLines =
        ["  - name: b\n", "    port: 1\n", "    - x\n", "# note\n", "\n", "      deep: 2\n", "  - c\n"];

    private static readonly Gen<string> Bootstraps =
        Gen.Select(Gen.Int[0, BootstrapLines.Length - 1].Array[0, 12], Gen.Int[0, BootstrapLines.Length - 1].Array[0, 12], Gen.Int[0, 2], (first, second, lists) =>
            "static_resources:\n"
            + (lists != 1 ? "  listeners:\n  - name: l\n" + string.Concat(first.Select(i => BootstrapLines[i])) : "")
            + (lists != 0 ? "  clusters:\n  - name: c\n" + string.Concat(second.Select(i => BootstrapLines[i])) : ""));

    private static readonly Gen<string> Inserts = Gen.Int[0, Fragments.Length - 1].Array[0, 4].Select(f => string.Concat(f.Select(i => Fragments[i])));

    private static readonly string[] BootstrapFragments =
        ["  - y\n", "\n  - z: 1\n", "    k: 1\n", "  clusters:\n", "  listeners:\n", "\t", "secrets:\n", "\n", "x", "  "];

    private static readonly Gen<string> BootstrapInserts =
        Gen.Int[0, BootstrapFragments.Length - 1].Array[0, 3].Select(f => string.Concat(f.Select(i => BootstrapFragments[i])));

    [Fact]
    public void AnyEdit_CutsAsTheWholeCut() =>
        Holds(Files, Inserts, t => ResourceItems.TrySplit(t), minimum: 500);

    [Fact]
    public void AnyEditOfABootstrap_CutsAsTheWholeCut() =>
        Holds(Bootstraps, BootstrapInserts, t => BootstrapItems.TrySplit(t.AsMemory()), minimum: 300);

    private static void Holds(Gen<string> files, Gen<string> inserts, Func<string, ResourceItems?> split, int minimum)
    {
        var cut = 0;
        Gen.Select(files, Gen.Double[0, 1], Gen.Int[0, 15], inserts).Sample((old, at, delete, insert) =>
        {
            var before = split(old);
            if (before is null)
                return;
            var start = (int)(at * old.Length);
            var removed = Math.Min(delete, old.Length - start);
            var now = old.Remove(start, removed).Insert(start, insert);
            var edit = new TextEdit(start, start + removed, start + insert.Length);
            if (before.TrySplitEdit(now.AsMemory(), edit) is not { } again)
                return;
            Interlocked.Increment(ref cut); // (samples run on every CPU at once)
            var whole = split(now);
            Assert.NotNull(whole);
            Assert.Equal(whole.Prefix, again.Items.Prefix);
            Assert.Equal(whole.Suffix, again.Items.Suffix);
            Assert.Equal(whole.Between, again.Items.Between);
            Assert.Equal(whole.SecondFrom, again.Items.SecondFrom);
            Assert.Equal(whole.ListPaths, again.Items.ListPaths);
            Assert.Equal(whole.Items.Select(i => i.ToString()), again.Items.Items.Select(i => i.ToString()));
            Assert.Equal(whole.Starts, again.Items.Starts);
            Assert.Equal(whole.End, again.Items.End);
            Assert.Equal(whole.BetweenAt, again.Items.BetweenAt);
            // The items outside [From, From + Count) are the old ones, in order.
            var kept = before.Items.Take(again.From).Concat(before.Items.Skip(again.To)).Select(i => i.ToString());
            var keptNow = again.Items.Items.Take(again.From).Concat(again.Items.Items.Skip(again.From + again.Count)).Select(i => i.ToString());
            Assert.Equal(kept, keptNow);
        }, iter: 5000);
        Assert.True(cut > minimum, $"only {cut} of 5000 edits were cut again: the property hardly reached that path");
    }
}
