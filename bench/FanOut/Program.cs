using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

// SSE fan-out: opens STREAMS sessions, each with its GET stream, then asks one session's `broadcast` tool to send
// COUNT notifications to every open stream, and measures how long until every stream has received all of them.
//   dotnet run -c Release --project bench/FanOut -- http://127.0.0.1:5193/mcp [streams=100] [count=1000]
var url = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:5193/mcp");
var streams = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100;
var count = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1000;

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = streams + 8 }) { Timeout = Timeout.InfiniteTimeSpan };
const string Accept = "application/json, text/event-stream";

async Task<string> InitializeAsync()
{
    using var init = new HttpRequestMessage(HttpMethod.Post, url)
    {
        Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fanout","version":"1"}}}""", Encoding.UTF8, "application/json"),
    };
    init.Headers.TryAddWithoutValidation("Accept", Accept);
    using var response = await http.SendAsync(init);
    response.EnsureSuccessStatusCode();
    var session = response.Headers.GetValues("Mcp-Session-Id").Single();
    await PostAsync(session, """{"jsonrpc":"2.0","method":"notifications/initialized"}""");
    return session;
}

async Task<string> PostAsync(string session, string body)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    request.Headers.TryAddWithoutValidation("Accept", Accept);
    request.Headers.TryAddWithoutValidation("Mcp-Session-Id", session);
    request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", "2025-11-25");
    using var response = await http.SendAsync(request);
    response.EnsureSuccessStatusCode();
    return await response.Content.ReadAsStringAsync();
}

var sessions = await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => InitializeAsync()));
var received = new int[streams];
var done = new TaskCompletionSource();
var remaining = streams;
var opened = new CountdownEvent(streams);
using var stop = new CancellationTokenSource();

async Task ListenAsync(int index)
{
    using var request = new HttpRequestMessage(HttpMethod.Get, url);
    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
    request.Headers.TryAddWithoutValidation("Mcp-Session-Id", sessions[index]);
    request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", "2025-11-25");
    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
    response.EnsureSuccessStatusCode();
    opened.Signal();
    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
    while (await reader.ReadLineAsync(stop.Token) is { } line)
    {
        if (line.StartsWith("data:", StringComparison.Ordinal) && line.Contains("notifications/bench/tick", StringComparison.Ordinal)
            && ++received[index] == count && Interlocked.Decrement(ref remaining) == 0)
        {
            done.TrySetResult();
        }
    }
}

var listeners = Enumerable.Range(0, streams).Select(i => Task.Run(() => ListenAsync(i))).ToArray();
opened.Wait(TimeSpan.FromSeconds(30));
await Task.Delay(500); // every stream is subscribed before the first notification

var clock = Stopwatch.StartNew();
var call = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"broadcast\",\"arguments\":{\"count\":" + count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}}";
await PostAsync(sessions[0], call);
var finished = await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(60))) == done.Task;
clock.Stop();
await stop.CancelAsync();

var delivered = received.Sum();
Console.WriteLine(finished
    ? $"fan-out: {streams} streams x {count} notifications = {delivered} delivered in {clock.Elapsed.TotalSeconds:F2} s: {delivered / clock.Elapsed.TotalSeconds:F0} notifications/s"
    : $"fan-out: only {delivered} of {streams * count} notifications arrived within 60 s");
return finished ? 0 : 1;
