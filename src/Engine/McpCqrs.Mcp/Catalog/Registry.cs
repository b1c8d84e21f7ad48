using System.Collections.Immutable;

namespace McpCqrs.Mcp.Catalog;

/// <summary>
/// An ordered set of bindings keyed by name (or URI template), safe to read while it changes: readers see an
/// immutable snapshot. A duplicate key is refused with a message naming both request types.
/// </summary>
internal sealed class Registry<TBinding>(string kind, Func<TBinding, string> keyOf, Func<TBinding, Type> requestTypeOf)
    where TBinding : class
{
    private readonly Lock _gate = new();
    private ImmutableList<TBinding> _items = [];
    private ImmutableDictionary<string, TBinding> _byKey = ImmutableDictionary<string, TBinding>.Empty.WithComparers(StringComparer.Ordinal);

    public IReadOnlyList<TBinding> Items => _items;

    public bool TryGet(string key, out TBinding binding) => _byKey.TryGetValue(key, out binding!);

    public void Add(TBinding binding)
    {
        var key = keyOf(binding);
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var existing))
            {
                throw new InvalidOperationException(
                    $"MCP {kind} '{key}' is used twice: by {requestTypeOf(existing).FullName} and by {requestTypeOf(binding).FullName}. " +
                    $"Give one of them another {(kind == "resource" ? "URI" : "name")} in its attribute or registration.");
            }

            _items = _items.Add(binding);
            _byKey = _byKey.Add(key, binding);
        }
    }

    public bool Remove(string key)
    {
        lock (_gate)
        {
            if (!_byKey.TryGetValue(key, out var binding))
            {
                return false;
            }

            _items = _items.Remove(binding);
            _byKey = _byKey.Remove(key);
            return true;
        }
    }
}
