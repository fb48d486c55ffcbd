namespace Kmesh.Xds.Validation;

/// <summary>One broken rule: where in the message (proto field names, <c>[i]</c> for list items, <c>[key]</c> for map entries) and what is wrong.</summary>
/// <param name="Path">The field path from the validated message, e.g. <c>load_assignment.endpoints[0].lb_endpoints[0].load_balancing_weight</c>.</param>
/// <param name="Reason">protoc-gen-validate's wording, e.g. <c>value must be greater than or equal to 1</c>.</param>
public sealed record Violation(string Path, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => Path.Length == 0 ? Reason : $"{Path}: {Reason}";
}
