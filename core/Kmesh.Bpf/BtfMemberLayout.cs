namespace Kmesh.Bpf;

/// <summary>One member of a struct as the compiler laid it out.</summary>
/// <param name="Name">Member name (empty for an anonymous struct/union member).</param>
/// <param name="Offset">Byte offset from the start of the struct.</param>
/// <param name="Size">Size in bytes.</param>
public readonly record struct BtfMemberLayout(string Name, int Offset, int Size);
