using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.LoadBalance;

/// <summary>A usable endpoint of a cluster with its effective load-balancing weight.</summary>
/// <param name="Address">The endpoint as configured.</param>
/// <param name="Weight">Its weight in the table.</param>
/// <param name="MappedToV6">An IPv4 endpoint in an IPv6 table (reached as ::ffff:a.b.c.d); kept unmapped, so no address is made per endpoint.</param>
internal readonly record struct WeightedEndpoint(IPEndPoint Address, uint Weight, bool MappedToV6 = false)
{
    /// <summary>The endpoint itself, as its id knows it: v4-mapped addresses as IPv4.</summary>
    public IPEndPoint Own => MappedToV6 ? Address : ScheduleWriter.Unmapped(Address);
}

/// <summary>
/// The endpoints a cluster balances over, each weighted by the share of connects Envoy would
/// give it: priority load × locality share × endpoint share.
/// <list type="bullet">
/// <item><b>Priority load</b> (Envoy's "priority levels"): a level's health is the share of its
/// hosts that are healthy (HEALTHY or UNKNOWN) × the overprovisioning factor
/// (<c>policy.overprovisioning_factor</c>, default 140), in integer percent capped at 100; its
/// degraded availability likewise from its DEGRADED hosts. The 100% of load goes to the levels
/// in priority order, each taking its health scaled by the normalized total availability
/// (Σ health + degraded, capped at 100); what is left then goes to degraded hosts the same way;
/// a rounding remainder goes to the first level with health (else with degraded hosts).
/// UNHEALTHY and TIMEOUT hosts count as hosts of their level but never get load; DRAINING hosts
/// are excluded (as Envoy does since 1.29): no load, and not counted in their level's health.</item>
/// <item><b>Locality share</b>, only with <c>common_lb_config.locality_weighted_lb_config</c>: a
/// locality's <c>load_balancing_weight</c> (unset: no load) × min(1, its available share of all
/// its hosts × factor), normalized within the level. Without it, localities are ignored.</item>
/// <item><b>Endpoint share</b>: <c>load_balancing_weight</c> (default 1) among the level's (or
/// locality's) hosts of the same kind (healthy, or degraded).</item>
/// </list>
/// Unlike Envoy there is no panic mode: unavailable hosts never get connects. When the health
/// scores round down to nothing while some host is available, the available hosts of the most
/// preferred level that has any take all the load.
/// </summary>
internal static class ClusterEndpoints
{
    /// <summary>Envoy's default overprovisioning factor, in percent.</summary>
    public const uint DefaultOverprovisioningFactor = 140;

    private enum Availability { Healthy, Degraded, Unavailable, Excluded }

    /// <summary>One host of the assignment: unavailable ones have no address (they are never connected to).</summary>
    private sealed record Host(uint Priority, int Locality, Availability Availability, uint Weight, IPEndPoint? Address);

    public static List<WeightedEndpoint> Usable(string cluster, ClusterLoadAssignment? assignment, bool localityWeighted, TranslationOutput output) =>
        Usable(cluster, assignment, localityWeighted, output, shortcut: true);

