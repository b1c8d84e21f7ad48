namespace McpCqrs.Domain.Common;

/// <summary>Invariant checks shared by the entities; each failure is an <see cref="InvalidDomainValueException"/>.</summary>
internal static class Guard
{
    public static string Text(string? value, string field, int maxLength)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new InvalidDomainValueException(field, $"'{field}' must not be empty.");
        }

        if (trimmed.Length > maxLength)
        {
            throw new InvalidDomainValueException(field, $"'{field}' must be at most {maxLength} characters.");
        }

        return trimmed;
    }

    public static string? OptionalText(string? value, string field, int maxLength)
    {
        var trimmed = value?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : Text(trimmed, field, maxLength);
    }

    public static DateTime Utc(DateTime value, string field) =>
        value.Kind == DateTimeKind.Utc
            ? value
            : throw new InvalidDomainValueException(field, $"'{field}' must be a UTC time.");

    public static TEnum Defined<TEnum>(TEnum value, string field)
        where TEnum : struct, Enum =>
        Enum.IsDefined(value)
            ? value
            : throw new InvalidDomainValueException(field, $"'{field}' has no value '{value}'.");
}
