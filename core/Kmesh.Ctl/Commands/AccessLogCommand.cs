using System.CommandLine;
using Kmesh.Ctl.AccessLog;
using Kmesh.Ctl.Admin;
using Kmesh.Ctl.Output;

namespace Kmesh.Ctl.Commands;

/// <summary>
/// <c>kmesh ctl accesslog</c>: the connection access log as it happens (<c>GET /accesslog</c>,
/// one JSON object per line), until Ctrl+C.
/// </summary>
internal static class AccessLogCommand
{
    public static Command Create(CtlContext context)
    {
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "keep printing as connections happen; /accesslog is a live stream, so this is always so (accepted out of habit)",
        };
        var format = CtlOptions.OutputFormat();
        var command = new Command("accesslog", "the connection access log as it happens, until Ctrl+C (needs the daemon's --access-log)")
        {
            follow, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            using var admin = context.Connect(parse);
            var raw = context.Output.Resolve(parse.GetValue(format)) == OutputFormat.Json;
            try
            {
                await foreach (var line in admin.StreamLinesAsync("accesslog", ct))
                {
                    // JSON stays one object per line (as received) so that jq and grep work on the stream.
                    context.Output.WriteLine(raw ? line : AccessLogLine.Format(line));
                    await context.Output.Out.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return 0; // Ctrl+C is how this command is meant to end
            }
            throw new AdminStreamEndedException("/accesslog");
        });
        return command;
    }
}