    /// <summary>The same, choosing whether the usual case may skip the exact fractions (tests compare the two).</summary>
    internal static List<WeightedEndpoint> Usable(string cluster, ClusterLoadAssignment? assignment, bool localityWeighted, TranslationOutput output,
        bool shortcut)
    {
        var result = new List<WeightedEndpoint>();
        if (assignment is null)
            return result;
        var resource = ResourceRef.Cluster(cluster);
        var factor = OverprovisioningFactor(assignment, resource, output);
        var weightedHealth = assignment.Policy?.WeightedPriorityHealth ?? false;

        var hosts = new List<Host>();
        for (var l = 0; l < assignment.Endpoints.Count; l++)
        {
            var locality = assignment.Endpoints[l];
            if (localityWeighted && locality.LoadBalancingWeight == 0)
                output.Warn(resource, $"endpoints[{l}].load_balancing_weight", "must be at least 1; the locality gets no load");
            for (var e = 0; e < locality.LbEndpoints.Count; e++)
            {
                var host = ToHost(locality.LbEndpoints[e], locality.Priority, l, e, resource, output);
                if (host is not null)
                    hosts.Add(host);
            }
        }
        if (!hosts.Any(h => h.Availability is Availability.Healthy or Availability.Degraded))
            return result;
        if (shortcut && !localityWeighted && AllHealthyAtOnePriority(hosts))
        {
            // The usual case, worked out without fractions: one level whose hosts are all available
            // takes all the load (its health is the factor, capped at 100, over a total of the same),
            // and each host its weight's share of it; the shares as integers reduced by their gcd
            // are the weights reduced by theirs. The general path below gives the same numbers.
            var gcd = 0u;
            foreach (var host in hosts)
                gcd = Gcd(gcd, host.Weight);
            foreach (var host in hosts)
                result.Add(new WeightedEndpoint(host.Address!, host.Weight / gcd));
            return result;
        }

        // In the assignment's order, priority by priority: the schedule's layout is deterministic.
        var levels = hosts.GroupBy(h => h.Priority).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        var health = levels.Select(level => Score(level, Availability.Healthy, factor, weightedHealth)).ToArray();
        var degraded = levels.Select(level => Score(level, Availability.Degraded, factor, weightedHealth)).ToArray();
        var (healthyLoad, degradedLoad) = PriorityLoad(health, degraded);
        if (healthyLoad.Sum(l => (long)l) + degradedLoad.Sum(l => (long)l) == 0)
        {
            // The scores rounded down to 0 everywhere: the most preferred available hosts take it all.
            var first = levels.FindIndex(level => level.Any(h => h.Availability == Availability.Healthy));
            if (first >= 0)
                healthyLoad[first] = 100;
            else
                degradedLoad[levels.FindIndex(level => level.Any(h => h.Availability == Availability.Degraded))] = 100;
        }

        var shares = new Dictionary<Host, Fraction>(ReferenceEqualityComparer.Instance);
        for (var p = 0; p < levels.Count; p++)
        {
            Distribute(levels[p], Availability.Healthy, healthyLoad[p], assignment, localityWeighted, factor, shares);
            Distribute(levels[p], Availability.Degraded, degradedLoad[p], assignment, localityWeighted, factor, shares);
        }

        var weighted = levels.SelectMany(level => level).Where(shares.ContainsKey).ToList();
        var weights = ToIntegers(weighted.Select(h => shares[h]).ToList());
        for (var i = 0; i < weighted.Count; i++)
            result.Add(new WeightedEndpoint(weighted[i].Address!, weights[i]));
        return result;
    }

    private static bool AllHealthyAtOnePriority(List<Host> hosts)
    {
        foreach (var host in hosts)
        {
            if (host.Availability != Availability.Healthy || host.Priority != hosts[0].Priority)
                return false;
        }
        return true;
    }

    private static uint Gcd(uint a, uint b)
    {
        while (b != 0)
            (a, b) = (b, a % b);
        return a;
    }

    private static uint OverprovisioningFactor(ClusterLoadAssignment assignment, ResourceRef resource, TranslationOutput output)
    {
        var factor = assignment.Policy?.OverprovisioningFactor;
        if (factor is null)
            return DefaultOverprovisioningFactor;
        if (factor == 0)
        {
            output.Warn(resource, "policy.overprovisioning_factor", $"must be greater than 0; using the default {DefaultOverprovisioningFactor}");
            return DefaultOverprovisioningFactor;
        }
        return factor.Value;
    }

    /// <summary>
    /// A level's health (or degraded availability) in integer percent: share of its hosts (or of
    /// their weights) × factor, at most 100. Excluded (draining) hosts do not count.
    /// </summary>
    private static uint Score(List<Host> level, Availability kind, uint factor, bool byWeight)
    {
        ulong total = 0, available = 0;
        foreach (var host in level)
        {
            if (host.Availability == Availability.Excluded)
                continue;
            var amount = byWeight ? host.Weight : 1u;
            total += amount;
            if (host.Availability == kind)
                available += amount;
        }
        if (total == 0)
            return 0;
        return (uint)Math.Min(100UL, (ulong)((UInt128)factor * available / total));
    }

