using System.Text.Json;
using Mediator;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.External;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Integration.Conformance;

// The tools the MCP conformance suite calls (its "fixture" server), written as ordinary commands and
// handlers in this test-only assembly. They reach the mediator through ExternalRequest, so tracing,
// validation and every other behavior wrap them exactly as they wrap the application's own tools.

public sealed record TestSimpleText : ICommand<ToolContent>;

public sealed record TestImageContent : ICommand<ToolContent>;

public sealed record TestAudioContent : ICommand<ToolContent>;

public sealed record TestEmbeddedResource : ICommand<ToolContent>;

public sealed record TestMultipleContentTypes : ICommand<ToolContent>;

public sealed record TestToolWithLogging : ICommand<ToolContent>;

public sealed record TestToolWithProgress : ICommand<ToolContent>;

public sealed record TestErrorHandling : ICommand<ToolContent>;

public sealed record TestSampling(string Prompt) : ICommand<ToolContent>;

public sealed record TestElicitation(string Message) : ICommand<ToolContent>;

public sealed record TestElicitationSep1034Defaults : ICommand<ToolContent>;

public sealed record TestElicitationSep1330Enums : ICommand<ToolContent>;

public sealed record TestReconnection : ICommand<ToolContent>;

public static class ConformanceFixtures
{
    public const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    public const string Wav = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

    /// <summary>Registers the fixture tools and their handlers on a host.</summary>
    public static IServiceCollection AddConformanceFixtures(this IServiceCollection services)
    {
        services.AddScoped<ICommandHandler<TestSimpleText, ToolContent>, FixtureHandlers>();
        services.AddScoped<ICommandHandler<TestImageContent, ToolContent>, FixtureHandlers>();
        services.AddScoped<ICommandHandler<TestAudioContent, ToolContent>, FixtureHandlers>();
        services.AddScoped<ICommandHandler<TestEmbeddedResource, ToolContent>, FixtureHandlers>();
        services.AddScoped<ICommandHandler<TestMultipleContentTypes, ToolContent>, FixtureHandlers>();
        services.AddScoped<ICommandHandler<TestToolWithLogging, ToolContent>, FixtureHandlers>();
        services.AddScoped<ICommandHandler<TestToolWithProgress, ToolContent>, FixtureHandlers>();
        services.AddScoped<ICommandHandler<TestErrorHandling, ToolContent>, FixtureHandlers>();
        services.AddScoped<ICommandHandler<TestSampling, ToolContent>, FixtureHandlers>();
        services.AddScoped<ICommandHandler<TestElicitation, ToolContent>, FixtureHandlers>();
        services.AddScoped<ICommandHandler<TestElicitationSep1034Defaults, ToolContent>, FixtureHandlers>();
        services.AddScoped<ICommandHandler<TestElicitationSep1330Enums, ToolContent>, FixtureHandlers>();
        services.AddScoped<ICommandHandler<TestReconnection, ToolContent>, FixtureHandlers>();
        services.AddScoped<ICommandHandler<JsonSchemaTool, ToolContent>, JsonSchemaToolHandler>();

        services.AddResourcePromptFixtures();
        services.AddMcpCatalog(catalog => catalog
            .AddExternalTool<TestSimpleText, ToolContent>("test_simple_text", Describe("Returns a simple text response."))
            .AddExternalTool<TestImageContent, ToolContent>("test_image_content", Describe("Returns an image."))
            .AddExternalTool<TestAudioContent, ToolContent>("test_audio_content", Describe("Returns audio."))
            .AddExternalTool<TestEmbeddedResource, ToolContent>("test_embedded_resource", Describe("Returns an embedded resource."))
            .AddExternalTool<TestMultipleContentTypes, ToolContent>("test_multiple_content_types", Describe("Returns text, an image and a resource."))
            .AddExternalTool<TestToolWithLogging, ToolContent>("test_tool_with_logging", Describe("Sends log messages while it runs."))
            .AddExternalTool<TestToolWithProgress, ToolContent>("test_tool_with_progress", Describe("Reports progress while it runs."))
            .AddExternalTool<TestErrorHandling, ToolContent>("test_error_handling", Describe("Always fails with a tool error."))
            .AddExternalTool<TestSampling, ToolContent>("test_sampling", Describe("Asks the client's model to complete a prompt."))
            .AddExternalTool<TestElicitation, ToolContent>("test_elicitation", Describe("Asks the user for a user name and an e-mail address."))
            .AddExternalTool<TestElicitationSep1034Defaults, ToolContent>("test_elicitation_sep1034_defaults", Describe("Asks the user with a form whose fields have defaults."))
            .AddExternalTool<TestElicitationSep1330Enums, ToolContent>("test_elicitation_sep1330_enums", Describe("Asks the user with every kind of enum field."))
            .AddExternalTool<TestReconnection, ToolContent>("test_reconnection", Describe("Closes its response stream mid-call; the result arrives on the resumed stream."))
            .AddExternalTool<JsonSchemaTool, ToolContent>("json_schema_2020_12_tool", r => r with
            {
                Description = "Tool with JSON Schema 2020-12 features",
                Public = true,
                InputSchema = JsonDocument.Parse(JsonSchemaToolHandler.Schema).RootElement.Clone(),
            }));
        return services.AddStatelessFixtures();
    }

