using System.Diagnostics;
using System.Text;

namespace Kmesh.Sdk.Tests;

/// <summary>Runs dotnet (or another tool) as a child, with the output kept for the failure message.</summary>
internal static class Run
{
    public static async Task<string> DotnetAsync(string workingDirectory, IDictionary<string, string?> environment, TimeSpan timeout, params string[] arguments)
    {
        var (exitCode, text) = await DotnetResultAsync(workingDirectory, environment, timeout, arguments);
        if (exitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} (in {workingDirectory}) failed with {exitCode}:{Environment.NewLine}{text}");
        return text;
    }

    /// <summary>Like <see cref="DotnetAsync"/>, but a failure is a result, not an exception.</summary>
    public static async Task<(int ExitCode, string Output)> DotnetResultAsync(string workingDirectory, IDictionary<string, string?> environment, TimeSpan timeout, params string[] arguments)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        // Whatever MSBuild or the test host set for this process is not for a fresh build elsewhere.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (key, value) in environment)
            info.Environment[key] = value;

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {timeout}:{Environment.NewLine}{output}");
        }
        process.WaitForExit(); // drains the output events
        return (process.ExitCode, output.ToString());
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
            return hostPath;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
            return self;
        return "dotnet";
    }
}
