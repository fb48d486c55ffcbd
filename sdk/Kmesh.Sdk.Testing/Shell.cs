using System.Diagnostics;

namespace Kmesh.Sdk.Testing;

/// <summary>Runs short host commands (ip, ...) with a time limit and captures their output.</summary>
internal static class Shell
{
    public static async Task<ShellResult> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{Describe(file, psi.ArgumentList)} did not finish within {timeout}");
        }
        return new ShellResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Synchronous form for the synchronous API (SweepStale); never called on a UI context.</summary>
    public static ShellResult Run(string file, IEnumerable<string> args, TimeSpan timeout) =>
        RunAsync(file, args, timeout).GetAwaiter().GetResult();

    /// <summary>Runs and throws with the command's stderr when it exits non-zero.</summary>
    public static async Task<string> CheckedAsync(string file, IReadOnlyList<string> args, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(file, args, timeout, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Describe(file, args)} exited with {result.ExitCode}: {result.Stderr.Trim()}");
        }
        return result.Stdout;
    }

    public static string Describe(string file, IEnumerable<string> args) => $"`{string.Join(' ', args.Prepend(file))}`";
}
