namespace Kmesh.Sdk.Tests;

/// <summary>
/// The SDK packages packed once per test run from the build this test belongs to
/// (sdk/Kmesh.Sdk.Packages.proj, as ./kmesh pack does) into a temporary folder.
/// </summary>
public sealed class PackedSdk : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"kmesh-sdk-test-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);

    /// <summary>The local feed holding the .nupkg files.</summary>
    public string Feed => Path.Combine(Root, "packages");

    public string Package(string id) => Path.Combine(Feed, $"{id}.{RepoPaths.SdkVersion}.nupkg");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        await Run.DotnetAsync(RepoPaths.Root, new Dictionary<string, string?>(), TimeSpan.FromMinutes(3),
            "msbuild", "sdk/Kmesh.Sdk.Packages.proj", "-t:Pack", "-nologo", "-v:q",
            $"-p:Configuration={RepoPaths.Configuration}",
            $"-p:PackageOutputPath={Feed}/",
            $"-p:NuspecOutputPath={Path.Combine(Root, "nuspec")}/");
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class PackedSdkCollection : ICollectionFixture<PackedSdk>
{
    public const string Name = "packed SDK";
}
