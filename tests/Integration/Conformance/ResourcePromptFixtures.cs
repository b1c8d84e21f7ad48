using Mediator;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Completion;
using McpCqrs.Mcp.External;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Integration.Conformance;

// The resources, prompts and completion source the conformance suite reads, as ordinary queries and handlers.

public sealed record StaticText : IQuery<string>;

public sealed record StaticBinary : IQuery<byte[]>;

public sealed record TemplateData(string Id) : IQuery<ResourceContents>;

public sealed record WatchedResource : IQuery<string>;

public sealed record SimplePrompt : IQuery<string>;

public sealed record PromptWithArguments([property: McpCompletion(typeof(Arg1Completion))] string Arg1, string Arg2) : IQuery<string>;

public sealed record PromptWithEmbeddedResource(string ResourceUri) : IQuery<IReadOnlyList<PromptMessage>>;

public sealed record PromptWithImage : IQuery<IReadOnlyList<PromptMessage>>;

public static class ResourcePromptFixtures
{
    public static IServiceCollection AddResourcePromptFixtures(this IServiceCollection services)
    {
        services.AddScoped<IQueryHandler<StaticText, string>, QueryFixtureHandlers>();
        services.AddScoped<IQueryHandler<StaticBinary, byte[]>, QueryFixtureHandlers>();
        services.AddScoped<IQueryHandler<TemplateData, ResourceContents>, QueryFixtureHandlers>();
        services.AddScoped<IQueryHandler<WatchedResource, string>, QueryFixtureHandlers>();
        services.AddScoped<IQueryHandler<SimplePrompt, string>, QueryFixtureHandlers>();
        services.AddScoped<IQueryHandler<PromptWithArguments, string>, QueryFixtureHandlers>();
        services.AddScoped<IQueryHandler<PromptWithEmbeddedResource, IReadOnlyList<PromptMessage>>, QueryFixtureHandlers>();
        services.AddScoped<IQueryHandler<PromptWithImage, IReadOnlyList<PromptMessage>>, QueryFixtureHandlers>();

        return services.AddMcpCatalog(catalog => catalog
            .AddExternalResource<StaticText, string>("test://static-text", r => r with { Name = "static-text", Description = "A static text resource", MimeType = "text/plain", Public = true })
            .AddExternalResource<StaticBinary, byte[]>("test://static-binary", r => r with { Name = "static-binary", Description = "A static binary resource", MimeType = "image/png", Public = true })
            .AddExternalResource<TemplateData, ResourceContents>("test://template/{id}/data", r => r with { Name = "template-data", Description = "Data by id", MimeType = "application/json", Public = true })
            .AddExternalResource<WatchedResource, string>("test://watched-resource", r => r with { Name = "watched-resource", Description = "A resource to subscribe to", MimeType = "text/plain", Public = true })
            .AddExternalPrompt<SimplePrompt, string>("test_simple_prompt", p => p with { Description = "A simple prompt without arguments", Public = true })
            .AddExternalPrompt<PromptWithArguments, string>("test_prompt_with_arguments", p => p with { Description = "A prompt with two required arguments", Public = true })
            .AddExternalPrompt<PromptWithEmbeddedResource, IReadOnlyList<PromptMessage>>("test_prompt_with_embedded_resource", p => p with { Description = "A prompt that embeds a resource", Public = true })
            .AddExternalPrompt<PromptWithImage, IReadOnlyList<PromptMessage>>("test_prompt_with_image", p => p with { Description = "A prompt with an image", Public = true }));
    }
}

/// <summary>Suggests values for <c>arg1</c> that start with what was typed.</summary>
public sealed class Arg1Completion : ICompletionSource
{
    private static readonly string[] Known = ["test-alpha", "test-beta", "value"];

    public ValueTask<CompletionValues> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new CompletionValues([.. Known.Where(k => k.StartsWith(request.Value, StringComparison.Ordinal))]));
}

internal sealed class QueryFixtureHandlers
    : IQueryHandler<StaticText, string>,
      IQueryHandler<StaticBinary, byte[]>,
      IQueryHandler<TemplateData, ResourceContents>,
      IQueryHandler<WatchedResource, string>,
      IQueryHandler<SimplePrompt, string>,
      IQueryHandler<PromptWithArguments, string>,
      IQueryHandler<PromptWithEmbeddedResource, IReadOnlyList<PromptMessage>>,
      IQueryHandler<PromptWithImage, IReadOnlyList<PromptMessage>>
{
    public ValueTask<string> Handle(StaticText query, CancellationToken cancellationToken) =>
        ValueTask.FromResult("This is the content of the static text resource.");

    public ValueTask<byte[]> Handle(StaticBinary query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Convert.FromBase64String(ConformanceFixtures.Png));

    public ValueTask<ResourceContents> Handle(TemplateData query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ResourceContents>(new TextResourceContents
        {
            Uri = $"test://template/{query.Id}/data",
            MimeType = "application/json",
            Text = $$"""{"id":"{{query.Id}}","templateTest":true,"data":"Data for ID: {{query.Id}}"}""",
        });

    public ValueTask<string> Handle(WatchedResource query, CancellationToken cancellationToken) =>
        ValueTask.FromResult("Watched resource content");

    public ValueTask<string> Handle(SimplePrompt query, CancellationToken cancellationToken) =>
        ValueTask.FromResult("This is a simple prompt for testing.");

    public ValueTask<string> Handle(PromptWithArguments query, CancellationToken cancellationToken) =>
        ValueTask.FromResult($"Prompt with arguments: arg1='{query.Arg1}', arg2='{query.Arg2}'");

    public ValueTask<IReadOnlyList<PromptMessage>> Handle(PromptWithEmbeddedResource query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<PromptMessage>>(
        [
            new PromptMessage
            {
                Role = Role.User,
                Content = new EmbeddedResourceBlock
                {
                    Resource = new TextResourceContents { Uri = query.ResourceUri, MimeType = "text/plain", Text = "Embedded resource content for testing." },
                },
            },
            new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = "Please process the embedded resource above." } },
        ]);

    public ValueTask<IReadOnlyList<PromptMessage>> Handle(PromptWithImage query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<PromptMessage>>(
        [
            new PromptMessage { Role = Role.User, Content = ImageContentBlock.FromBytes(Convert.FromBase64String(ConformanceFixtures.Png), "image/png") },
            new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = "Please analyze the image above." } },
        ]);
}
