using System.Diagnostics;

namespace Kmesh.Demo;

/// <summary>Runs a <c>kmesh</c> subcommand (ctl, uninstall) as an operator would and prints what it said, indented.</summary>
internal static class KmeshCli
{
    public static async Task<int> RunAsync(string daemonDll, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(daemonDll);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        info.Environment["COLUMNS"] = "120";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        foreach (var line in (await output + await errors).TrimEnd().Split('\n'))
            Console.WriteLine($"    {line}");
        return process.ExitCode;
    }
}
