using System.Globalization;
using McpCqrs.Bench.FanOut;

// SSE fan-out and scale, against hosts with the bench `broadcast` tool (bench/peers/McpCqrsHost).
//
// burst: opens STREAMS sessions, each with its GET stream, has one `broadcast` call send COUNT notifications to every
// open stream and measures how long until every stream has received all of them (notifications/s).
//   dotnet bench/FanOut/bin/Release/net10.0/McpCqrs.Bench.FanOut.dll http://127.0.0.1:5193/mcp [streams=100] [count=1000]
//
// scale: opens N sessions with their GET streams spread round-robin over the given instances, waits until every
// stream is open, lets the hosts settle, measures an idle phase (host CPU, keep-alives, resident memory per stream;
// the hosts' idle CPU before any stream too), then calls `broadcast`
// on the first instance once a second for D seconds and records each notification's delivery latency (receive time
// minus its params.sentAtMicros), what each stream received, lost and received twice. Prints one line of key=value.
//   dotnet bench/FanOut/bin/Release/net10.0/McpCqrs.Bench.FanOut.dll scale urls=http://127.0.0.1:5300/mcp,http://127.0.0.1:5301/mcp \
//     streams=1000 pids=1234,1235 redis=999 settle=10 idle=30 duration=30 count=1 concurrency=32 label=run1
if (args.Length > 0 && args[0] == "scale")
{
    var options = args.Skip(1).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty, StringComparer.Ordinal);
    string Get(string key, string fallback) => options.TryGetValue(key, out var value) && value.Length > 0 ? value : fallback;
    int Int(string key, int fallback) => int.Parse(Get(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
    List<int> Pids(string key) => [.. Get(key, string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture))];

    var settings = new ScaleSettings(
        Urls: [.. Get("urls", "http://127.0.0.1:5300/mcp").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u))],
        Streams: Int("streams", 1000),
        HostPids: Pids("pids"),
        RedisPid: Pids("redis").Cast<int?>().FirstOrDefault(),
        SettleSeconds: Int("settle", 10),
        IdleSeconds: Int("idle", 30),
        DurationSeconds: Int("duration", 20),
        CountPerBroadcast: Int("count", 1),
        DrainSeconds: Int("drain", 30),
        Concurrency: Int("concurrency", 32),
        Label: Get("label", "run"));
    return await ScaleRun.RunAsync(settings);
}

var url = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:5193/mcp");
var streams = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
var count = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
return await BurstRun.RunAsync(url, streams, count);
