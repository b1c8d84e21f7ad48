using McpCqrs.Mcp.Behaviors;
using System.Diagnostics.Metrics;
using McpCqrs.Mcp.Diagnostics;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Resources;
using McpCqrs.Mcp.InMemory;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>Announcements after a commit are best-effort: a failing one is counted, never thrown, and stops no other.</summary>
public sealed class AnnouncementTests
{
    [Fact]
    public async Task A_failing_listener_and_a_failing_session_neither_throw_nor_stop_the_others_and_each_failure_is_counted()
    {
        var subscriptions = new InMemoryResourceSubscriptions();
        await subscriptions.SubscribeAsync("broken", "docs://7", 10, CancellationToken.None);
        await subscriptions.SubscribeAsync("live", "docs://7", 10, CancellationToken.None);
        var notifier = new FailingFor("broken");
        var heard = new Listener();
        using var failures = new FailureCount();

        await new ResourceNotifier(subscriptions, notifier, [new Listener(fail: true), heard], NullLogger<ResourceNotifier>.Instance).ResourceUpdatedAsync("docs://7");

        Assert.Equal(["docs://7"], heard.Heard);
        Assert.Equal(["live"], notifier.Sent);
        Assert.Equal(2, failures.Of(Announcements.ResourceUpdated));
    }

    [Fact]
    public async Task A_subscription_store_that_cannot_be_read_still_lets_the_listeners_hear_and_nothing_is_thrown()
    {
        var heard = new Listener();
        using var failures = new FailureCount();

        await new ResourceNotifier(new UnreachableSubscriptions(), new FailingFor(), [heard], NullLogger<ResourceNotifier>.Instance).ResourceUpdatedAsync("docs://8");

        Assert.Equal(["docs://8"], heard.Heard);
        Assert.Equal(1, failures.Of(Announcements.ResourceUpdated));
    }

    [Fact]
    public async Task A_cancelled_caller_does_not_cancel_the_announcement_of_what_it_committed()
    {
        var heard = new Listener();
        var behavior = new ResourceChangeBehavior<QsRenameDocument, int>(new ResourceNotifier(new InMemoryResourceSubscriptions(), new FailingFor(), [heard], NullLogger<ResourceNotifier>.Instance));
        using var cancelled = new CancellationTokenSource();

        var result = await behavior.Handle(new QsRenameDocument(3, "t"), (_, _) => { cancelled.Cancel(); return ValueTask.FromResult(5); }, cancelled.Token);

        Assert.Equal(5, result);
        Assert.Equal(["docs://3", "docs://list?version=5"], heard.Heard);
    }

    private sealed class Listener(bool fail = false) : IResourceUpdateListener
    {
        public List<string> Heard { get; } = [];

        public ValueTask ResourceUpdatedAsync(string uri, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (fail)
            {
                throw new InvalidOperationException("Redis is down.");
            }

            Heard.Add(uri);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class FailingFor(params string[] broken) : IMcpNotifier
    {
        public List<string> Sent { get; } = [];

        public ValueTask<bool> NotifyAsync(string sessionId, JsonRpcNotification notification, CancellationToken cancellationToken = default)
        {
            if (broken.Contains(sessionId))
            {
                throw new InvalidOperationException("Redis is down.");
            }

            Sent.Add(sessionId);
            return ValueTask.FromResult(true);
        }

        public ValueTask BroadcastAsync(JsonRpcNotification notification, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }

    private sealed class UnreachableSubscriptions : IResourceSubscriptions
    {
        public Task<bool> SubscribeAsync(string sessionId, string uri, int maxPerSession, CancellationToken cancellationToken) => throw new InvalidOperationException("Redis is down.");

        public Task UnsubscribeAsync(string sessionId, string uri, CancellationToken cancellationToken) => throw new InvalidOperationException("Redis is down.");

        public Task<IReadOnlyCollection<string>> SubscribersAsync(string uri, CancellationToken cancellationToken) => throw new InvalidOperationException("Redis is down.");

        public Task RemoveSessionAsync(string sessionId, CancellationToken cancellationToken) => throw new InvalidOperationException("Redis is down.");
    }

    /// <summary>Counts <c>mcpcqrs.announcements.failed</c> measurements made on this test's async flow.</summary>
    private sealed class FailureCount : IDisposable
    {
        private static readonly AsyncLocal<FailureCount?> Current = new();
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _counts = [];

        public FailureCount()
        {
            Current.Value = this;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ApplicationTelemetry.SourceName && instrument.Name == "mcpcqrs.announcements.failed")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                if (Current.Value != this)
                {
                    return;
                }

                foreach (var tag in tags)
                {
                    if (tag.Key == "kind" && tag.Value is string kind)
                    {
                        lock (_counts)
                        {
                            _counts[kind] = _counts.GetValueOrDefault(kind) + value;
                        }
                    }
                }
            });
            _listener.Start();
        }

        public long Of(string kind)
        {
            lock (_counts)
            {
                return _counts.GetValueOrDefault(kind);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
