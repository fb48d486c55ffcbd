using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Envoy.Config.Endpoint.V3;
using Kmesh.Envoy.Api;
using Validate;

namespace Kmesh.Xds.Validation;

/// <summary>
/// Evaluates the protoc-gen-validate rules Envoy's protos carry (<c>(validate.rules)</c> on fields,
/// <c>(validate.required)</c> on oneofs) on any message, recursively, including the messages packed
/// in <c>google.protobuf.Any</c> (typed_config) whose type the generated API knows. These are the
/// checks Envoy runs on every resource it receives (<c>MessageUtil::validate</c>) before it looks at
/// its meaning; a violation there makes Envoy NACK, so it makes us NACK too.
/// </summary>
public static class ProtoValidator
{
    /// <summary>Every violation in <paramref name="message"/>, paths relative to it; empty when it is valid.</summary>
    public static List<Violation> Validate(IMessage message) => Validate(message, LbEndpointProof.Enabled);

    /// <summary>The same, choosing whether the quick proofs may stand in for the walk (tests compare the two).</summary>
    internal static List<Violation> Validate(IMessage message, bool proofs)
    {
        var violations = new List<Violation>();
        Walk(message, PathNode.Root, violations, proofs);
        return violations;
    }

    private static void Walk(IMessage message, PathNode path, List<Violation> violations, bool proofs)
    {
        if (message is Any any)
        {
            WalkAny(any, path, violations, proofs);
            return;
        }
        var plan = MessagePlan.For(message.Descriptor);
        if (plan.Disabled)
            return;
        foreach (var oneof in plan.RequiredOneofs)
        {
            if (oneof.Accessor.GetCaseFieldDescriptor(message) is null)
                violations.Add(new Violation(path.Field(oneof.Name).Text, "value is required"));
        }
        foreach (var field in plan.Fields)
            WalkField(message, field, path, violations, proofs);
    }

    private static void WalkField(IMessage message, FieldPlan plan, PathNode parent, List<Violation> violations, bool proofs)
    {
        var field = plan.Field;
        var rules = plan.Rules;
        // The path link is made only once something may use it: most visited fields are unset or empty.
        PathNode path;
        if (field.IsMap)
        {
            var map = (IDictionary)field.Accessor.GetValue(message);
            if (map.Count == 0 && rules?.Map is null)
                return;
            path = parent.Field(field.Name);
            if (rules?.Map is { } mapRules)
                RuleChecks.Map(map, mapRules, path, violations);
            foreach (DictionaryEntry entry in map)
            {
                var at = path.Item(entry.Key);
                if (rules?.Map?.Keys is { } keys)
                    RuleChecks.Value(entry.Key, field.MessageType.FindFieldByNumber(1), keys, at, violations);
                if (rules?.Map?.Values is { } values)
                    RuleChecks.Value(entry.Value, field.MessageType.FindFieldByNumber(2), values, at, violations);
                if (plan.Descend && entry.Value is IMessage inner && rules?.Map?.Values?.Message?.Skip != true)
                    Walk(inner, at, violations, proofs);
            }
            return;
        }
        if (field.IsRepeated)
        {
            var list = (IList)field.Accessor.GetValue(message);
            if (list.Count == 0 && rules?.Repeated is null)
                return;
            path = parent.Field(field.Name);
            if (rules?.Repeated is { } repeated)
                RuleChecks.Repeated(list, repeated, path, violations);
            var items = rules?.Repeated?.Items;
            for (var i = 0; i < list.Count; i++)
            {
                if (proofs && items is null && list[i] is LbEndpoint endpoint && LbEndpointProof.Holds(endpoint))
                    continue; // the usual endpoint, proven valid without the walk
                var at = path.Item(i);
                if (items is not null)
                    RuleChecks.Value(list[i], field, items, at, violations);
                if (plan.Descend && list[i] is IMessage inner && items?.Message?.Skip != true)
                    Walk(inner, at, violations, proofs);
            }
            return;
        }
        if (plan.HasPresence && field.ContainingOneof is { } oneof && oneof.Accessor.GetCaseFieldDescriptor(message) != field)
            return; // a oneof member's rules apply only when it is the one set
        if (plan.HasPresence && field.ContainingOneof is null && !field.Accessor.HasValue(message))
            return;
        var value = field.Accessor.GetValue(message);
        if (rules is null && (!plan.Descend || value is not IMessage))
            return;
        path = parent.Field(field.Name);
        if (rules is not null)
            RuleChecks.Value(value, field, rules, path, violations);
        if (plan.Descend && value is IMessage child && rules?.Message?.Skip != true)
            Walk(child, path, violations, proofs);
    }

    /// <summary>Validates the packed message when its type is one the generated API has; Envoy rejects unknown types elsewhere.</summary>
    private static void WalkAny(Any any, PathNode path, List<Violation> violations, bool proofs)
    {
        if (any.TypeUrl.Length == 0)
            return;
        var descriptor = EnvoyTypes.Registry.Find(Any.GetTypeName(any.TypeUrl));
        if (descriptor?.Parser is null)
            return;
        IMessage inner;
        try
        {
            inner = descriptor.Parser.ParseFrom(any.Value);
        }
        catch (InvalidProtocolBufferException e)
        {
            violations.Add(new Violation(path.Text, $"does not parse as {descriptor.FullName}: {e.Message}"));
            return;
        }
        Walk(inner, path, violations, proofs);
    }
}
