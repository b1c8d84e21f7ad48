using McpCqrs.Mcp.Behaviors;
using Mediator;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Resources;
using McpCqrs.Mcp.InMemory;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>A command that changes the document it names and the list of documents.</summary>
public sealed record QsRenameDocument(int Id, string Title) : ICommand<int>, IChangesResources
{
    public IEnumerable<string> ResourcesChangedBy(object? result) => [$"docs://{Id}", $"docs://list?version={result}"];
}

/// <summary>Records what <see cref="ResourceChangeBehavior{TMessage, TResponse}"/> announces.</summary>
internal sealed class QsRecordingResourceNotifier : IResourceNotifier
{
    public List<string> Updated { get; } = [];

    public ValueTask ResourceUpdatedAsync(string uri, CancellationToken cancellationToken = default)
    {
        Updated.Add(uri);
        return ValueTask.CompletedTask;
    }
}

/// <summary>An <see cref="IMcpNotifier"/> whose live sessions are a fixed set; records what it delivered.</summary>
internal sealed class QsNotifier(params string[] liveSessions) : IMcpNotifier
{
    public List<(string Session, JsonRpcNotification Notification)> Sent { get; } = [];

    public List<string> Refused { get; } = [];

    public ValueTask<bool> NotifyAsync(string sessionId, JsonRpcNotification notification, CancellationToken cancellationToken = default)
    {
        if (!liveSessions.Contains(sessionId))
        {
            Refused.Add(sessionId);
            return ValueTask.FromResult(false);
        }

        Sent.Add((sessionId, notification));
        return ValueTask.FromResult(true);
    }

    public ValueTask BroadcastAsync(JsonRpcNotification notification, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("A resource update goes to its subscribers, never to everyone.");
}

public sealed class ResourceChangeBehaviorTests
{
    private readonly QsRecordingResourceNotifier _notifier = new();
    private readonly List<string> _events = [];

    private ResourceChangeBehavior<QsRenameDocument, int> Behavior() => new(_notifier);

    [Fact]
    public async Task After_the_handler_succeeds_the_resources_it_changed_are_announced_given_its_result()
    {
        var result = await Behavior().Handle(new QsRenameDocument(7, "new"), (_, _) => ValueTask.FromResult(3), CancellationToken.None);

        Assert.Equal(3, result);
        Assert.Equal(["docs://7", "docs://list?version=3"], _notifier.Updated);
    }

    [Fact]
    public async Task Nothing_is_announced_before_the_handler_ran()
    {
        var behavior = Behavior();

        await behavior.Handle(
            new QsRenameDocument(7, "new"),
            (_, _) =>
            {
                _events.Add($"handler ran after {_notifier.Updated.Count} announcements");
                return ValueTask.FromResult(1);
            },
            CancellationToken.None);

        Assert.Equal(["handler ran after 0 announcements"], _events);
        Assert.Equal(2, _notifier.Updated.Count);
    }

    [Fact]
    public async Task Nothing_is_announced_when_the_handler_throws()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await Behavior().Handle(new QsRenameDocument(7, "new"), (_, _) => throw new InvalidOperationException("save failed"), CancellationToken.None));

        Assert.Equal("save failed", error.Message);
        Assert.Empty(_notifier.Updated);
    }

    [Fact]
    public async Task Nothing_is_announced_when_the_handler_fails_asynchronously()
    {
        await Assert.ThrowsAsync<TimeoutException>(async () =>
            await Behavior().Handle(new QsRenameDocument(7, "new"), (_, _) => ValueTask.FromException<int>(new TimeoutException()), CancellationToken.None));

        Assert.Empty(_notifier.Updated);
    }
}

public sealed class ResourceNotifierTests
{
    private readonly InMemoryResourceSubscriptions _subscriptions = new();

    private async Task Subscribe(string session, string uri) => await _subscriptions.SubscribeAsync(session, uri, 100, CancellationToken.None);

    [Fact]
    public async Task Each_subscriber_of_the_uri_gets_a_resources_updated_notification_with_the_uri()
    {
        await Subscribe("s1", "docs://7");
        await Subscribe("s2", "docs://7");
        await Subscribe("s3", "docs://8");
        var notifier = new QsNotifier("s1", "s2", "s3");

        await new ResourceNotifier(_subscriptions, notifier, [], NullLogger<ResourceNotifier>.Instance).ResourceUpdatedAsync("docs://7");

        Assert.Equal(["s1", "s2"], notifier.Sent.Select(s => s.Session).Order(StringComparer.Ordinal));
        Assert.All(notifier.Sent, s =>
        {
            Assert.Equal("notifications/resources/updated", s.Notification.Method);
            Assert.Equal("docs://7", s.Notification.Params!["uri"]!.GetValue<string>());
        });
    }

    [Fact]
    public async Task Without_subscribers_nothing_is_sent()
    {
        await Subscribe("s1", "docs://8");
        var notifier = new QsNotifier("s1");

        await new ResourceNotifier(_subscriptions, notifier, [], NullLogger<ResourceNotifier>.Instance).ResourceUpdatedAsync("docs://7");

        Assert.Empty(notifier.Sent);
        Assert.Empty(notifier.Refused);
    }

    [Fact]
    public async Task A_subscriber_whose_session_is_gone_is_removed_from_every_uri_and_the_others_still_get_it()
    {
        await Subscribe("gone", "docs://7");
        await Subscribe("gone", "docs://8");
        await Subscribe("live", "docs://7");
        var notifier = new QsNotifier("live");

        await new ResourceNotifier(_subscriptions, notifier, [], NullLogger<ResourceNotifier>.Instance).ResourceUpdatedAsync("docs://7");

        Assert.Equal(["gone"], notifier.Refused);
        Assert.Equal("live", Assert.Single(notifier.Sent).Session);
        Assert.Equal(["live"], await _subscriptions.SubscribersAsync("docs://7", CancellationToken.None));
        Assert.Empty(await _subscriptions.SubscribersAsync("docs://8", CancellationToken.None));
    }

    [Fact]
    public async Task A_live_subscriber_stays_subscribed_after_a_notification()
    {
        await Subscribe("live", "docs://7");

        await new ResourceNotifier(_subscriptions, new QsNotifier("live"), [], NullLogger<ResourceNotifier>.Instance).ResourceUpdatedAsync("docs://7");

        Assert.Equal(["live"], await _subscriptions.SubscribersAsync("docs://7", CancellationToken.None));
    }
}
