using CsCheck;
using Google.Protobuf;
using Kmesh.Xds.Ads;

namespace Kmesh.Xds.Tests;

/// <summary>
/// The in-memory content identity behind "unchanged, not parsed again" (resource-list items of a
/// watched file and of the xDS server's directory, SotW bodies, what a SotW session last sent):
/// equal content must hash equal wherever it sits, different content must not collide.
/// </summary>
public class ContentHashTests
{
    [Fact]
    public void EqualText_HashesEqual_WhereverItSits()
    {
        Gen.String.Sample(text =>
        {
            var padded = ("<<" + text + ">>").AsSpan(2, text.Length);
            Assert.Equal(ContentHash.Of(text), ContentHash.Of(padded));
            Assert.Equal(ResourceItems.Hash(text), ResourceItems.Hash(padded));
        });
    }

    [Fact]
    public void DifferentText_DoesNotCollide()
    {
        var seen = new Dictionary<UInt128, string>();
        Gen.String.Sample(text =>
        {
            var hash = ContentHash.Of(text);
            if (seen.TryGetValue(hash, out var other))
                Assert.Equal(other, text);
            seen[hash] = text;
        }, iter: 20_000, threads: 1);
    }

    [Fact]
    public void AOneCharacterEdit_ChangesTheHash()
    {
        Gen.String[1, 4000].Select(Gen.Int.Positive, Gen.Char).Sample((text, at, replacement) =>
        {
            var chars = text.ToCharArray();
            var i = at % chars.Length;
            if (chars[i] == replacement)
                return;
            chars[i] = replacement;
            Assert.NotEqual(ContentHash.Of(text), ContentHash.Of(new string(chars)));
        });
    }

    [Fact]
    public void SotwBodies_AreKnownByTheirBytes()
    {
        var body = ByteString.CopyFromUtf8("cluster_name: outbound|80||a.default.svc.cluster.local");
        var same = ByteString.CopyFrom(body.ToByteArray());
        var other = ByteString.CopyFromUtf8("cluster_name: outbound|80||b.default.svc.cluster.local");
        Assert.Equal(SotwBodies.Hash(body), SotwBodies.Hash(same));
        Assert.NotEqual(SotwBodies.Hash(body), SotwBodies.Hash(other));
    }

    [Fact]
    public void Sequence_KeepsItsPartsApart()
    {
        // Names and versions are hashed one after the other: ("ab", "c") is not ("a", "bc").
        Assert.NotEqual(new ContentHash.Sequence().Append("ab").Append("c").Value, new ContentHash.Sequence().Append("a").Append("bc").Value);
        Assert.NotEqual(new ContentHash.Sequence().Append("").Append("x").Value, new ContentHash.Sequence().Append("x").Append("").Value);
        Gen.String.Array.Sample(parts =>
        {
            var one = new ContentHash.Sequence();
            var two = new ContentHash.Sequence();
            foreach (var part in parts)
            {
                one.Append(part);
                two.Append(part.ToCharArray());
            }
            Assert.Equal(one.Value, two.Value);
        });
    }
}
