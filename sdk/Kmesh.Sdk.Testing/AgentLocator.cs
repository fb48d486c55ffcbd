namespace Kmesh.Sdk.Testing;

/// <summary>Finds kmesh-sandbox-agent.dll and the dotnet host to run it with.</summary>
internal static class AgentLocator
{
    public const string AgentFileName = "kmesh-sandbox-agent.dll";

    public static string AgentPath(SandboxOptions options)
    {
        var candidates = options.AgentPath is { } explicitPath
            ? [explicitPath]
            : new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(AgentLocator).Assembly.Location) ?? "" }
                .Where(d => d.Length > 0)
                .Select(d => Path.Combine(d, AgentFileName))
                .ToArray();
        foreach (var path in candidates)
        {
            // Without its runtimeconfig.json `dotnet agent.dll` refuses to start; check both.
            if (File.Exists(path) && File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")))
            {
                return Path.GetFullPath(path);
            }
        }
        throw new FileNotFoundException(
            $"{AgentFileName} (with its .runtimeconfig.json) was not found at {string.Join(" or ", candidates)}. " +
            "Reference Kmesh.Sdk.Testing from the test project, or set SandboxOptions.AgentPath.");
    }

    /// <summary>The dotnet host: the one running us when it is dotnet, else DOTNET_HOST_PATH, else PATH.</summary>
    public static string DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "dotnet"))
            .FirstOrDefault(File.Exists);
        return fromPath ?? "dotnet";
    }
}
