using System.CommandLine;
using Kmesh.Ctl.Admin;
using Kmesh.Ctl.Output;

namespace Kmesh.Ctl;

/// <summary>What every command's action needs: where to write, and a client for the --admin address.</summary>
internal sealed class CtlContext(CtlOutput output, Option<string> admin)
{
    public CtlOutput Output { get; } = output;

    /// <summary>A client for the address the command line named (already validated by the parser).</summary>
    public AdminClient Connect(ParseResult parse) =>
        new(AdminAddress.TryParse(parse.GetValue(admin) ?? AdminAddress.Default, out _)
            ?? throw new InvalidOperationException("the parser let an invalid --admin through"));
}
