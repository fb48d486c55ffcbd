namespace Kmesh.Sdk.Translation;

/// <summary>What kind of kernel state a <see cref="TranslationFact"/> says a resource became.</summary>
public enum AppliedKind
{
    /// <summary>A service VIP:port is routed: connects to it are decided in the kernel, and where they go.</summary>
    Vip,
    /// <summary>The endpoints a cluster balances connects over, with their shares.</summary>
    Endpoints,
    /// <summary>A behaviour applied to connects: a load-balancing policy, a rate limit, a fault.</summary>
    Policy,
}
