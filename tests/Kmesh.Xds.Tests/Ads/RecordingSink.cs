using System.Threading.Channels;
using Kmesh.Xds.Sources;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>A daemon stand-in: records every offered update and answers with <see cref="Judge"/> (accept by default).</summary>
internal sealed class RecordingSink : IConfigSink
{
    private readonly Channel<ConfigUpdate> _offers = Channel.CreateUnbounded<ConfigUpdate>();

    public Func<ConfigUpdate, ConfigVerdict> Judge { get; set; } = _ => ConfigVerdict.Accept;

    public Task<ConfigVerdict> OfferAsync(ConfigUpdate update, CancellationToken cancellationToken)
    {
        _offers.Writer.TryWrite(update);
        return Task.FromResult(Judge(update));
    }

    public Task<ConfigUpdate> NextAsync() => _offers.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public bool TryNext(out ConfigUpdate? update) => _offers.Reader.TryRead(out update);
}
