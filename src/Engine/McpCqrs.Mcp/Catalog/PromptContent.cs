using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Catalog;

/// <summary>
/// What a prompt's handler answers in the engine's own terms: messages of text or of an embedded resource (a
/// document the model should read), so a use case builds a prompt without the protocol's types. The engine writes
/// it as <c>prompts/get</c>'s result (the binding's description unless one is given here).
/// </summary>
/// <param name="Messages">The messages, in order.</param>
/// <param name="Description">The result's description; null for the prompt's own.</param>
public sealed record PromptContent(IReadOnlyList<PromptContent.Message> Messages, string? Description = null)
{
    /// <summary>A text message, from the user unless <paramref name="fromAssistant"/>.</summary>
    public static Message Text(string text, bool fromAssistant = false) => new(text, null, null, fromAssistant);

    /// <summary>A message that embeds a resource: its URI, media type and text.</summary>
    public static Message Resource(string uri, string mimeType, string text) => new(text, uri, mimeType, false);

    /// <summary>The protocol's result.</summary>
    internal GetPromptResult ToResult(string? description) => new()
    {
        Description = Description ?? description,
        Messages = [.. Messages.Select(m => new PromptMessage
        {
            Role = m.FromAssistant ? Role.Assistant : Role.User,
            Content = m.Uri is { } uri
                ? new EmbeddedResourceBlock { Resource = new TextResourceContents { Uri = uri, MimeType = m.MimeType, Text = m.Text } }
                : new TextContentBlock { Text = m.Text },
        })],
    };

    /// <summary>One message of a prompt: text, or (with <see cref="Uri"/>) an embedded resource's text.</summary>
    public sealed record Message(string Text, string? Uri, string? MimeType, bool FromAssistant);
}