    /// <summary>Envoy's priority load: integer percents per level for healthy and for degraded hosts.</summary>
    private static (uint[] Healthy, uint[] Degraded) PriorityLoad(uint[] health, uint[] degraded)
    {
        var healthyLoad = new uint[health.Length];
        var degradedLoad = new uint[health.Length];
        var normalized = (uint)Math.Min(100L, health.Sum(h => (long)h) + degraded.Sum(d => (long)d));
        if (normalized == 0)
            return (healthyLoad, degradedLoad);
        var remaining = 100u;
        for (var p = 0; p < health.Length; p++)
        {
            healthyLoad[p] = Math.Min(remaining, health[p] * 100 / normalized);
            remaining -= healthyLoad[p];
        }
        for (var p = 0; p < degraded.Length; p++)
        {
            degradedLoad[p] = Math.Min(remaining, degraded[p] * 100 / normalized);
            remaining -= degradedLoad[p];
        }
        if (remaining > 0)
        {
            var firstHealthy = Array.FindIndex(health, h => h > 0);
            if (firstHealthy >= 0)
                healthyLoad[firstHealthy] += remaining;
            else
                degradedLoad[Array.FindIndex(degraded, d => d > 0)] += remaining;
        }
        return (healthyLoad, degradedLoad);
    }

    /// <summary>Spreads a level's load (percent) over its hosts of one kind: by locality weight if enabled, then by endpoint weight.</summary>
    private static void Distribute(List<Host> level, Availability kind, uint load, ClusterLoadAssignment assignment, bool localityWeighted,
        uint factor, Dictionary<Host, Fraction> shares)
    {
        var candidates = level.Where(h => h.Availability == kind).ToList();
        if (load == 0 || candidates.Count == 0)
            return;
        var levelLoad = new Fraction(load, 100);
        if (localityWeighted)
        {
            // effective weight = locality weight × min(1, available share × factor)
            var localities = level.GroupBy(h => h.Locality).Select(g =>
            {
                var total = g.Count();
                var available = g.Count(h => h.Availability == kind);
                var weight = assignment.Endpoints[g.Key].LoadBalancingWeight ?? 0;
                var ratio = Fraction.Min(new Fraction((BigInteger)factor * available, (BigInteger)total * 100), Fraction.One);
                return (Hosts: g.Where(h => h.Availability == kind).ToList(), Weight: ratio * new Fraction(weight, 1));
            }).Where(l => l.Hosts.Count > 0 && !l.Weight.IsZero).ToList();
            var sum = localities.Aggregate(Fraction.Zero, (s, l) => s + l.Weight);
            if (!sum.IsZero)
            {
                foreach (var (hosts, weight) in localities)
                    ByEndpointWeight(hosts, levelLoad * weight / sum, shares);
                return;
            }
            // No locality can take load: Envoy then balances over the level's hosts without localities.
        }
        ByEndpointWeight(candidates, levelLoad, shares);
    }

    private static void ByEndpointWeight(List<Host> hosts, Fraction load, Dictionary<Host, Fraction> shares)
    {
        var total = hosts.Aggregate(BigInteger.Zero, (s, h) => s + h.Weight);
        foreach (var host in hosts)
            shares[host] = load * new Fraction(host.Weight, total);
    }

    /// <summary>
    /// Exact shares as integer weights in the same proportions (reduced by their gcd). When those
    /// do not fit 32 bits they are scaled to a total of 2^30, each positive share keeping at least
    /// 1: far finer than the schedule's slots, so the schedule still holds every share within one slot.
    /// </summary>
    private static uint[] ToIntegers(List<Fraction> shares)
    {
        var lcm = shares.Aggregate(BigInteger.One, (l, s) => l / BigInteger.GreatestCommonDivisor(l, s.Denominator) * s.Denominator);
        var exact = shares.Select(s => s.Numerator * (lcm / s.Denominator)).ToArray();
        var gcd = exact.Aggregate(BigInteger.Zero, BigInteger.GreatestCommonDivisor);
        if (gcd.IsZero)
            return new uint[shares.Count];
        exact = exact.Select(w => w / gcd).ToArray();
        if (exact.All(w => w <= uint.MaxValue))
            return exact.Select(w => (uint)w).ToArray();
        var sum = exact.Aggregate(BigInteger.Zero, (s, w) => s + w);
        var scale = new BigInteger(1) << 30;
        return exact.Select(w => w.IsZero ? 0u : (uint)BigInteger.Max(BigInteger.One, (w * scale + sum / 2) / sum)).ToArray();
    }

