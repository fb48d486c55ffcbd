namespace Kmesh.Plugins.RateLimit.L7;

/// <summary>
/// Envoy's token bucket for requests, without a lock: the bucket starts full and gains
/// <c>tokens_per_fill</c> at every whole <c>fill_interval</c> since it was made (Envoy's timer
/// fills on the same beat), never above <c>max_tokens</c>. Tokens and the last fill's index share
/// one 64-bit word swapped by compare-and-exchange, so concurrent requests never take a token twice.
/// </summary>
internal sealed class RequestTokenBucket
{
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly uint _maxTokens;
    private readonly uint _tokensPerFill;
    private readonly TimeSpan _fillInterval;
    // High 32 bits: tokens left; low 32 bits: the fill index they were counted at (wraps, compared unchecked).
    private long _state;

    public RequestTokenBucket(uint maxTokens, uint tokensPerFill, TimeSpan fillInterval, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfZero(maxTokens);
        ArgumentOutOfRangeException.ThrowIfZero(tokensPerFill);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(fillInterval, TimeSpan.Zero);
        _time = time;
        _origin = time.GetTimestamp();
        _maxTokens = maxTokens;
        _tokensPerFill = tokensPerFill;
        _fillInterval = fillInterval;
        _state = (long)maxTokens << 32;
    }

    /// <summary>The bucket's size, which <c>x-ratelimit-limit</c> announces.</summary>
    public uint MaxTokens => _maxTokens;

    /// <summary>The tokens there are now and the time until the next fill, taking none.</summary>
    public (uint Remaining, TimeSpan UntilFill) Peek()
    {
        var elapsed = _time.GetElapsedTime(_origin);
        var fill = (uint)(elapsed.Ticks / _fillInterval.Ticks);
        var state = Volatile.Read(ref _state);
        var fills = unchecked(fill - (uint)state);
        var tokens = (ulong)(state >>> 32);
        if (fills > 0 && fills < uint.MaxValue / 2)
            tokens = Math.Min(_maxTokens, tokens + (ulong)fills * _tokensPerFill);
        return ((uint)tokens, _fillInterval - TimeSpan.FromTicks(elapsed.Ticks % _fillInterval.Ticks));
    }

    /// <summary>Takes a token if there is one.</summary>
    /// <returns>Whether one was taken, the tokens left, and the time until the next fill.</returns>
    public (bool Taken, uint Remaining, TimeSpan UntilFill) TryTake()
    {
        var elapsed = _time.GetElapsedTime(_origin);
        var fill = (uint)(elapsed.Ticks / _fillInterval.Ticks);
        var untilFill = _fillInterval - TimeSpan.FromTicks(elapsed.Ticks % _fillInterval.Ticks);
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var tokens = (ulong)(state >>> 32);
            var counted = (uint)state;
            var fills = unchecked(fill - counted);
            // A request that read the clock before another one refilled must not count those fills again.
            var ahead = fills > 0 && fills < uint.MaxValue / 2;
            if (ahead)
                tokens = Math.Min(_maxTokens, tokens + (ulong)fills * _tokensPerFill);
            if (tokens == 0)
                return (false, 0, untilFill);
            var next = (long)((tokens - 1) << 32) | (ahead ? fill : counted);
            if (Interlocked.CompareExchange(ref _state, next, state) == state)
                return (true, (uint)(tokens - 1), untilFill);
        }
    }
}
