using System.CommandLine;

namespace Kmesh.Ctl;

/// <summary>A wrong command line: each error, then the usage of the command it was meant for, on stderr; exit 2.</summary>
internal static class Usage
{
    public const int ExitCode = 2;

    public static int Report(ParseResult parse, TextWriter stderr)
    {
        foreach (var error in parse.Errors)
            stderr.WriteLine($"kmesh ctl: {error.Message}");
        stderr.WriteLine();
        // The help of the innermost command the user got to, rendered by asking for it.
        var path = new List<string>();
        for (var result = parse.CommandResult; result.Parent is not null; result = (System.CommandLine.Parsing.CommandResult)result.Parent)
            path.Insert(0, result.Command.Name);
        path.Add("--help");
        parse.RootCommandResult.Command.Parse(path).Invoke(new InvocationConfiguration { Output = stderr, Error = stderr });
        return ExitCode;
    }
}
