using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

// Task drain: creates COUNT tasks of the bench host's `work` tool (2025-11-25 `tools/call` with `params.task`) over
// one session, round-robin over the given instances (as a client behind a round-robin balancer without sticky
// sessions; each task runs on the instance that created it), CREATORS calls in flight at once. Then waits until every
// task is terminal — on the session's GET stream (`notifications/tasks/status`, pushed across instances through
// Redis), with a `tasks/list` sweep whenever nothing arrived for POLL seconds — and reads the ledger the `work`
// handler appends to ("<id> <pid>" per run) to count how often each task ran and where. Prints one result line; the
// exit code is 0 only if every task completed, ran once and was accepted.
//   dotnet bench/TaskDrain/bin/Release/net10.0/McpCqrs.Bench.TaskDrain.dll --urls http://127.0.0.1:5401/mcp,http://127.0.0.1:5402/mcp \
//     --ledger /tmp/ledger --count 1000 --millis 50 --slots 8 [--creators 16] [--poll 2] [--timeout 600] [--settle 1000] [--instances A=<pid>,B=<pid>]
// --slots is the number of worker slots of all instances together (instances × Mcp:Tasks:MaxConcurrency): it only
// enters the overhead figure, (wall time × slots − Σ millis) / count, the slot time a task costs beyond its own wait.
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var a = 0; a + 1 < args.Length; a += 2)
{
    options[args[a].TrimStart('-')] = args[a + 1];
}

int Int(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

if (!options.TryGetValue("urls", out var urlList) || !options.TryGetValue("ledger", out var ledger))
{
    Console.Error.WriteLine("usage: --urls URL[,URL...] --ledger FILE [--count 1000] [--millis 0] [--slots N] [--creators 16] [--poll 2] [--timeout 600] [--settle 1000] [--instances NAME=PID,...]");
    return 2;
}

var urls = urlList.Split(',').Select(u => new Uri(u)).ToArray();
var count = Int("count", 1000);
var millis = Int("millis", 0);
var slots = Int("slots", 4 * urls.Length);
var creators = Int("creators", 16);
var pollEvery = TimeSpan.FromSeconds(Int("poll", 2));
var timeout = TimeSpan.FromSeconds(Int("timeout", 600));
var settle = TimeSpan.FromMilliseconds(Int("settle", 1000));
var names = (options.GetValueOrDefault("instances") ?? string.Empty)
    .Split(',', StringSplitOptions.RemoveEmptyEntries)
    .Select(p => p.Split('='))
    .ToDictionary(p => p[1], p => p[0], StringComparer.Ordinal);

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = creators + 4, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
{
    Timeout = Timeout.InfiniteTimeSpan,
};
const string Accept = "application/json, text/event-stream";
string[] terminalStatuses = ["completed", "failed", "cancelled"];

// A POST's answer: the JSON body, or the response among the messages of an SSE body; null for 202 Accepted.
async Task<JsonObject?> PostAsync(Uri url, string? session, string body, CancellationToken cancellationToken = default)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    request.Headers.TryAddWithoutValidation("Accept", Accept);
    if (session is not null)
    {
        request.Headers.TryAddWithoutValidation("Mcp-Session-Id", session);
        request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", "2025-11-25");
    }

    using var response = await http.SendAsync(request, cancellationToken);
    var text = await response.Content.ReadAsStringAsync(cancellationToken);
    if (!response.IsSuccessStatusCode)
    {
        throw new HttpRequestException($"HTTP {(int)response.StatusCode}: {text}");
    }

    if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
    {
        return text.Split('\n')
            .Where(l => l.StartsWith("data:", StringComparison.Ordinal))
            .Select(l => JsonNode.Parse(l[5..])!.AsObject())
            .LastOrDefault(m => m.ContainsKey("id"));
    }

    return text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject();
}

string Request(int id, string method, JsonObject parameters) =>
    new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString();

