using System.Collections.Concurrent;
using Google.Protobuf.Reflection;
using Validate;

namespace Kmesh.Xds.Validation;

/// <summary>
/// What validating one message type involves, worked out once per descriptor and cached: the
/// fields that carry <c>(validate.rules)</c>, the fields to descend into (only those whose type can
/// hold a rule somewhere below, or an <c>Any</c>), and the oneofs marked <c>(validate.required)</c>.
/// Reading options means parsing descriptor extensions; doing it per message would dominate the cost.
/// </summary>
internal sealed class MessagePlan
{
    private static readonly ConcurrentDictionary<MessageDescriptor, MessagePlan> Plans = new();
    private static readonly ConcurrentDictionary<MessageDescriptor, bool> MayViolate = new();

    private MessagePlan(MessageDescriptor descriptor)
    {
        var options = descriptor.GetOptions();
        Disabled = options is not null && options.GetExtension(ValidateExtensions.Disabled);
        var fields = new List<FieldPlan>();
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            var rules = field.GetOptions()?.GetExtension(ValidateExtensions.Rules);
            var element = field.IsMap ? field.MessageType.FindFieldByNumber(2) : field;
            var descend = element.FieldType == FieldType.Message && !IsWellKnownLeaf(element.MessageType) && CanViolate(element.MessageType);
            if (rules is not null || descend)
                fields.Add(new FieldPlan(field, rules, descend, field.ContainingOneof is { IsSynthetic: false } || field.HasPresence && field.FieldType != FieldType.Message));
        }
        Fields = fields.ToArray();
        RequiredOneofs = descriptor.Oneofs.Where(o => !o.IsSynthetic && o.GetOptions()?.GetExtension(ValidateExtensions.Required) == true).ToArray();
    }

    /// <summary><c>(validate.disabled)</c>: nothing of this message is checked.</summary>
    public bool Disabled { get; }

    /// <summary>Fields with rules or worth descending into, in field-number order.</summary>
    public FieldPlan[] Fields { get; }

    /// <summary>Oneofs one of whose fields must be set.</summary>
    public OneofDescriptor[] RequiredOneofs { get; }

    public static MessagePlan For(MessageDescriptor descriptor) => Plans.GetOrAdd(descriptor, d => new MessagePlan(d));

    /// <summary>
    /// Whether a message of this type can break a rule anywhere inside it (its fields, their
    /// messages, an <c>Any</c> whose content is only known at run time). Recursive types are
    /// assumed to while being worked out, which errs on the side of looking.
    /// </summary>
    private static bool CanViolate(MessageDescriptor descriptor)
    {
        if (MayViolate.TryGetValue(descriptor, out var known))
            return known;
        MayViolate[descriptor] = true;
        var result = Compute(descriptor);
        MayViolate[descriptor] = result;
        return result;
    }

    private static bool Compute(MessageDescriptor descriptor)
    {
        if (descriptor.FullName == Google.Protobuf.WellKnownTypes.Any.Descriptor.FullName)
            return true;
        if (descriptor.Oneofs.Any(o => !o.IsSynthetic && o.GetOptions()?.GetExtension(ValidateExtensions.Required) == true))
            return true;
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            if (field.GetOptions()?.GetExtension(ValidateExtensions.Rules) is not null)
                return true;
            var element = field.IsMap ? field.MessageType.FindFieldByNumber(2) : field;
            if (element.FieldType == FieldType.Message && !IsWellKnownLeaf(element.MessageType) && CanViolate(element.MessageType))
                return true;
        }
        return false;
    }

    /// <summary>google.protobuf types other than Any carry no rules inside; their rules sit on the field that holds them.</summary>
    private static bool IsWellKnownLeaf(MessageDescriptor descriptor) =>
        descriptor.File.Package == "google.protobuf" && descriptor.Name != "Any";
}

/// <summary>One field of a <see cref="MessagePlan"/>.</summary>
/// <param name="Field">The field.</param>
/// <param name="Rules">Its <c>(validate.rules)</c>, or null.</param>
/// <param name="Descend">Whether its message values are validated themselves.</param>
/// <param name="HasPresence">Scalars whose rules apply only when set: oneof members and proto3 <c>optional</c>.</param>
internal sealed record FieldPlan(FieldDescriptor Field, FieldRules? Rules, bool Descend, bool HasPresence);
