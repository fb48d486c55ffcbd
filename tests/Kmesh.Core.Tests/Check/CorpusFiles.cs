namespace Kmesh.Core.Tests.Check;

/// <summary>
/// The shared conformance corpus: <c>shared/corpus</c> beside the repository (KMESH_CORPUS names
/// another place). Its files are not copied into the repository; a missing corpus fails the
/// tests that need it, saying where it was looked for, rather than letting them pass on nothing.
/// </summary>
internal static class CorpusFiles
{
    private static readonly Lazy<string> Directory = new(Find);

    /// <summary>Every corpus file but its index, ordinally sorted.</summary>
    public static IReadOnlyList<string> Names =>
        System.IO.Directory.EnumerateFiles(Directory.Value).Select(Path.GetFileName).OfType<string>()
            .Where(n => n != "INDEX.md").Order(StringComparer.Ordinal).ToList();

    public static string PathOf(string name) => Path.Combine(Directory.Value, name);

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("KMESH_CORPUS") is { Length: > 0 } given)
            return given;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Kmesh.sln")))
                continue;
            var corpus = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "corpus"));
            return System.IO.Directory.Exists(corpus)
                ? corpus
                : throw new DirectoryNotFoundException($"the conformance corpus is not at {corpus}; set KMESH_CORPUS to its folder");
        }
        throw new DirectoryNotFoundException($"no Kmesh.sln above {AppContext.BaseDirectory}, so no corpus beside it; set KMESH_CORPUS");
    }
}
