namespace Kmesh.Bpf;

/// <summary>A global variable of an object's data section, as described by the object's BTF.</summary>
/// <param name="Name">The C variable name.</param>
/// <param name="Section">Its ELF section (<c>.rodata</c>, <c>.rodata.kmesh</c>, ...), which libbpf turns into a map.</param>
/// <param name="Offset">Byte offset inside the section.</param>
/// <param name="Size">Size in bytes.</param>
public sealed record BpfGlobalVariable(string Name, string Section, uint Offset, uint Size);
