using System.Buffers;
using McpCqrs.Toon;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace McpCqrs.Mcp.Output;

/// <summary>
/// The server's <see cref="IOutputFormatter"/>: JSON, or TOON (<c>toon-spec: 4.0</c>) through <see cref="ToonEncoder"/>
/// when the requested format resolves to it (<see cref="OutputFormats.Resolve"/>: <c>Default</c> → the configured
/// <see cref="OutputOptions.DefaultFormat"/>, <c>Auto</c> → TOON for uniform arrays of objects).
/// </summary>
/// <remarks>
/// <para>
/// Never fails a call: a value TOON cannot represent faithfully (<see cref="ToonEncoder.TryEncode(JsonElement, ToonOptions?, out string?)"/>
/// refuses it: a repeated property name, an unpaired surrogate, nesting deeper than 64) and any exception of the
/// encoder — invalid options included — yield the JSON text and a logged warning.
/// </para>
/// <para>
/// The TOON text is exactly the encoder's output. It declares no spec version: TOON's only comment form is the
/// full-line <c>#</c> comment, which decoders strip but encoders MUST NOT emit (spec §5.1, §13.1), so the version
/// (<see cref="ToonInfo.SpecVersion"/>) travels in <see cref="FormattedOutput.SpecVersion"/> — the tool result's
/// content <c>_meta</c> — instead.
/// </para>
/// </remarks>
public sealed partial class ToonOutputFormatter(OutputOptions options, ILogger<ToonOutputFormatter> logger) : IOutputFormatter, IBufferedOutputFormatter
{
    /// <summary>The TOON text of the last result formatted on this thread, reused (nothing awaits while it is in use).</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_text;

    public FormattedOutput Format(JsonElement value, OutputFormat requested, string? tool = null)
    {
        var text = t_text ??= new ArrayBufferWriter<byte>(1024);
        text.ResetWrittenCount();
        var (format, specVersion) = ((IBufferedOutputFormatter)this).Format(value, requested, tool, text);
        return format == OutputFormat.Toon ? new FormattedOutput(System.Text.Encoding.UTF8.GetString(text.WrittenSpan), format, specVersion) : FormattedOutput.Json(value);
    }

    (OutputFormat Format, string? SpecVersion) IBufferedOutputFormatter.Format(JsonElement value, OutputFormat requested, string? tool, IBufferWriter<byte> text)
    {
        if (OutputFormats.Resolve(requested, options.DefaultFormat, value) != OutputFormat.Toon)
        {
            return (OutputFormat.Json, null);
        }

        try
        {
            if (ToonEncoder.TryEncode(value, EncoderOptions(options.Toon), text))
            {
                return (OutputFormat.Toon, ToonInfo.SpecVersion);
            }

            LogNotRepresentable(logger, tool ?? "(unnamed)");
        }
#pragma warning disable CA1031 // Any encoder failure must fall back to JSON: a tool call never fails for its text format.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogEncoderFailed(logger, ex, tool ?? "(unnamed)");
        }

        return (OutputFormat.Json, null);
    }

    bool IBufferedOutputFormatter.IsJson(OutputFormat requested) => OutputFormats.IsJsonWhateverTheValue(requested, options.DefaultFormat);

    /// <summary>The encoder options of the configured <see cref="ToonOutputOptions"/>; the encoder validates them.</summary>
    internal static ToonOptions EncoderOptions(ToonOutputOptions? toon) =>
        toon is null
            ? ToonOptions.Default
            : new ToonOptions
            {
                Indent = toon.Indent,
                Delimiter = toon.DelimiterChar
                    ?? throw new InvalidOperationException($"{OutputOptions.SectionName}:Toon:Delimiter \"{toon.Delimiter}\" is not \",\", a tab or \"|\"."),
            };

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The result of tool {Tool} cannot be represented faithfully in TOON; it is sent as JSON text.")]
    private static partial void LogNotRepresentable(ILogger logger, string tool);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The TOON encoder failed on the result of tool {Tool}; it is sent as JSON text.")]
    private static partial void LogEncoderFailed(ILogger logger, Exception exception, string tool);
}

/// <summary>Checks <see cref="OutputOptions"/> at start-up, whoever binds them.</summary>
internal sealed class OutputOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<OutputOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, OutputOptions options) =>
        options.Validate() is { Count: > 0 } errors
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(errors)
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}
