using System.IO.Hashing;
using System.Text;
using Kmesh.Xds.Sources;

namespace Kmesh.Xds.Tests;

/// <summary>A file's version names the XXH128 of its UTF-8 bytes (as xxh128sum prints it), however large the file and wherever its multi-byte characters fall.</summary>
public sealed class FileVersionTests
{
    [Fact]
    public void Version_IsTheHashOfTheFilesUtf8Bytes_AcrossSurrogatePairs()
    {
        // Several of the hash's encoding slices long, ending among 2-, 3- and 4-byte characters (surrogate pairs).
        var comment = "# " + new string('x', 16 * 1024 - 3) + string.Concat(Enumerable.Repeat("é😀€", 20_000)) + "\n";
        var text = comment + "resources: []\n";
        var path = Path.Combine(Path.GetTempPath(), $"kmesh-version-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text, new UTF8Encoding(false));
        try
        {
            var expected = Convert.ToHexString(XxHash128.Hash(Encoding.UTF8.GetBytes(text)))[..12].ToLowerInvariant();
            Assert.Equal(expected, FileConfigSource.Read(path).Version);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Version_OfAFileWithAByteOrderMark_IsThatOfItsText()
    {
        var text = "version_info: v7\nresources: []\n";
        var plain = Path.Combine(Path.GetTempPath(), $"kmesh-version-{Guid.NewGuid():N}.yaml");
        var marked = Path.Combine(Path.GetTempPath(), $"kmesh-version-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(plain, text, new UTF8Encoding(false));
        File.WriteAllText(marked, text, new UTF8Encoding(true));
        try
        {
            var expected = Convert.ToHexString(XxHash128.Hash(Encoding.UTF8.GetBytes(text)))[..12].ToLowerInvariant();
            Assert.Equal($"v7 ({expected})", FileConfigSource.Read(plain).Version);
            Assert.Equal($"v7 ({expected})", FileConfigSource.Read(marked).Version);
        }
        finally
        {
            File.Delete(plain);
            File.Delete(marked);
        }
    }

    [Fact]
    public void Version_BeginsWithWhatXxh128sumPrints()
    {
        // `printf 'version_info: v7\nresources: []\n' > f; xxh128sum f` prints 819514e0ed9bacb6401a2cd0b20e5890 (xxhash 0.8.1).
        var path = Path.Combine(Path.GetTempPath(), $"kmesh-version-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "version_info: v7\nresources: []\n", new UTF8Encoding(false));
        try
        {
            Assert.Equal("v7 (819514e0ed9b)", FileConfigSource.Read(path).Version);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
