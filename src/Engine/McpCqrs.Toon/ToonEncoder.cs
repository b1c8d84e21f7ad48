using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpCqrs.Toon;

/// <summary>
/// Encodes JSON values (System.Text.Json) as TOON, Token-Oriented Object Notation — <c>toon-spec: 4.0</c>.
/// </summary>
/// <remarks>
/// <para>
/// Hand-written from the specification (github.com/toon-format/spec, release v4.0.0): no .NET TOON package exists on
/// our package feed. The encoder passes every encode case of the spec's conformance fixtures
/// (tests/Unit/Toon/Fixtures). It implements v4.0, which has no key folding and adds the keyed tabular form for
/// objects (<c>users[2:]{age,city}:</c>) and nested field groups (<c>orders[2]{id,customer{name,country}}:</c>).
/// </para>
/// <para>Documented policies (spec §2, §3):</para>
/// <list type="bullet">
/// <item>Numbers are handled as exact decimals taken from their JSON text (or the shortest round-trip text of a
/// <see cref="double"/>/<see cref="float"/>), so no JSON number loses precision. They are written in the §2 canonical
/// form; outside <c>1e-6 &lt;= |n| &lt; 1e21</c> they use exponent form <c>d.ddde±x</c> (lowercase <c>e</c>, explicit
/// sign). -0 becomes 0.</item>
/// <item>NaN and ±Infinity (from <see cref="double"/>, <see cref="float"/> or <see cref="Half"/> values) become
/// <c>null</c>.</item>
/// <item>Any other CLR value wrapped in a <see cref="JsonValue"/> (DateTime, Guid, enums, …) is normalized through its
/// own System.Text.Json serialization.</item>
/// <item>Input TOON cannot represent is rejected: strings or keys with an unpaired surrogate, a
/// <see cref="JsonElement"/> object repeating a property name, nesting deeper than <see cref="ToonOptions.MaxDepth"/>.
/// <see cref="Encode(JsonNode?, ToonOptions?)"/> throws <see cref="ArgumentException"/> for these;
/// <see cref="TryEncode(JsonNode?, ToonOptions?, out string?)"/> returns <see langword="false"/>.</item>
/// </list>
/// <para>
/// Output uses LF line endings, no trailing spaces and no trailing newline. The array delimiter is the document
/// delimiter for every header. Arrays of uniform objects use the tabular form; objects of at least two uniform object
/// values use the keyed tabular form; tabular detection follows §9.3/§9.5 exactly.
/// </para>
/// </remarks>
public static class ToonEncoder
{
    /// <summary>Encodes <paramref name="value"/> (<see langword="null"/> is JSON null).</summary>
    /// <exception cref="ArgumentException">The value cannot be represented in TOON (see the type remarks).</exception>
    public static string Encode(JsonNode? value, ToonOptions? options = null)
    {
        options = Prepare(options);
        try
        {
            using var document = ToonInput.Normalize(value, options.MaxDepth, out _);
            return ToonWriter.Write(document.RootElement, options);
        }
        catch (ToonEncodeFault fault)
        {
            throw NotEncodable(fault);
        }
    }

    /// <summary>Encodes <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The value cannot be represented in TOON (see the type remarks).</exception>
    public static string Encode(JsonElement value, ToonOptions? options = null)
    {
        options = Prepare(options);
        try
        {
            return ToonWriter.Write(value, options);
        }
        catch (ToonEncodeFault fault)
        {
            throw NotEncodable(fault);
        }
    }

    /// <summary>
    /// Encodes <paramref name="value"/> when TOON represents it faithfully, i.e. decoding the result yields a value
    /// equal to the input under the spec §2 equality (numbers by value, -0 equal to 0, tabular rows in header key
    /// order). Returns <see langword="false"/> — so the caller can fall back to JSON — when the value cannot be encoded
    /// or encoding would change it (NaN or ±Infinity, which TOON turns into <c>null</c>).
    /// </summary>
    public static bool TryEncode(JsonNode? value, ToonOptions? options, [NotNullWhen(true)] out string? toon)
    {
        options = Prepare(options);
        toon = null;
        try
        {
            using var document = ToonInput.Normalize(value, options.MaxDepth, out var lossy);
            if (lossy)
            {
                return false;
            }

            toon = ToonWriter.Write(document.RootElement, options);
            return true;
        }
        catch (ToonEncodeFault)
        {
            return false;
        }
    }

    /// <inheritdoc cref="TryEncode(JsonNode?, ToonOptions?, out string?)"/>
    public static bool TryEncode(JsonNode? value, [NotNullWhen(true)] out string? toon) => TryEncode(value, null, out toon);

    /// <inheritdoc cref="TryEncode(JsonNode?, ToonOptions?, out string?)"/>
    public static bool TryEncode(JsonElement value, ToonOptions? options, [NotNullWhen(true)] out string? toon)
    {
        options = Prepare(options);
        toon = null;
        try
        {
            toon = ToonWriter.Write(value, options);
            return true;
        }
        catch (ToonEncodeFault)
        {
            return false;
        }
    }

    /// <summary>
    /// <see cref="TryEncode(JsonElement, ToonOptions?, out string?)"/> as UTF-8 into a buffer the caller owns, for a
    /// caller that writes the text on (into a JSON string, a stream) and has no use for a string of its own: the
    /// encoder writes UTF-8 from the document's own UTF-8, so the text is never transcoded. On
    /// <see langword="false"/> nothing was written to <paramref name="destination"/>.
    /// </summary>
    public static bool TryEncode(JsonElement value, ToonOptions? options, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        options = Prepare(options);
        try
        {
            ToonWriter.Write(value, options, destination);
            return true;
        }
        catch (ToonEncodeFault)
        {
            return false;
        }
    }

    private static ToonOptions Prepare(ToonOptions? options)
    {
        options ??= ToonOptions.Default;
        options.Validate();
        return options;
    }

    private static ArgumentException NotEncodable(ToonEncodeFault fault) =>
        new($"The value cannot be encoded as TOON: {fault.Message}", "value", fault);
}
