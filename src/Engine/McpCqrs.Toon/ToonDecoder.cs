using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpCqrs.Toon;

/// <summary>
/// Decodes TOON, Token-Oriented Object Notation (<c>toon-spec: 4.0</c>), into System.Text.Json nodes. Hand-written
/// from the specification, like <see cref="ToonEncoder"/>: no .NET TOON package exists on our package feed.
/// </summary>
/// <remarks>
/// <para>
/// Strict mode (the default) enforces every error condition of spec §14; see <see cref="ToonDecodeOptions.Strict"/>
/// for the non-strict behaviour. Every error is a <see cref="ToonFormatException"/> carrying the line number.
/// </para>
/// <para>Documented policies:</para>
/// <list type="bullet">
/// <item>Numbers (§4): a token is a number only if it matches the §4 grammar; it decodes losslessly to a
/// <see cref="JsonValue"/> backed by a <see cref="JsonElement"/> holding the exact value in canonical form (any
/// magnitude or precision, nothing is rounded), so <c>1.5000</c> → <c>1.5</c>, <c>-1E+03</c> → <c>-1000</c>,
/// <c>-0</c> → <c>0</c>. Read it with <c>GetValue&lt;double&gt;()</c>, <c>GetValue&lt;decimal&gt;()</c> etc.</item>
/// <item>JSON null decodes to a <see langword="null"/> node.</item>
/// <item>Input is a .NET string, so the §4 UTF-8 validation does not apply; callers decoding bytes should use a
/// throwing <see cref="System.Text.UTF8Encoding"/>.</item>
/// <item>Keys such as <c>__proto__</c> are ordinary <see cref="JsonObject"/> keys (§15).</item>
/// </list>
/// </remarks>
public static class ToonDecoder
{
    /// <summary>Decodes a TOON document; an empty document decodes to an empty object.</summary>
    /// <exception cref="ToonFormatException">The document is not valid TOON (in the chosen mode).</exception>
    public static JsonNode? Decode(string toon, ToonDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(toon);
        options ??= ToonDecodeOptions.Default;
        options.Validate();
        return ToonParser.Parse(toon, options);
    }
}
