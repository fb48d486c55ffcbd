using Kmesh.Core.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Kmesh.Admin.Endpoints;

/// <summary>
/// <c>/ready</c>: the node serves its configuration (Kubernetes' readiness probe: a rollout
/// waits on it). <c>/healthz</c>: the update loop turns (the liveness probe: a stuck loop is
/// restarted, and with the data path kept in the kernel nothing breaks meanwhile).
/// </summary>
internal sealed class HealthEndpoints(IServiceProvider daemon)
{
    private static readonly TimeSpan LoopAnswer = TimeSpan.FromSeconds(5);

    public IResult Ready()
    {
        var status = daemon.GetRequiredService<DaemonStatus>();
        var readiness = status.Readiness;
        if (!readiness.Ready)
            return Results.Text(string.Concat(readiness.Reasons.Select(r => $"not ready: {r}\n")), statusCode: StatusCodes.Status503ServiceUnavailable);
        // Ready is about the kernel serving; a config source that does not answer is said, not failed on.
        var notes = readiness.NotesOrEmpty.ToList();
        if (status.Xds is { Connected: false })
            notes.Add($"the config source {status.SourceDescription} is not connected; the configuration in force keeps serving");
        return Results.Text("ready\n" + string.Concat(notes.Select(n => $"note: {n}\n")));
    }

    public async Task<IResult> HealthzAsync(CancellationToken cancellationToken)
    {
        var loop = daemon.GetRequiredService<UpdateLoop>();
        if (loop.ExecuteTask is null)
            return Results.Text("starting\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        return await loop.PingAsync(LoopAnswer, cancellationToken).ConfigureAwait(false)
            ? Results.Text("ok\n")
            : Results.Text($"the update loop did not answer within {LoopAnswer.TotalSeconds:F0} s\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
