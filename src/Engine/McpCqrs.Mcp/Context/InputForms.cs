using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Mcp.Context;

/// <summary>
/// A form to put to the user (an elicitation in form mode) made of plain fields, so a handler asks without the
/// protocol's types: <c>new InputForm().Boolean("confirm", "Close the ticket")</c>.
/// </summary>
public sealed class InputForm
{
    private readonly JsonObject _properties = [];
    private readonly List<string> _required = [];

    /// <summary>A yes/no field (false unless the user says otherwise).</summary>
    public InputForm Boolean(string name, string title, bool required = true, bool defaultValue = false) =>
        Add(name, new JsonObject { ["type"] = "boolean", ["title"] = title, ["default"] = defaultValue }, required);

    /// <summary>A text field.</summary>
    public InputForm Text(string name, string title, bool required = true, int? maxLength = null)
    {
        var field = new JsonObject { ["type"] = "string", ["title"] = title };
        if (maxLength is { } max)
        {
            field["maxLength"] = max;
        }

        return Add(name, field, required);
    }

    /// <summary>A whole number field.</summary>
    public InputForm Integer(string name, string title, bool required = true) =>
        Add(name, new JsonObject { ["type"] = "integer", ["title"] = title }, required);

    /// <summary>One of <paramref name="choices"/>.</summary>
    public InputForm Choice(string name, string title, IEnumerable<string> choices, bool required = true) =>
        Add(name, new JsonObject { ["type"] = "string", ["title"] = title, ["enum"] = new JsonArray([.. choices.Select(c => (JsonNode?)c)]) }, required);

    /// <summary>The request that puts this form to the user with <paramref name="message"/>.</summary>
    public InputRequest ToRequest(string message) => InputRequest.Elicit(new JsonObject
    {
        ["mode"] = "form",
        ["message"] = message,
        ["requestedSchema"] = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = _properties.DeepClone(),
            ["required"] = new JsonArray([.. _required.Select(r => (JsonNode?)r)]),
        },
    }.Deserialize<ElicitRequestParams>(McpJsonUtilities.DefaultOptions)!);

    private InputForm Add(string name, JsonObject field, bool required)
    {
        _properties[name] = field;
        if (required)
        {
            _required.Add(name);
        }

        return this;
    }
}

/// <summary>The user's answer to an <see cref="InputForm"/>: accepted with its fields, or declined / cancelled.</summary>
public sealed class FormAnswer(JsonNode? answer)
{
    /// <summary>The user submitted the form (<c>accept</c>); otherwise they declined or dismissed it.</summary>
    public bool Accepted => answer?["action"] is JsonValue action && action.GetValueKind() == JsonValueKind.String && action.GetValue<string>() == "accept";

    /// <summary>A field's value, or null when it is missing or not of type <typeparamref name="T"/>.</summary>
    public T? Get<T>(string name)
    {
        if (!Accepted || answer?["content"]?[name] is not { } value)
        {
            return default;
        }

        try
        {
            return value.Deserialize<T>();
        }
        catch (JsonException)
        {
            return default;
        }
    }
}

/// <summary>Asking the user through <see cref="IClientInput"/> with forms instead of protocol messages.</summary>
public static class InputForms
{
    /// <summary>Puts <paramref name="form"/> to the user under <paramref name="key"/> (the answer's key across rounds).</summary>
    public static async ValueTask<FormAnswer> AskFormAsync(this IClientInput input, string key, string message, InputForm form, CancellationToken cancellationToken = default)
    {
        var answers = await input.AskAsync(new Dictionary<string, InputRequest> { [key] = form.ToRequest(message) }, cancellationToken: cancellationToken);
        return new FormAnswer(answers.GetValueOrDefault(key));
    }

    /// <summary>
    /// Asks a yes/no question (one boolean field named <c>confirm</c> titled <paramref name="title"/>); true only when
    /// the user accepted and ticked it.
    /// </summary>
    public static async ValueTask<bool> ConfirmAsync(this IClientInput input, string key, string message, string title, CancellationToken cancellationToken = default) =>
        (await input.AskFormAsync(key, message, new InputForm().Boolean("confirm", title), cancellationToken)).Get<bool>("confirm");
}
