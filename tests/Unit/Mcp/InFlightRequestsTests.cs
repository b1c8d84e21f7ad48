using McpCqrs.Mcp.AspNetCore;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>Running requests: cancelled one by one (notifications/cancelled) or all at once when the host stops.</summary>
public sealed class InFlightRequestsTests
{
    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationTokenSource Stopping { get; } = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => Stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stopping.Cancel();
    }

    [Fact]
    public void A_request_is_cancelled_by_id_and_every_request_when_the_host_stops()
    {
        var lifetime = new Lifetime();
        var inFlight = new InFlightRequests(lifetime);
        using var first = inFlight.Register("s1", new RequestId(1));
        using var second = inFlight.Register("s1", new RequestId("two"));

        Assert.True(inFlight.Cancel("s1", "1"));
        Assert.True(first.Token.IsCancellationRequested);
        Assert.False(second.Token.IsCancellationRequested);
        Assert.False(inFlight.Cancel("s2", "two"));

        lifetime.StopApplication();
        Assert.True(second.Token.IsCancellationRequested);
        using var late = inFlight.Register("s1", new RequestId(3));
        Assert.True(late.Token.IsCancellationRequested);
    }

    [Fact]
    public void A_finished_request_is_forgotten()
    {
        var inFlight = new InFlightRequests(new Lifetime());
        inFlight.Register("s1", new RequestId(1)).Dispose();

        Assert.Equal(0, inFlight.Count);
        Assert.False(inFlight.Cancel("s1", "1"));
    }

    [Fact]
    public async Task Ending_a_session_cancels_its_requests_and_fails_what_they_wait_for_and_leaves_other_sessions_alone()
    {
        var inFlight = new InFlightRequests(new Lifetime());
        var pending = new PendingClientRequests();
        var signals = new SessionSignals(inFlight, pending, new OpenStreams());
        using var ending = inFlight.Register("s1", new RequestId(1));
        using var other = inFlight.Register("s2", new RequestId(1));
        var (_, waiting) = pending.Register("s1");
        var (_, elsewhere) = pending.Register("s2");

        await signals.EndSessionAsync("s1", CancellationToken.None);

        Assert.True(ending.Token.IsCancellationRequested);
        await Assert.ThrowsAsync<OperationCanceledException>(() => waiting);
        Assert.False(other.Token.IsCancellationRequested);
        Assert.False(elsewhere.IsCompleted);
    }
}
