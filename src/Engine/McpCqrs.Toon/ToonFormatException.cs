namespace McpCqrs.Toon;

/// <summary>
/// A TOON document could not be decoded. Every decode error carries the 1-based <see cref="Line"/> of the input it
/// concerns; the message starts with <c>Line N:</c>.
/// </summary>
public sealed class ToonFormatException : Exception
{
    public ToonFormatException(string reason, int line)
        : base(FormatMessage(reason, line))
    {
        Reason = reason;
        Line = line;
    }

    public ToonFormatException(string reason, int line, Exception innerException)
        : base(FormatMessage(reason, line), innerException)
    {
        Reason = reason;
        Line = line;
    }

    /// <summary>The 1-based line number of the input the error concerns.</summary>
    public int Line { get; }

    /// <summary>The message without the line prefix.</summary>
    public string Reason { get; }

    private static string FormatMessage(string reason, int line) => $"Line {line}: {reason}";
}
