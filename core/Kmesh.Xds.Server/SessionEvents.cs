using System.Threading.Channels;
using Grpc.Core;

namespace Kmesh.Xds.Server;

/// <summary>
/// Merges a stream's requests and the store's changes into one sequence, so that a session
/// handles both on one task (gRPC writes must not overlap). A null item means "the store changed".
/// </summary>
internal static class SessionEvents
{
    public static ChannelReader<T?> Merge<T>(IAsyncStreamReader<T> requests, ResourceStore store, CancellationToken cancellationToken)
        where T : class
    {
        var channel = Channel.CreateUnbounded<T?>(new UnboundedChannelOptions { SingleReader = true });
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var request in requests.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                    channel.Writer.TryWrite(request);
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        _ = Task.Run(async () =>
        {
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    await store.Changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                    if (!channel.Writer.TryWrite(null))
                        return;
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
        return channel.Reader;
    }
}
