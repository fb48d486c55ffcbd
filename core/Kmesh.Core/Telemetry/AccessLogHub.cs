using System.Threading.Channels;

namespace Kmesh.Core.Telemetry;

/// <summary>
/// Hands every access-log line to whoever follows the log live (<c>/accesslog</c>,
/// <c>kmesh ctl accesslog --follow</c>). A follower that reads too slowly loses its oldest
/// lines rather than holding up the log or the other followers.
/// </summary>
public sealed class AccessLogHub
{
    private const int FollowerBacklog = 4096;
    private readonly Lock _lock = new();
    private readonly List<Channel<string>> _followers = [];

    /// <summary>True when the daemon writes an access log (<c>--access-log</c>), so there is something to follow.</summary>
    public bool Enabled { get; internal set; }

    /// <summary>Lines from now on, until <paramref name="cancellationToken"/> fires or the daemon stops.</summary>
    public async IAsyncEnumerable<string> FollowAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(FollowerBacklog) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_lock)
            _followers.Add(channel);
        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return line;
        }
        finally
        {
            lock (_lock)
                _followers.Remove(channel);
        }
    }

    internal void Publish(string line)
    {
        lock (_lock)
        {
            foreach (var follower in _followers)
                follower.Writer.TryWrite(line);
        }
    }

    internal void Complete()
    {
        lock (_lock)
        {
            foreach (var follower in _followers)
                follower.Writer.TryComplete();
        }
    }
}
