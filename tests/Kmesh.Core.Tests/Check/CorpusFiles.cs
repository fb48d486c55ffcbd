namespace Kmesh.Core.Tests.Check;

/// <summary>
/// The conformance corpus: <c>tests/corpus</c> in the repository, a byte-for-byte copy of the
/// workplace's <c>shared/corpus</c> (Apache-2.0 files; INDEX.md says where each comes from), kept
/// in the repository so that a clean checkout tests on its own. KMESH_CORPUS names another place.
/// <see cref="SharedCopy"/> is the workplace's original beside the repository, when there is one.
/// </summary>
internal static class CorpusFiles
{
    private static readonly Lazy<string> Directory = new(Find);

    /// <summary>Every corpus file but its index, ordinally sorted.</summary>
    public static IReadOnlyList<string> Names =>
        System.IO.Directory.EnumerateFiles(Directory.Value).Select(Path.GetFileName).OfType<string>()
            .Where(n => n != "INDEX.md").Order(StringComparer.Ordinal).ToList();

    public static string PathOf(string name) => Path.Combine(Directory.Value, name);

    /// <summary>The workplace's <c>shared/corpus</c> beside the repository, or null when this machine has none.</summary>
    public static string? SharedCopy
    {
        get
        {
            var shared = Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "corpus"));
            return System.IO.Directory.Exists(shared) ? shared : null;
        }
    }

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("KMESH_CORPUS") is { Length: > 0 } given)
            return given;
        var corpus = Path.Combine(RepoRoot(), "tests", "corpus");
        return System.IO.Directory.Exists(corpus)
            ? corpus
            : throw new DirectoryNotFoundException($"the conformance corpus is not at {corpus}; set KMESH_CORPUS to its folder");
    }

    /// <summary>Our own files in the shapes others write (tests/shapes, see its README.md).</summary>
    public static string ShapeFile(string name) => Path.Combine(RepoRoot(), "tests", "shapes", name);

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kmesh.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no Kmesh.sln above {AppContext.BaseDirectory}; set KMESH_CORPUS");
    }
}
