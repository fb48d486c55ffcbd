using System.IO.Hashing;
using System.Text;
using CsCheck;

namespace Kmesh.Xds.Tests;

/// <summary>
/// <see cref="ConfigText.ReadEdit"/> against a whole read of the file: for any old text and any new
/// file (ASCII or not, with a byte order mark or not, repetitive text, growth beyond the buffer), the
/// buffer afterwards holds exactly the new text, the hash is the new bytes' and the edit says where
/// they differ — or the call declines and leaves the buffer as it was.
/// </summary>
public sealed class ConfigTextEditPropertyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-readedit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Pieces texts are made of: YAML-ish lines, repetitions (an insertion that repeats what follows
    // it compares equal shifted), characters of two, three and four UTF-8 bytes.
    private static readonly string[] Pieces =
        ["- name: a\n", "  port_value: 80\n", "aaaa", "\n", " ", "é", "日本", "😀", "x", "- ", "# c\n", "9000", "9001"];

    private static readonly Gen<string> Texts = Gen.Int[0, Pieces.Length - 1].Array[0, 40].Select(p => string.Concat(p.Select(i => Pieces[i])));

    /// <summary>An edit: at a fraction of the text, delete some chars, insert a text.</summary>
    private static readonly Gen<(double At, int Delete, string Insert)> Edits =
        Gen.Select(Gen.Double[0, 1], Gen.Int[0, 12], Texts, (at, delete, insert) => (at, delete, insert));

    [Fact]
    public void AnyEdit_LeavesTheNewTextInTheBuffer()
    {
        var taken = 0;
        Gen.Select(Texts, Edits.Array[1, 3], Gen.Bool, Gen.Int[0, 8]).Sample((old, edits, bom, slack) =>
        {
            var now = old;
            foreach (var (at, delete, insert) in edits)
            {
                var start = (int)(at * now.Length);
                now = now.Remove(start, Math.Min(delete, now.Length - start)).Insert(start, insert);
            }
            // Splitting a surrogate pair makes text UTF-8 cannot hold: not a file anyone writes.
            if (!IsWhole(now))
                return;
            if (Check(old, now, bom, slack))
                Interlocked.Increment(ref taken); // (samples run on every CPU at once)
        }, iter: 2000);
        Assert.True(taken > 500, $"only {taken} of 2000 edits were taken: the property hardly reached the edit path");
    }

    [Fact]
    public void SameText_IsNoEdit()
    {
        Assert.True(Check("resources:\n- a\n", "resources:\n- a\n", bom: false, slack: 0));
    }

    [Fact]
    public void NulInTheChangedSpan_IsLeftToTheWholeRead()
    {
        var path = Path.Combine(_dir, "nul.yaml");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes("resources:\n- a\0\n"));
        var buffer = "resources:\n- b\n".ToCharArray();
        var length = buffer.Length;
        Assert.Null(ConfigText.ReadEdit(path, ref buffer, ref length, out _));
        Assert.Equal("resources:\n- b\n", new string(buffer, 0, length));
        var error = Assert.Throws<ConfigParseException>(() => ConfigText.Read(path));
        Assert.Contains("NUL", error.Message, StringComparison.Ordinal);
    }

    /// <summary>True when the edit was taken (and is right); false when declined (and nothing changed).</summary>
    private bool Check(string old, string now, bool bom, int slack)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.yaml"); // CsCheck samples on every CPU at once
        var bytes = Encoding.UTF8.GetBytes(now);
        File.WriteAllBytes(path, bom ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes);
        var buffer = new char[old.Length + slack];
        old.CopyTo(buffer);
        var length = old.Length;
        var edit = ConfigText.ReadEdit(path, ref buffer, ref length, out var hash);
        if (edit is not { } e)
        {
            Assert.Equal(old, new string(buffer, 0, length));
            return false;
        }
        Assert.Equal(now, new string(buffer, 0, length));
        Assert.Equal(XxHash128.Hash(bytes), hash);
        Assert.InRange(e.Start, 0, Math.Min(old.Length, now.Length));
        Assert.InRange(e.OldEnd, e.Start, old.Length);
        Assert.Equal(now.Length - old.Length, e.Shift);
        Assert.Equal(old[..e.Start], now[..e.Start]);
        Assert.Equal(old[e.OldEnd..], now[e.NewEnd..]);
        if (e.None)
            Assert.Equal(old, now); // (the same text with non-ASCII in it is an edit of that span: the caller compares hashes)
        return true;
    }

    private static bool IsWhole(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && (i + 1 >= text.Length || !char.IsLowSurrogate(text[++i])))
                return false;
            if (char.IsLowSurrogate(text[i]) && (i == 0 || !char.IsHighSurrogate(text[i - 1])))
                return false;
        }
        return true;
    }
}