    /// <summary>The conformance fixtures are open to every caller (the suite runs without credentials).</summary>
    private static Func<ToolRegistration, ToolRegistration> Describe(string description) => r => r with { Description = description, Public = true };
}

internal sealed class FixtureHandlers(IMcpClientLogger log, IProgressReporter progress, IClientInput input, IMcpRequestContext context)
    : ICommandHandler<TestSimpleText, ToolContent>,
      ICommandHandler<TestImageContent, ToolContent>,
      ICommandHandler<TestAudioContent, ToolContent>,
      ICommandHandler<TestEmbeddedResource, ToolContent>,
      ICommandHandler<TestMultipleContentTypes, ToolContent>,
      ICommandHandler<TestToolWithLogging, ToolContent>,
      ICommandHandler<TestToolWithProgress, ToolContent>,
      ICommandHandler<TestErrorHandling, ToolContent>,
      ICommandHandler<TestSampling, ToolContent>,
      ICommandHandler<TestElicitation, ToolContent>,
      ICommandHandler<TestElicitationSep1034Defaults, ToolContent>,
      ICommandHandler<TestElicitationSep1330Enums, ToolContent>,
      ICommandHandler<TestReconnection, ToolContent>
{
    private static ToolContent Text(string text) => new([new TextContentBlock { Text = text }]);

    private static ImageContentBlock Image() => ImageContentBlock.FromBytes(Convert.FromBase64String(ConformanceFixtures.Png), "image/png");

    public ValueTask<ToolContent> Handle(TestSimpleText command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Text("This is a simple text response for testing."));

    public ValueTask<ToolContent> Handle(TestImageContent command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ToolContent([Image()]));

    public ValueTask<ToolContent> Handle(TestAudioContent command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ToolContent([AudioContentBlock.FromBytes(Convert.FromBase64String(ConformanceFixtures.Wav), "audio/wav")]));

    public ValueTask<ToolContent> Handle(TestEmbeddedResource command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ToolContent([new EmbeddedResourceBlock
        {
            Resource = new TextResourceContents { Uri = "test://embedded-resource", MimeType = "text/plain", Text = "This is an embedded resource content." },
        }]));

    public ValueTask<ToolContent> Handle(TestMultipleContentTypes command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ToolContent(
        [
            new TextContentBlock { Text = "Multiple content types test:" },
            Image(),
            new EmbeddedResourceBlock
            {
                Resource = new TextResourceContents { Uri = "test://mixed-content-resource", MimeType = "application/json", Text = """{"test":"data","value":123}""" },
            },
        ]));

    public async ValueTask<ToolContent> Handle(TestToolWithLogging command, CancellationToken cancellationToken)
    {
        await log.LogAsync(LoggingLevel.Info, "Tool execution started", "conformance", cancellationToken);
        await Task.Delay(50, cancellationToken);
        await log.LogAsync(LoggingLevel.Info, "Tool processing data", "conformance", cancellationToken);
        await Task.Delay(50, cancellationToken);
        await log.LogAsync(LoggingLevel.Info, "Tool execution completed", "conformance", cancellationToken);
        return Text("Tool with logging executed successfully");
    }

    public async ValueTask<ToolContent> Handle(TestToolWithProgress command, CancellationToken cancellationToken)
    {
        foreach (var step in (double[])[0, 50, 100])
        {
            await progress.ReportAsync(step, 100, $"Completed step {step / 50}", cancellationToken);
            await Task.Delay(50, cancellationToken);
        }

        return Text(context.ProgressToken?.ToString() ?? "no progress token");
    }

    public ValueTask<ToolContent> Handle(TestErrorHandling command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ToolContent([new TextContentBlock { Text = "This tool intentionally returns an error for testing" }]) { IsError = true });

    public async ValueTask<ToolContent> Handle(TestSampling command, CancellationToken cancellationToken)
    {
        var answer = await input.SampleAsync(
            new CreateMessageRequestParams
            {
                Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = command.Prompt }] }],
                MaxTokens = 100,
            },
            cancellationToken);
        var text = answer.Content.OfType<TextContentBlock>().FirstOrDefault()?.Text ?? "(no text)";
        return Text($"LLM response: {text}");
    }

    public async ValueTask<ToolContent> Handle(TestElicitation command, CancellationToken cancellationToken)
    {
        var answer = await input.ElicitAsync(Elicit(command.Message, """
            {"type":"object","properties":{"username":{"type":"string","description":"User's response"},"email":{"type":"string","description":"User's email address"}},"required":["username","email"]}
            """), cancellationToken);
        return Text($"User response: action={answer.Action}, content={JsonSerializer.Serialize(answer.Content)}");
    }

    public async ValueTask<ToolContent> Handle(TestElicitationSep1034Defaults command, CancellationToken cancellationToken)
    {
        var answer = await input.ElicitAsync(Elicit("Please review and update the form fields with defaults", """
            {"type":"object","properties":{
              "name":{"type":"string","description":"User name","default":"John Doe"},
              "age":{"type":"integer","description":"User age","default":30},
              "score":{"type":"number","description":"User score","default":95.5},
              "status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},
              "verified":{"type":"boolean","description":"Verification status","default":true}},"required":[]}
            """), cancellationToken);
        return Text($"Elicitation completed: action={answer.Action}, content={JsonSerializer.Serialize(answer.Content)}");
    }

    public async ValueTask<ToolContent> Handle(TestElicitationSep1330Enums command, CancellationToken cancellationToken)
    {
        var answer = await input.ElicitAsync(Elicit("Please select options from the enum fields", """
            {"type":"object","properties":{
              "untitledSingle":{"type":"string","description":"Select one option","enum":["option1","option2","option3"]},
              "titledSingle":{"type":"string","description":"Select one option with titles","oneOf":[{"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},
              "legacyEnum":{"type":"string","description":"Select one option (legacy)","enum":["opt1","opt2","opt3"],"enumNames":["Option One","Option Two","Option Three"]},
              "untitledMulti":{"type":"array","description":"Select multiple options","minItems":1,"maxItems":3,"items":{"type":"string","enum":["option1","option2","option3"]}},
              "titledMulti":{"type":"array","description":"Select multiple options with titles","minItems":1,"maxItems":3,"items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},{"const":"value3","title":"Third Choice"}]}}},
              "required":[]}
            """), cancellationToken);
        return Text($"Elicitation completed: action={answer.Action}, content={JsonSerializer.Serialize(answer.Content)}");
    }

    public async ValueTask<ToolContent> Handle(TestReconnection command, CancellationToken cancellationToken)
    {
        await context.Outbound!.CloseStreamAsync(cancellationToken);
        await Task.Delay(100, cancellationToken);
        return Text("Reconnection test completed: the result arrived on the resumed stream.");
    }

    private static ElicitRequestParams Elicit(string message, string schema) =>
        JsonSerializer.Deserialize<ElicitRequestParams>(
            $$"""{"mode":"form","message":{{JsonSerializer.Serialize(message)}},"requestedSchema":{{schema}}}""",
            McpJsonUtilities.DefaultOptions)!;
}

/// <summary>The suite's JSON Schema 2020-12 tool: its schema is given explicitly (conditionals, $defs, $anchor).</summary>
public sealed record JsonSchemaTool(string? Name = null, JsonSchemaToolAddress? Address = null, string? ContactMethod = null, string? Phone = null, string? Email = null)
    : ICommand<ToolContent>;

public sealed record JsonSchemaToolAddress(string? Street = null, string? City = null);

internal sealed class JsonSchemaToolHandler : ICommandHandler<JsonSchemaTool, ToolContent>
{
    public const string Schema = """
        {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
         "$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
         "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},"contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},
         "allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],
         "if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},
         "then":{"required":["phone"]},"else":{"required":["email"]},"additionalProperties":false}
        """;

    public ValueTask<ToolContent> Handle(JsonSchemaTool command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ToolContent([new TextContentBlock { Text = $"Received: {JsonSerializer.Serialize(command)}" }]));
}
