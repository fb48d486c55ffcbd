using System.CommandLine;
using Kmesh.Ctl.Admin;
using Kmesh.Ctl.Commands;
using Kmesh.Ctl.Output;

namespace Kmesh.Ctl;

/// <summary>
/// <c>kmesh ctl</c>: the operator's command line over a running daemon's admin API
/// (docs/admin-api.md). Exit status: 0 done, 1 the daemon could not be reached or answered
/// with an error (one line on stderr), 2 a wrong command line (the error and the usage).
/// </summary>
public static class CtlCommand
{
    /// <summary>Runs one <c>kmesh ctl</c> command line (the arguments after <c>ctl</c>).</summary>
    /// <param name="args">The arguments after <c>ctl</c>.</param>
    /// <param name="stdout">Where results go; tables when this is the process's terminal, JSON when piped (unless -o says).</param>
    /// <param name="stderr">Where errors and usage go.</param>
    /// <param name="ct">Cancels the command (Ctrl+C); a streaming command then ends cleanly with 0.</param>
    /// <returns>The process exit status.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var output = new CtlOutput(stdout, stderr, IsTerminal(stdout));
        var admin = CtlOptions.Admin();
        var root = CtlCommandTree.Build(new CtlContext(output, admin), admin);
        // No @response-file expansion: "@" is a fine first character of a --filter or --name.
        var parse = root.Parse(["ctl", .. args], new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
            return Usage.Report(parse, stderr);
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                // Our handler below prints one line; never a stack trace.
                EnableDefaultExceptionHandler = false,
                // The caller owns Ctrl+C and tells us through ct.
                ProcessTerminationTimeout = null,
            }, ct);
        }
        catch (AdminException e)
        {
            stderr.WriteLine($"kmesh ctl: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 130;
        }
    }

    // Only the process's own stdout can be a terminal; a StringWriter (tests) or a pipe is not.
    private static bool IsTerminal(TextWriter stdout) =>
        ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
}
