using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kmesh.Ctl.Tests.Deploy;

/// <summary>
/// The image the Dockerfile builds can start the daemon: its runtime stage's base image carries
/// every shared framework the daemon's runtimeconfig names (a base without ASP.NET Core would
/// fail at start with "framework not found", which no build here would notice).
/// </summary>
public sealed partial class DockerfileTests
{
    /// <summary>What each official .NET runtime image holds.</summary>
    private static readonly Dictionary<string, string[]> FrameworksByImage = new(StringComparer.Ordinal)
    {
        ["runtime-deps"] = [],
        ["runtime"] = ["Microsoft.NETCore.App"],
        ["aspnet"] = ["Microsoft.NETCore.App", "Microsoft.AspNetCore.App"],
    };

    [Fact]
    public void RuntimeImage_HoldsEveryFrameworkTheDaemonNeeds()
    {
        var image = RuntimeStageImage();
        Assert.True(FrameworksByImage.TryGetValue(image, out var provided), $"unknown runtime image dotnet/{image}");

        var needed = DaemonFrameworks();

        Assert.Contains("Microsoft.NETCore.App", needed);
        Assert.Empty(needed.Except(provided));
    }

    /// <summary>The repository of the last stage's <c>FROM mcr.microsoft.com/dotnet/IMAGE:TAG</c>.</summary>
    private static string RuntimeStageImage()
    {
        var froms = File.ReadAllLines(RepoPaths.Dockerfile).Select(l => FromLine().Match(l)).Where(m => m.Success).ToList();
        Assert.True(froms.Count >= 2, "expected a build stage and a runtime stage");
        return froms[^1].Groups["image"].Value;
    }

    /// <summary>The frameworks of the built daemon's runtimeconfig (<c>./kmesh build</c> runs before the tests).</summary>
    private static string[] DaemonFrameworks()
    {
        var config = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "core", "Kmesh.Daemon", "bin"), "kmesh.runtimeconfig.json", SearchOption.AllDirectories)
            .FirstOrDefault() ?? throw new InvalidOperationException("the daemon is not built (no kmesh.runtimeconfig.json under core/Kmesh.Daemon/bin)");
        using var json = JsonDocument.Parse(File.ReadAllText(config));
        var options = json.RootElement.GetProperty("runtimeOptions");
        IEnumerable<JsonElement> frameworks = options.TryGetProperty("frameworks", out var list) ? list.EnumerateArray() : [options.GetProperty("framework")];
        return frameworks.Select(f => f.GetProperty("name").GetString()!).ToArray();
    }

    [GeneratedRegex(@"^FROM\s+mcr\.microsoft\.com/dotnet/(?<image>[a-z-]+):", RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();
}
