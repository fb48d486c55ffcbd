using Kmesh.Xds.Sources;

namespace Kmesh.Core.Hosting;

/// <summary>
/// The sink a config source offers to from its start: an offer waits here until the update loop
/// connects (once the datapath is loaded), then goes to it. Lets a source fetch while the
/// daemon's other parts start.
/// </summary>
internal sealed class DeferredSink : IConfigSink
{
    private readonly TaskCompletionSource<IConfigSink> _target = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>From now on offers go to <paramref name="target"/>.</summary>
    public void Connect(IConfigSink target) => _target.TrySetResult(target);

    /// <inheritdoc />
    public async Task<ConfigVerdict> OfferAsync(ConfigUpdate update, CancellationToken cancellationToken)
    {
        var target = await _target.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await target.OfferAsync(update, cancellationToken).ConfigureAwait(false);
    }
}
