using Envoy.Config.Cluster.V3;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using LeastRequestPolicy = Envoy.Extensions.LoadBalancingPolicies.LeastRequest.V3.LeastRequest;
using MaglevPolicy = Envoy.Extensions.LoadBalancingPolicies.Maglev.V3.Maglev;
using RandomPolicy = Envoy.Extensions.LoadBalancingPolicies.Random.V3.Random;
using RingHashPolicy = Envoy.Extensions.LoadBalancingPolicies.RingHash.V3.RingHash;
using RoundRobinPolicy = Envoy.Extensions.LoadBalancingPolicies.RoundRobin.V3.RoundRobin;
using WrrLocalityPolicy = Envoy.Extensions.LoadBalancingPolicies.WrrLocality.V3.WrrLocality;

namespace Kmesh.Plugins.LoadBalance;

/// <summary>How a cluster's consistent-hash table is built.</summary>
internal abstract record HashTableSpec(int TableSize);

/// <summary>RING_HASH: Envoy's ring, sampled into a table of <paramref name="TableSize"/> entries.</summary>
internal sealed record RingHashSpec(ulong MinimumRingSize, ulong MaximumRingSize, int TableSize) : HashTableSpec(TableSize);

/// <summary>MAGLEV: a Maglev table of the given prime size (<paramref name="SizeGiven"/>: by maglev_lb_config.table_size).</summary>
internal sealed record MaglevSpec(int TableSize, bool SizeGiven = true) : HashTableSpec(TableSize);

/// <summary>What a cluster's load-balancing configuration becomes in the kernel.</summary>
/// <param name="Policy">The kernel policy.</param>
/// <param name="ChoiceCount">LEAST_REQUEST's samples per pick.</param>
/// <param name="Table">For consistent hashing, how to build the table; else null (a schedule).</param>
/// <param name="LocalityWeighted">The policy asks for locality-weighted balancing (wrr_locality).</param>
internal sealed record ClusterPolicy(LbPolicy Policy, uint ChoiceCount, HashTableSpec? Table, bool LocalityWeighted)
{
    /// <summary>Envoy's default choice_count.</summary>
    public const uint DefaultChoiceCount = 2;

    /// <summary>Table entries sampled from a ring: the ring's minimum size, within these bounds.</summary>
    public const int MinRingTable = 1024, MaxRingTable = 65536;

    private static readonly ClusterPolicy RoundRobin = new(LbPolicy.RoundRobin, 0, null, false);

    /// <summary>Envoy's name of the policy with what shapes it, for operators (config check).</summary>
    public string Describe() => (Policy, Table) switch
    {
        (LbPolicy.LeastRequest, _) => $"LEAST_REQUEST ({ChoiceCount} choices)",
        (_, RingHashSpec ring) => $"RING_HASH (table of {ring.TableSize})",
        (_, MaglevSpec maglev) => $"MAGLEV (table of {maglev.TableSize})",
        (LbPolicy.Random, _) => "RANDOM",
        _ => "ROUND_ROBIN",
    } + (LocalityWeighted ? ", locality weighted" : "");

    /// <summary>
    /// Reads lb_policy with its *_lb_config, or the typed load_balancing_policy, which supersedes
    /// it (the first policy of its list that this plugin knows, as Envoy picks the first it
    /// supports). Null when the configuration is invalid: the cluster is then left out, with an
    /// Error naming the field.
    /// </summary>
    public static ClusterPolicy? Of(Cluster cluster, ResourceRef resource, TranslationOutput output)
    {
        if (cluster.LoadBalancingPolicy is not null)
            return OfTyped(cluster.LoadBalancingPolicy, resource, "load_balancing_policy", output);
        return cluster.LbPolicy switch
        {
            Cluster.Types.LbPolicy.RoundRobin => RoundRobin,
            Cluster.Types.LbPolicy.Random => RoundRobin with { Policy = LbPolicy.Random },
            Cluster.Types.LbPolicy.LeastRequest => LeastRequest(cluster.LeastRequestLbConfig?.ChoiceCount,
                cluster.LeastRequestLbConfig?.ActiveRequestBias is not null, cluster.LeastRequestLbConfig?.SlowStartConfig is not null,
                resource, "least_request_lb_config", output),
            Cluster.Types.LbPolicy.RingHash => RingHash(cluster.RingHashLbConfig?.MinimumRingSize, cluster.RingHashLbConfig?.MaximumRingSize,
                resource, "ring_hash_lb_config", output),
            Cluster.Types.LbPolicy.Maglev => Maglev(cluster.MaglevLbConfig?.TableSize, resource, "maglev_lb_config.table_size", output),
            _ => Unsupported(resource, "lb_policy", $"{cluster.LbPolicy} is not supported", output),
        };
    }

