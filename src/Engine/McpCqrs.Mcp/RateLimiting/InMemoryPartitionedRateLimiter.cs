using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace McpCqrs.Mcp.RateLimiting;

/// <summary>
/// One policy's limits for every caller of one instance: a <see cref="ClockDrivenPartition"/> per partition
/// key, on a <see cref="TimeProvider"/>. At most <c>maxPartitions</c> are kept: when a new caller would exceed
/// it, the partitions whose limit has fully recovered are dropped (nothing is lost), then, if that is not
/// enough, the least recently used (they start again with a full limit: the bound wins over exactness under a
/// flood of callers). Fully recovered partitions are also dropped by a sweep every <see cref="SweepInterval"/>.
/// Refusals are immediate: nothing is queued.
/// </summary>
internal sealed class InMemoryPartitionedRateLimiter : PartitionedRateLimiter<string>
{
    /// <summary>How often recovered partitions are looked for, on the clock.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, ClockDrivenPartition> _partitions = new(StringComparer.Ordinal);
    private readonly RateLimitPolicy _policy;
    private readonly TimeProvider _clock;
    private readonly long _origin;
    private readonly int _maxPartitions;
    private readonly Lock _sweepLock = new();
    private long _nextSweepTicks;
    private bool _disposed;

    public InMemoryPartitionedRateLimiter(RateLimitPolicy policy, TimeProvider clock, int maxPartitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPartitions, 1);
        _policy = policy;
        _clock = clock;
        _origin = clock.GetTimestamp();
        _maxPartitions = maxPartitions;
        _nextSweepTicks = SweepInterval.Ticks;
    }

    /// <summary>How many partitions are kept now.</summary>
    public int PartitionCount => _partitions.Count;

    public override RateLimiterStatistics? GetStatistics(string resource)
    {
        if (!_partitions.TryGetValue(resource, out var partition))
        {
            return null;
        }

        lock (partition)
        {
            return partition.GetStatistics(Now());
        }
    }

    protected override RateLimitLease AttemptAcquireCore(string resource, int permitCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var now = Now();
        if (now.Ticks >= Interlocked.Read(ref _nextSweepTicks))
        {
            Sweep(now, makeRoom: false);
        }

        while (true)
        {
            var partition = GetOrAdd(resource, now);
            lock (partition)
            {
                if (partition.Evicted)
                {
                    continue;
                }

                partition.LastUsedTicks = now.Ticks;
                return partition.Acquire(now, permitCount);
            }
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(string resource, int permitCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing || _disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var (_, partition) in _partitions)
        {
            lock (partition)
            {
                partition.Evicted = true;
                partition.Dispose();
            }
        }

        _partitions.Clear();
    }

    protected override ValueTask DisposeAsyncCore()
    {
        Dispose(true);
        return ValueTask.CompletedTask;
    }

    private TimeSpan Now() => _clock.GetElapsedTime(_origin);

    private ClockDrivenPartition GetOrAdd(string resource, TimeSpan now)
    {
        if (_partitions.TryGetValue(resource, out var existing))
        {
            return existing;
        }

        if (_partitions.Count >= _maxPartitions)
        {
            Sweep(now, makeRoom: true);
        }

        var created = ClockDrivenPartition.Create(_policy, now);
        if (_partitions.TryAdd(resource, created))
        {
            return created;
        }

        created.Dispose();
        return _partitions.TryGetValue(resource, out existing) ? existing : GetOrAdd(resource, now);
    }

    /// <summary>
    /// Drops the partitions whose limit has recovered; with <paramref name="makeRoom"/>, then also the least
    /// recently used until a tenth of the bound is free.
    /// </summary>
    private void Sweep(TimeSpan now, bool makeRoom)
    {
        // Making room waits for a sweep under way (then finds room already made); the periodic sweep does not.
        if (makeRoom)
        {
            _sweepLock.Enter();
        }
        else if (!_sweepLock.TryEnter())
        {
            return;
        }

        try
        {
            var target = _maxPartitions - 1 - (_maxPartitions / 10);
            if (makeRoom && _partitions.Count < _maxPartitions)
            {
                return;
            }

            Interlocked.Exchange(ref _nextSweepTicks, (now + SweepInterval).Ticks);
            foreach (var (key, partition) in _partitions)
            {
                lock (partition)
                {
                    if (!partition.Evicted && partition.IsReplenished(now))
                    {
                        Evict(key, partition);
                    }
                }
            }

            if (!makeRoom || _partitions.Count <= target)
            {
                return;
            }

            var partitions = _partitions.ToArray();
            var lastUsed = Array.ConvertAll(partitions, static p => p.Value.LastUsedTicks);
            Array.Sort(lastUsed, partitions);
            foreach (var (key, partition) in partitions)
            {
                if (_partitions.Count <= target)
                {
                    break;
                }

                lock (partition)
                {
                    if (!partition.Evicted)
                    {
                        Evict(key, partition);
                    }
                }
            }
        }
        finally
        {
            _sweepLock.Exit();
        }
    }

    private void Evict(string key, ClockDrivenPartition partition)
    {
        partition.Evicted = true;
        _partitions.TryRemove(new KeyValuePair<string, ClockDrivenPartition>(key, partition));
        partition.Dispose();
    }
}
