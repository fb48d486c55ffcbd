using System.Diagnostics;

namespace Kmesh.Xds.Tests.Hostile;

/// <summary>
/// Every entry of the hostile table through the config reader: a clear error naming file, line
/// and limit (never a stack overflow, never gigabytes), and inputs within the limits still read.
/// </summary>
public sealed class ParseLimitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-limits-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Names() => new(HostileConfigs.Table().Select(t => t.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void HostileInput_IsAClearErrorOrReads(string name)
    {
        var (_, text, error) = HostileConfigs.Table().Single(t => t.Name == name);
        var watch = Stopwatch.StartNew();

        if (error is null)
        {
            var resources = EnvoyConfigFile.Parse("h.yaml", text);
            Assert.Equal("c", Assert.Single(resources.Clusters).Name);
        }
        else
        {
            var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("h.yaml", text));
            Assert.Contains(error, ex.Message);
            Assert.StartsWith($"h.yaml:{ex.Line}:{ex.Column}: ", ex.Message);
            Assert.True(ex.Line >= 1);
        }
        // The bomb and the deep files are refused as they are read, not after expanding them.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"{name} took {watch.Elapsed}");
    }

    [Fact]
    public void DepthError_PointsAtTheLineWhereTheLimitIsCrossed()
    {
        var ex = Assert.Throws<ConfigParseException>(() =>
            EnvoyConfigFile.Parse("deep.yaml", HostileConfigs.ClusterWithMetadata(HostileConfigs.BlockMappings(200))));

        // Line 7 holds "x:"; the wrapper's five levels and 95 of the block's make 100; the 101st opens at k95's value.
        Assert.Equal(7 + 96, ex.Line);
        Assert.Contains("the limit for config (docs/limits.md)", ex.Message);
    }

    [Fact]
    public void AliasesWithinTheLimits_StillExpand()
    {
        var aliased = EnvoyConfigFile.Parse("a.yaml", HostileConfigs.ClusterWithMetadata("{ one: &v [1, 2, 3], two: *v, three: *v }"));
        Assert.Equal(3, aliased.Clusters[0].Metadata.FilterMetadata["x"].Fields["three"].ListValue.Values.Count);
    }

    [Fact]
    public void Directory_IsRefusedSayingWhatToGive()
    {
        var ex = Assert.Throws<IOException>(() => EnvoyConfigFile.Load(_dir));

        Assert.Equal($"{_dir}: is a directory, not a config file; name a file (for each file in it: {_dir}/*.yaml)", ex.Message);
    }

    [Fact]
    public void BinaryFile_IsRefusedAsNotText()
    {
        var path = Path.Combine(_dir, "kmesh.so");
        File.WriteAllBytes(path, HostileConfigs.Binary());

        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Load(path));

        Assert.Equal($"{path}:1:1: a NUL byte at byte 7: a binary file, not YAML or JSON text", ex.Message);
    }

    [Fact]
    public void FileOverTheSizeLimit_IsRefusedWithoutReadingIt()
    {
        var path = Path.Combine(_dir, "huge.yaml");
        using (var file = File.Create(path))
            file.SetLength(ParseLimits.MaxDocumentBytes + 1); // sparse: nothing is written
        var before = GC.GetTotalAllocatedBytes();

        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Load(path));

        Assert.Contains("over the limit of 64 MiB for a config file", ex.Message);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 16 * 1024 * 1024, "the file was read into memory");
    }
}
