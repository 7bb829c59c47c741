using System.Reflection;
using BenchmarkDotNet.Running;
using Instasent.SmppAdapter.Benchmarks;

// `session-load ...` is a load run against a live SMSC, `bus-load ...` one through RabbitMQ (ops/load.sh),
// `kannel-load ...` Kannel's side of `ops/load.sh --kannel`, `broker-trace ...` the broker's work per command,
// `chaos-load ...` and `tcp-proxy ...` the load and the link faults of ops/chaos.sh and ops/soak.sh,
// `replica-load ...` the stream and verdict of ops/replicas.sh, `priority-load ...` the priority lane under a backlog
// (ops/priority.sh), `redis-roundtrip ...` the CPU of one StackExchange.Redis round trip; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "session-load")
{
    return await SessionLoad.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "bus-load")
{
    return await BusLoad.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "priority-load")
{
    return await PriorityLoad.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "kannel-load")
{
    return await KannelLoad.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "chaos-load")
{
    return await ChaosLoad.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "replica-load")
{
    return await ReplicaLoad.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "tcp-proxy")
{
    return await TcpProxyCommand.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "redis-roundtrip")
{
    return await RedisRoundTrip.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "broker-trace")
{
    return await BrokerTrace.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "broker-headers")
{
    return await BrokerHeaderCost.RunAsync(args[1..]);
}

// typeof(Program) would be ambiguous: the referenced simulator also has a top-level Program.
BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args);
return 0;