    private static Host? ToHost(LbEndpoint lbEndpoint, uint priority, int locality, int index, ResourceRef resource, TranslationOutput output)
    {
        // Spelled out only for a warning: every endpoint of the mesh passes here.
        string Field() => $"endpoints[{locality}].lb_endpoints[{index}]";
        var weight = lbEndpoint.LoadBalancingWeight ?? 1u;
        if (weight == 0)
            return null;
        if (lbEndpoint.HealthStatus is HealthStatus.Unhealthy or HealthStatus.Timeout)
            return new Host(priority, locality, Availability.Unavailable, weight, null);
        if (lbEndpoint.HealthStatus is HealthStatus.Draining)
            return new Host(priority, locality, Availability.Excluded, weight, null);
        if (lbEndpoint.HostIdentifierCase != LbEndpoint.HostIdentifierOneofCase.Endpoint)
        {
            output.Warn(resource, Field(), "endpoint given by endpoint_name is not supported; skipped");
            return null;
        }
        var address = lbEndpoint.Endpoint.Address;
        if (address?.AddressCase != Address.AddressOneofCase.SocketAddress)
        {
            output.Warn(resource, Field() + ".endpoint.address", "only socket addresses can be connected to; skipped");
            return null;
        }
        var socket = address.SocketAddress;
        if (!IPAddress.TryParse(socket.Address, out var ip))
        {
            output.Warn(resource, Field() + ".endpoint.address.socket_address.address", $"'{socket.Address}' is not an IP address; skipped");
            return null;
        }
        if (socket.PortValue is 0 or > 65535)
        {
            output.Warn(resource, Field() + ".endpoint.address.socket_address.port_value", "needs a port between 1 and 65535; skipped");
            return null;
        }
        var availability = lbEndpoint.HealthStatus == HealthStatus.Degraded ? Availability.Degraded : Availability.Healthy;
        return new Host(priority, locality, availability, weight, new IPEndPoint(ip, (int)socket.PortValue));
    }

    /// <summary>The endpoints an IPv6 connect can reach: IPv6 ones, or IPv4 ones as v4-mapped when there are none.</summary>
    public static List<WeightedEndpoint> ForIPv6(List<WeightedEndpoint> endpoints)
    {
        if (endpoints.Exists(e => e.Address.AddressFamily == AddressFamily.InterNetworkV6))
            return endpoints.FindAll(e => e.Address.AddressFamily == AddressFamily.InterNetworkV6);
        return endpoints.ConvertAll(e => e with { MappedToV6 = true });
    }

    /// <summary>The endpoints an IPv4 connect can reach.</summary>
    /// <remarks>The list itself when all are IPv4 (the usual case): the tables only read it.</remarks>
    public static List<WeightedEndpoint> ForIPv4(List<WeightedEndpoint> endpoints) =>
        endpoints.TrueForAll(e => e.Address.AddressFamily == AddressFamily.InterNetwork)
            ? endpoints
            : endpoints.FindAll(e => e.Address.AddressFamily == AddressFamily.InterNetwork);

    /// <summary>An exact non-negative fraction, kept reduced.</summary>
    private readonly record struct Fraction
    {
        public Fraction(BigInteger numerator, BigInteger denominator)
        {
            var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
            if (gcd.IsZero)
                gcd = BigInteger.One;
            Numerator = numerator / gcd;
            Denominator = denominator / gcd;
            if (Numerator.IsZero)
                Denominator = BigInteger.One;
        }

        public BigInteger Numerator { get; }
        public BigInteger Denominator { get; }
        public bool IsZero => Numerator.IsZero;

        public static Fraction Zero => new(0, 1);
        public static Fraction One => new(1, 1);

        public static Fraction operator +(Fraction a, Fraction b) =>
            new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

        public static Fraction operator *(Fraction a, Fraction b) =>
            new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

        public static Fraction operator /(Fraction a, Fraction b) =>
            new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

        public static Fraction Min(Fraction a, Fraction b) =>
            a.Numerator * b.Denominator <= b.Numerator * a.Denominator ? a : b;
    }
}