// One session, opened on the first instance (sessions live in Redis: any instance serves it).
string session;
using (var init = new HttpRequestMessage(HttpMethod.Post, urls[0]))
{
    init.Content = new StringContent(
        Request(0, "initialize", new JsonObject
        {
            ["protocolVersion"] = "2025-11-25",
            ["capabilities"] = new JsonObject { ["tasks"] = new JsonObject() },
            ["clientInfo"] = new JsonObject { ["name"] = "task-drain", ["version"] = "1" },
        }),
        Encoding.UTF8,
        "application/json");
    init.Headers.TryAddWithoutValidation("Accept", Accept);
    using var response = await http.SendAsync(init);
    response.EnsureSuccessStatusCode();
    session = response.Headers.GetValues("Mcp-Session-Id").Single();
}

await PostAsync(urls[0], session, """{"jsonrpc":"2.0","method":"notifications/initialized"}""");

// Terminal states as the client learned them: task id → when (Stopwatch timestamp).
var terminal = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
var heard = new SemaphoreSlim(0);
var notified = 0;
using var stop = new CancellationTokenSource();
var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

async Task ListenAsync()
{
    using var request = new HttpRequestMessage(HttpMethod.Get, urls[0]);
    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
    request.Headers.TryAddWithoutValidation("Mcp-Session-Id", session);
    request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", "2025-11-25");
    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
    response.EnsureSuccessStatusCode();
    opened.TrySetResult();
    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
    while (await reader.ReadLineAsync(stop.Token) is { } line)
    {
        if (!line.StartsWith("data:", StringComparison.Ordinal) || !line.Contains("notifications/tasks/status", StringComparison.Ordinal))
        {
            continue;
        }

        var parameters = JsonNode.Parse(line[5..])!["params"]!;
        if (terminalStatuses.Contains(parameters["status"]!.GetValue<string>())
            && terminal.TryAdd(parameters["taskId"]!.GetValue<string>(), Stopwatch.GetTimestamp()))
        {
            Interlocked.Increment(ref notified);
            heard.Release();
        }
    }
}

var listening = Task.Run(async () =>
{
    try
    {
        await ListenAsync();
    }
    catch (Exception ex) when (stop.IsCancellationRequested || ex is OperationCanceledException)
    {
    }
    catch (Exception ex)
    {
        opened.TrySetException(ex);
    }
});
await opened.Task.WaitAsync(TimeSpan.FromSeconds(30));

// Every task of this session's owner, as tasks/list shows it (all pages).
async Task<Dictionary<string, JsonObject>> ListAsync()
{
    var tasks = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
    string? cursor = null;
    do
    {
        var page = (await PostAsync(urls[0], session, Request(1, "tasks/list", cursor is null ? [] : new JsonObject { ["cursor"] = cursor })))!["result"]!;
        foreach (var task in page["tasks"]!.AsArray())
        {
            tasks[task!["taskId"]!.GetValue<string>()] = task.AsObject();
        }

        cursor = page["nextCursor"]?.GetValue<string>();
    }
    while (cursor is not null);
    return tasks;
}

static string IdOf(int i) => "t" + i.ToString("D6", CultureInfo.InvariantCulture);

// Creation: CREATORS calls in flight, round-robin over the instances.
var taskOf = new string?[count];
var refusals = new ConcurrentBag<string>();
var createdOn = new int[urls.Length];
var next = -1;
var started = Stopwatch.GetTimestamp();

async Task CreateAsync()
{
    int i;
    while ((i = Interlocked.Increment(ref next)) < count)
    {
        var on = i % urls.Length;
        var call = Request(i + 10, "tools/call", new JsonObject
        {
            ["name"] = "work",
            ["arguments"] = new JsonObject { ["id"] = IdOf(i), ["millis"] = millis },
            ["task"] = new JsonObject(),
        });
        try
        {
            var reply = await PostAsync(urls[on], session, call);
            if (reply?["result"]?["task"]?["taskId"]?.GetValue<string>() is { } taskId)
            {
                taskOf[i] = taskId;
                Interlocked.Increment(ref createdOn[on]);
            }
            else
            {
                refusals.Add(reply?.ToJsonString() ?? "no answer");
            }
        }
        catch (HttpRequestException ex)
        {
            refusals.Add(ex.Message);
        }
    }
}

await Task.WhenAll(Enumerable.Range(0, creators).Select(_ => Task.Run(CreateAsync)));
var createsDone = Stopwatch.GetTimestamp();