    private static ClusterPolicy? OfTyped(LoadBalancingPolicy typed, ResourceRef resource, string field, TranslationOutput output)
    {
        for (var i = 0; i < typed.Policies.Count; i++)
        {
            var config = typed.Policies[i].TypedExtensionConfig?.TypedConfig;
            var at = $"{field}.policies[{i}].typed_extension_config.typed_config";
            if (config is null)
                continue;
            if (config.Is(RoundRobinPolicy.Descriptor))
                return RoundRobin;
            if (config.Is(RandomPolicy.Descriptor))
                return RoundRobin with { Policy = LbPolicy.Random };
            if (config.Is(LeastRequestPolicy.Descriptor))
            {
                var lr = config.Unpack<LeastRequestPolicy>();
                return LeastRequest(lr.ChoiceCount, lr.ActiveRequestBias is not null, lr.SlowStartConfig is not null, resource, at, output);
            }
            if (config.Is(RingHashPolicy.Descriptor))
            {
                var ring = config.Unpack<RingHashPolicy>();
                return RingHash(ring.MinimumRingSize, ring.MaximumRingSize, resource, at, output);
            }
            if (config.Is(MaglevPolicy.Descriptor))
                return Maglev(config.Unpack<MaglevPolicy>().TableSize, resource, at + ".table_size", output);
            if (config.Is(WrrLocalityPolicy.Descriptor))
            {
                var inner = config.Unpack<WrrLocalityPolicy>().EndpointPickingPolicy;
                var picked = inner is null ? RoundRobin : OfTyped(inner, resource, at + ".endpoint_picking_policy", output);
                return picked is null ? null : picked with { LocalityWeighted = true };
            }
            output.Info(resource, at, $"{TypeName(config)} is not supported; trying the next policy of the list");
        }
        return Unsupported(resource, field, "no policy of the list is supported", output);
    }

    private static ClusterPolicy? LeastRequest(uint? choiceCount, bool hasBias, bool hasSlowStart, ResourceRef resource, string field, TranslationOutput output)
    {
        if (choiceCount is < 2)
        {
            output.Error(resource, field + ".choice_count", $"must be at least 2 (is {choiceCount})");
            return null;
        }
        if (hasBias)
            output.Warn(resource, field + ".active_request_bias", "not applied: samples are drawn by weight, then the one with the fewest open connections wins");
        if (hasSlowStart)
            output.Warn(resource, field + ".slow_start_config", "slow start is not supported");
        var choices = choiceCount ?? DefaultChoiceCount;
        if (choices > LoadBalanceMaps.MaxChoices)
        {
            output.Warn(resource, field + ".choice_count", $"{choices} samples per connect; the kernel takes at most {LoadBalanceMaps.MaxChoices}");
            choices = LoadBalanceMaps.MaxChoices;
        }
        return new ClusterPolicy(LbPolicy.LeastRequest, choices, null, false);
    }

    private static ClusterPolicy? RingHash(ulong? minimum, ulong? maximum, ResourceRef resource, string field, TranslationOutput output)
    {
        var min = minimum ?? RingHashTable.DefaultMinimumRingSize;
        var max = maximum ?? RingHashTable.DefaultMaximumRingSize;
        if (min > RingHashTable.DefaultMaximumRingSize || max > RingHashTable.DefaultMaximumRingSize)
        {
            output.Error(resource, field, $"ring sizes are limited to {RingHashTable.DefaultMaximumRingSize} (minimum_ring_size {min}, maximum_ring_size {max})");
            return null;
        }
        if (min > max)
        {
            output.Error(resource, field + ".minimum_ring_size", $"{min} is larger than maximum_ring_size {max}");
            return null;
        }
        var tableSize = (int)Math.Clamp(min, MinRingTable, MaxRingTable);
        return new ClusterPolicy(LbPolicy.ConsistentHash, 0, new RingHashSpec(min, max, tableSize), false);
    }

    private static ClusterPolicy? Maglev(ulong? tableSize, ResourceRef resource, string field, TranslationOutput output)
    {
        var size = tableSize ?? MaglevTable.DefaultTableSize;
        if (!MaglevTable.IsPrime(size))
        {
            output.Error(resource, field, $"must be a prime number (is {size})");
            return null;
        }
        if (size > MaglevTable.MaxTableSize)
        {
            output.Warn(resource, field, $"{size} entries; the kernel table is limited to {MaglevTable.MaxTableSize}, which is used instead");
            size = MaglevTable.MaxTableSize;
        }
        return new ClusterPolicy(LbPolicy.ConsistentHash, 0, new MaglevSpec((int)size, tableSize is not null), false);
    }

    /// <summary>
    /// The table sized for <paramref name="endpoints"/>: a table with fewer entries than endpoints
    /// leaves some endpoints without any. A ring's table is only our sampling of the ring, so it
    /// grows (in powers of two, so that its size, which decides every client's entry, changes
    /// rarely) to 8 entries per endpoint, up to <see cref="MaxRingTable"/>; Maglev's default
    /// table becomes Envoy's 65537 when the endpoints outnumber it. An explicit table_size is
    /// kept, with a warning when the endpoints outnumber its entries.
    /// </summary>
    public ClusterPolicy SizedFor(int endpoints, ResourceRef resource, TranslationOutput output)
    {
        HashTableSpec? table = Table switch
        {
            RingHashSpec ring when endpoints > ring.TableSize / 8 && ring.TableSize < MaxRingTable =>
                ring with { TableSize = (int)Math.Min(MaxRingTable, Math.Max((ulong)ring.TableSize, System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)endpoints * 8))) },
            MaglevSpec { SizeGiven: false } maglev when endpoints > maglev.TableSize => new MaglevSpec(MaglevTable.MaxTableSize, false),
            _ => Table,
        };
        if (table is not null && endpoints > table.TableSize)
            output.Warn(resource, table is MaglevSpec ? "maglev_lb_config.table_size" : "ring_hash_lb_config",
                $"{endpoints} endpoints share a table of {table.TableSize} entries: at most {table.TableSize} of them take connects");
        return table == Table ? this : this with { Table = table };
    }

    private static ClusterPolicy Unsupported(ResourceRef resource, string field, string why, TranslationOutput output)
    {
        output.Warn(resource, field, $"{why}; using ROUND_ROBIN");
        return RoundRobin;
    }

    private static string TypeName(Any config) => config.TypeUrl[(config.TypeUrl.LastIndexOf('/') + 1)..];
}
