namespace Kmesh.Sdk.Abi;

/// <summary>
/// The chain ABI version and constants, mirrored from <c>kmesh/chain.h</c>. A plugin object
/// built for another major version is refused; an older minor is accepted.
/// </summary>
public static class ChainAbi
{
    /// <summary><c>KMESH_ABI_MAJOR</c>: bumped on a breaking change of the context layout or shared maps.</summary>
    public const int Major = 1;

    /// <summary><c>KMESH_ABI_MINOR</c>: bumped when something is added compatibly.</summary>
    public const int Minor = 5;

    /// <summary><c>KM_CHAIN_SIZE</c>: slots of one hook's tail-call chain.</summary>
    public const int ChainSize = 32;

    /// <summary><c>KM_SLOT_COMMIT</c>: the slot of the core's commit program.</summary>
    public const int CommitSlot = ChainSize - 1;

    /// <summary>The most plugins one hook's chain can hold.</summary>
    public const int MaxPluginsPerHook = CommitSlot;

    /// <summary>The packed form used in objects: <c>(major &lt;&lt; 16) | minor</c>.</summary>
    public static uint Packed => ((uint)Major << 16) | (uint)Minor;

    /// <summary>Splits a packed ABI version.</summary>
    public static (int Major, int Minor) Unpack(uint packed) => ((int)(packed >> 16), (int)(packed & 0xffff));
}