// Drain: wake on each terminal notification; when none came for POLL seconds, sweep tasks/list once.
var polled = 0;
var sweeps = 0;
var ours = taskOf.OfType<string>().ToHashSet(StringComparer.Ordinal);
while (ours.Any(id => !terminal.ContainsKey(id)) && Stopwatch.GetElapsedTime(started) < timeout)
{
    if (await heard.WaitAsync(pollEvery))
    {
        continue;
    }

    sweeps++;
    var now = Stopwatch.GetTimestamp();
    foreach (var (taskId, task) in await ListAsync())
    {
        if (ours.Contains(taskId) && terminalStatuses.Contains(task["status"]!.GetValue<string>()) && terminal.TryAdd(taskId, now))
        {
            polled++;
        }
    }
}

var lastSeen = ours.Where(terminal.ContainsKey).Select(id => terminal[id]).DefaultIfEmpty(started).Max();
await stop.CancelAsync();
await listening;

// The store's view: status of each task, and its own first-create-to-last-update span.
var listed = await ListAsync();
var statuses = ours.Select(id => listed.TryGetValue(id, out var t) ? t["status"]!.GetValue<string>() : "missing").ToList();
var completed = statuses.Count(s => s == "completed");
var unfinished = statuses.Count(s => s is "working" or "input_required");
var otherwise = statuses.Count - completed - unfinished;
var stamps = ours.Where(listed.ContainsKey).Select(id => listed[id]).ToList();
DateTime Stamp(JsonObject t, string field) => DateTime.Parse(t[field]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
var serverSpan = stamps.Count == 0 ? TimeSpan.Zero : stamps.Max(t => Stamp(t, "lastUpdatedAt")) - stamps.Min(t => Stamp(t, "createdAt"));

// The ledger: how often each task ran, and in which process — read after SETTLE milliseconds, so a line written just
// before its task's completion was heard is in it, and a run that starts late would be counted.
await Task.Delay(settle);
var runs = new Dictionary<string, int>(StringComparer.Ordinal);
var byProcess = new SortedDictionary<string, int>(StringComparer.Ordinal);
foreach (var line in File.Exists(ledger) ? File.ReadAllLines(ledger) : [])
{
    var parts = line.Split(' ');
    if (parts.Length != 2)
    {
        continue;
    }

    runs[parts[0]] = runs.GetValueOrDefault(parts[0]) + 1;
    var name = names.GetValueOrDefault(parts[1]) ?? "pid " + parts[1];
    byProcess[name] = byProcess.GetValueOrDefault(name) + 1;
}

var accepted = Enumerable.Range(0, count).Where(i => taskOf[i] is not null).Select(IdOf).ToList();
var ranTwice = accepted.Count(id => runs.GetValueOrDefault(id) > 1);
var lost = accepted.Count(id => runs.GetValueOrDefault(id) == 0);
var stray = runs.Keys.Count(id => !accepted.Contains(id));

var wall = Stopwatch.GetElapsedTime(started, lastSeen);
var creates = Stopwatch.GetElapsedTime(started, createsDone);
var overhead = (wall.TotalMilliseconds * slots - (double)accepted.Count * millis) / Math.Max(1, accepted.Count);
var split = string.Join(", ", byProcess.Select(p => $"{p.Key} {p.Value}"));
var made = string.Join("/", createdOn);
Console.WriteLine(
    $"instances {urls.Length}, count {count}, millis {millis}, slots {slots}: wall {wall.TotalSeconds:F2} s (creates {creates.TotalSeconds:F2} s, server span {serverSpan.TotalSeconds:F2} s), "
    + $"{accepted.Count / wall.TotalSeconds:F1} tasks/s, {wall.TotalMilliseconds / Math.Max(1, accepted.Count):F2} ms/task, overhead {overhead:F1} slot-ms/task; "
    + $"created {made}, refused {refusals.Count}, completed {completed}, failed/cancelled {otherwise}, unfinished {unfinished}; "
    + $"ran twice {ranTwice}, lost {lost}, stray {stray}; ran on {split}; terminal by notification {notified}, by tasks/list {polled} ({sweeps} sweeps)");
foreach (var refusal in refusals.Distinct().Take(3))
{
    Console.Error.WriteLine("refused: " + refusal);
}

return refusals.IsEmpty && completed == accepted.Count && ranTwice == 0 && lost == 0 && stray == 0 ? 0 : 1;
