using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// What a process allocates, by type, per request: reads an EventPipe trace (dotnet-trace with the runtime's GC
// keyword at verbose level, which samples an allocation tick about every 100 KB per heap) and prints the sampled bytes
// of each type over the REQUESTS served while it was taken, largest first. Sampled, so a type's figure is an estimate:
// good for where the bytes go, not for the total (dotnet-counters gives that).
//   McpCqrs.Bench.AllocTypes TRACE.nettrace REQUESTS [TOP]
if (args.Length < 2 || !double.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out var requests) || requests <= 0)
{
    Console.Error.WriteLine("usage: McpCqrs.Bench.AllocTypes TRACE.nettrace REQUESTS [TOP]");
    return 2;
}

var top = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 25;
var bytes = new Dictionary<string, long>(StringComparer.Ordinal);
long total = 0;
using (var source = new EventPipeEventSource(args[0]))
{
    source.Clr.GCAllocationTick += (GCAllocationTickTraceData tick) =>
    {
        var type = string.IsNullOrEmpty(tick.TypeName) ? "(unnamed)" : tick.TypeName;
        bytes[type] = bytes.GetValueOrDefault(type) + tick.AllocationAmount64;
        total += tick.AllocationAmount64;
    };
    source.Process();
}

Console.WriteLine($"{total / requests,9:F0} B per request sampled in all");
foreach (var (type, amount) in bytes.OrderByDescending(p => p.Value).Take(top))
{
    Console.WriteLine($"{amount / requests,9:F0} B  {type}");
}

return 0;
