using System.Buffers.Binary;
using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>
/// Turns a map's raw key and value bytes into a tree an operator can read, following the
/// map's BTF: structs become name → value dictionaries, arrays lists, integers numbers.
/// A map without BTF (or a type it cannot follow) shows as hex. The tree is built once per
/// map from the object's BTF, so decoding an entry touches no native code.
/// </summary>
public sealed class BtfValueDecoder
{
    private const int MaxDepth = 16;
    private readonly Shape? _key;
    private readonly Shape? _value;

    private BtfValueDecoder(Shape? key, Shape? value)
    {
        _key = key;
        _value = value;
    }

    /// <summary>The decoder for <paramref name="map"/>'s key and value types.</summary>
    public static unsafe BtfValueDecoder ForMap(BpfMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Object is not { } owner)
            return new BtfValueDecoder(null, null);
        nint btf = Libbpf.bpf_object__btf(owner.Handle.DangerousGetHandle());
        if (btf == 0)
            return new BtfValueDecoder(null, null);
        return new BtfValueDecoder(
            ShapeOf(btf, Libbpf.bpf_map__btf_key_type_id(map.Pointer), 0),
            ShapeOf(btf, Libbpf.bpf_map__btf_value_type_id(map.Pointer), 0));
    }

    /// <summary>The key as a tree (or hex).</summary>
    public object? DecodeKey(ReadOnlySpan<byte> key) => Decode(_key, key);

    /// <summary>The value as a tree (or hex); for a per-CPU map, one value per CPU in a list.</summary>
    public object? DecodeValue(ReadOnlySpan<byte> value, bool perCpu)
    {
        if (!perCpu || _value is null || _value.Size <= 0)
            return Decode(_value, value);
        var stride = (_value.Size + 7) / 8 * 8; // per-CPU values are 8-byte aligned
        var values = new List<object?>();
        for (var offset = 0; offset + _value.Size <= value.Length; offset += stride)
            values.Add(Decode(_value, value.Slice(offset, _value.Size)));
        return values;
    }

    private static object? Decode(Shape? shape, ReadOnlySpan<byte> bytes) =>
        shape is null || shape.Size > bytes.Length ? Convert.ToHexString(bytes).ToLowerInvariant() : shape.Read(bytes[..shape.Size]);

    private static unsafe Shape? ShapeOf(nint btf, uint typeId, int depth)
    {
        if (typeId == 0 || depth > MaxDepth)
            return null;
        BtfType* type = Libbpf.btf__type_by_id(btf, typeId);
        if (type is null)
            return null;
        switch (type->Kind)
        {
            case BtfType.KindTypedef or BtfType.KindConst or BtfType.KindVolatile:
                return ShapeOf(btf, type->SizeOrType, depth + 1);
            case BtfType.KindInt:
                var encoding = *(uint*)(type + 1);
                return new IntegerShape((int)type->SizeOrType, ((encoding >> 24) & 1) != 0);
            case BtfType.KindEnum or BtfType.KindEnum64:
                return new IntegerShape((int)type->SizeOrType, false);
            case KindArray:
                var array = *(BtfArray*)(type + 1);
                var element = ShapeOf(btf, array.Type, depth + 1);
                return element is null ? null : new ArrayShape(element, (int)array.Nelems);
            case BtfType.KindStruct or BtfType.KindUnion:
                var members = new List<(string, int, Shape)>();
                foreach (var member in BtfType.Records<BtfMember>(type))
                {
                    var bitOffset = type->KindFlag ? member.Offset & 0xffffff : member.Offset;
                    var bitfield = type->KindFlag ? member.Offset >> 24 : 0;
                    if (bitfield != 0 || bitOffset % 8 != 0)
                        return null;
                    var shape = ShapeOf(btf, member.Type, depth + 1);
                    if (shape is null)
                        return null;
                    members.Add((NativeString.Read(Libbpf.btf__name_by_offset(btf, member.NameOff)), (int)(bitOffset / 8), shape));
                }
                return new StructShape((int)type->SizeOrType, members);
            default:
                return null;
        }
    }

    private const uint KindArray = 3;

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct BtfArray
    {
        public uint Type;
        public uint IndexType;
        public uint Nelems;
    }

    private abstract record Shape(int Size)
    {
        public abstract object? Read(ReadOnlySpan<byte> bytes);
    }

    private sealed record IntegerShape(int Bytes, bool Signed) : Shape(Bytes)
    {
        public override object? Read(ReadOnlySpan<byte> bytes) => (Bytes, Signed) switch
        {
            (1, false) => bytes[0],
            (1, true) => (sbyte)bytes[0],
            (2, false) => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            (2, true) => BinaryPrimitives.ReadInt16LittleEndian(bytes),
            (4, false) => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            (4, true) => BinaryPrimitives.ReadInt32LittleEndian(bytes),
            (8, false) => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            (8, true) => BinaryPrimitives.ReadInt64LittleEndian(bytes),
            _ => Convert.ToHexString(bytes).ToLowerInvariant(),
        };
    }

    private sealed record ArrayShape(Shape Element, int Count) : Shape(Element.Size * Count)
    {
        public override object? Read(ReadOnlySpan<byte> bytes)
        {
            if (Element is IntegerShape { Bytes: 1 } && Count > 16)
                return Convert.ToHexString(bytes).ToLowerInvariant(); // a byte buffer reads better as hex
            var items = new List<object?>(Count);
            for (var i = 0; i < Count; i++)
                items.Add(Element.Read(bytes.Slice(i * Element.Size, Element.Size)));
            return items;
        }
    }

    private sealed record StructShape(int Bytes, List<(string Name, int Offset, Shape Shape)> Members) : Shape(Bytes)
    {
        public override object? Read(ReadOnlySpan<byte> bytes)
        {
            var fields = new Dictionary<string, object?>(Members.Count);
            foreach (var (name, offset, shape) in Members)
            {
                if (offset + shape.Size <= bytes.Length)
                    fields[name.Length == 0 ? $"@{offset}" : name] = shape.Read(bytes.Slice(offset, shape.Size));
            }
            return fields;
        }
    }
}
