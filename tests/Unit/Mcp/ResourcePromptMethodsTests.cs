using System.Text.Json;
using Mediator;
using McpCqrs.Mcp.Exceptions;
using McpCqrs.Mcp;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Mcp.Context;
using McpCqrs.Mcp.Methods;
using McpCqrs.Domain.Common;
using McpCqrs.Mcp.InMemory;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>Invokers that answer like a handler would, and remember the request they were given.</summary>
internal sealed class QsInvokers
{
    public List<object> Requests { get; } = [];

    public IServiceProvider? Services { get; private set; }

    public ToolInvoker Returns(Func<object, object?> answer) => (services, request, _) =>
    {
        Services = services;
        Requests.Add(request);
        return ValueTask.FromResult(answer(request));
    };

    public ToolInvoker Throws(Exception error) => (_, request, _) =>
    {
        Requests.Add(request);
        return ValueTask.FromException<object?>(error);
    };
}

public sealed class ReadResourceTests
{
    private readonly QsInvokers _invokers = new();
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();

    private McpCatalog Catalog(params ResourceRegistration[] resources) => new([], resources, [], _ => []);

    private async Task<ReadResourceResult> Read(McpCatalog catalog, string uri, ISender? sender = null) =>
        await new McpReadResourceHandler(catalog, _services, sender ?? new QsSender()).Handle(new McpReadResource(uri), CancellationToken.None);

    private async Task<McpProtocolException> ReadFails(McpCatalog catalog, string uri) =>
        await Assert.ThrowsAsync<McpProtocolException>(async () => await Read(catalog, uri));

    [Fact]
    public async Task A_string_result_is_text_contents_under_the_requested_uri_as_plain_text_by_default()
    {
        var catalog = Catalog(new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", Invoker: _invokers.Returns(r => $"document {((QsGetDocument)r).Id}")));

        var result = await Read(catalog, "docs://42");

        var text = Assert.IsType<TextResourceContents>(Assert.Single(result.Contents));
        Assert.Equal("document 42", text.Text);
        Assert.Equal("docs://42", text.Uri);
        Assert.Equal("text/plain", text.MimeType);
    }

    [Fact]
    public async Task A_string_result_takes_the_mime_type_of_the_binding()
    {
        var catalog = Catalog(new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", MimeType: "text/markdown", Invoker: _invokers.Returns(_ => "# doc")));

        var text = Assert.IsType<TextResourceContents>(Assert.Single((await Read(catalog, "docs://1")).Contents));

        Assert.Equal("text/markdown", text.MimeType);
    }

    [Fact]
    public async Task A_byte_array_result_is_a_blob_as_octet_stream_by_default()
    {
        byte[] bytes = [0, 1, 2, 250, 255];
        var catalog = Catalog(new ResourceRegistration(typeof(QsDocumentBytes), "bin://{id}", Invoker: _invokers.Returns(_ => bytes)));

        var blob = Assert.IsType<BlobResourceContents>(Assert.Single((await Read(catalog, "bin://3")).Contents));

        Assert.Equal(bytes, blob.DecodedData.ToArray());
        Assert.Equal("bin://3", blob.Uri);
        Assert.Equal("application/octet-stream", blob.MimeType);
    }

    [Fact]
    public async Task A_byte_array_result_takes_the_mime_type_of_the_binding()
    {
        var catalog = Catalog(new ResourceRegistration(typeof(QsDocumentBytes), "png://{id}", MimeType: "image/png", Invoker: _invokers.Returns(_ => new byte[] { 137, 80, 78, 71 })));

        var blob = Assert.IsType<BlobResourceContents>(Assert.Single((await Read(catalog, "png://3")).Contents));

        Assert.Equal("image/png", blob.MimeType);
        Assert.Equal(Convert.ToBase64String([137, 80, 78, 71]), System.Text.Encoding.ASCII.GetString(blob.Blob.Span));
    }

    [Fact]
    public async Task An_object_result_is_camel_cased_json_text()
    {
        var catalog = Catalog(new ResourceRegistration(typeof(QsDocumentInfo), "cards://{id}", Invoker: _invokers.Returns(r => new QsDocumentCard($"Doc {((QsDocumentInfo)r).Id}", 12))));

        var text = Assert.IsType<TextResourceContents>(Assert.Single((await Read(catalog, "cards://5")).Contents));

        Assert.Equal("application/json", text.MimeType);
        Assert.Equal("cards://5", text.Uri);
        using var json = JsonDocument.Parse(text.Text);
        Assert.Equal("Doc 5", json.RootElement.GetProperty("title").GetString());
        Assert.Equal(12, json.RootElement.GetProperty("pages").GetInt32());
    }

    [Fact]
    public async Task Resource_contents_returned_by_the_handler_go_out_as_they_are()
    {
        var contents = new TextResourceContents { Uri = "docs://canonical/1", MimeType = "text/csv", Text = "a,b" };
        var catalog = Catalog(new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", Invoker: _invokers.Returns(_ => contents)));

        Assert.Same(contents, Assert.Single((await Read(catalog, "docs://1")).Contents));
    }

    [Fact]
    public async Task Several_resource_contents_returned_by_the_handler_go_out_as_they_are()
    {
        ResourceContents[] contents =
        [
            new TextResourceContents { Uri = "docs://1/a", Text = "a" },
            BlobResourceContents.FromBytes(new byte[] { 1 }, "docs://1/b", "application/x-b"),
        ];
        var catalog = Catalog(new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", Invoker: _invokers.Returns(_ => contents)));

        Assert.Equal(contents, (await Read(catalog, "docs://1")).Contents);
    }

    [Fact]
    public async Task A_fixed_uri_is_read_with_a_request_without_arguments()
    {
        var catalog = Catalog(new ResourceRegistration(typeof(QsOpeningHours), "info://hours", Invoker: _invokers.Returns(_ => "9 to 5")));

        var text = Assert.IsType<TextResourceContents>(Assert.Single((await Read(catalog, "info://hours")).Contents));

        Assert.Equal("9 to 5", text.Text);
        Assert.IsType<QsOpeningHours>(Assert.Single(_invokers.Requests));
    }

    [Fact]
    public async Task Template_variables_are_bound_to_the_request_with_percent_decoding_and_query_parameters()
    {
        var catalog = Catalog(new ResourceRegistration(typeof(QsCustomerTickets), "customers://{customerId}/tickets{?status,page}", Invoker: _invokers.Returns(_ => "ok")));

        await Read(catalog, "customers://acme%20inc/tickets?page=3&status=open");

        Assert.Equal(new QsCustomerTickets("acme inc", "open", 3), Assert.Single(_invokers.Requests));
    }

    [Fact]
    public async Task The_invoker_gets_the_handler_services()
    {
        var catalog = Catalog(new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", Invoker: _invokers.Returns(_ => "x")));

        await Read(catalog, "docs://1");

        Assert.Same(_services, _invokers.Services);
    }

    [Fact]
    public async Task Without_an_invoker_the_request_goes_to_the_mediator()
    {
        var sender = new QsSender(r => $"sent {((QsGetDocument)r).Id}");
        var catalog = Catalog(new ResourceRegistration(typeof(QsGetDocument), "docs://{id}"));

        var result = await Read(catalog, "docs://8", sender);

        Assert.Equal(new QsGetDocument(8), Assert.Single(sender.Sent));
        Assert.Equal("sent 8", Assert.IsType<TextResourceContents>(Assert.Single(result.Contents)).Text);
    }

    [Theory]
    [InlineData("nothing://1")]
    [InlineData("docs://1/more")]
    [InlineData("docs://1?x=2")]
    public async Task An_unmatched_uri_is_resource_not_found_with_the_uri_in_data(string uri)
    {
        var catalog = Catalog(new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", Invoker: _invokers.Returns(_ => "never")));

        var error = await ReadFails(catalog, uri);

        Assert.Equal(McpErrorCode.ResourceNotFound, error.ErrorCode);
        Assert.Equal(uri, error.Data["uri"]);
        Assert.Contains(uri, error.Message, StringComparison.Ordinal);
        Assert.Empty(_invokers.Requests);
    }

    [Fact]
    public async Task An_entity_the_handler_does_not_find_is_resource_not_found_with_the_uri_in_data()
    {
        var catalog = Catalog(new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", Invoker: _invokers.Throws(new EntityNotFoundException("Document", 404))));

        var error = await ReadFails(catalog, "docs://404");

        Assert.Equal(McpErrorCode.ResourceNotFound, error.ErrorCode);
        Assert.Equal("docs://404", error.Data["uri"]);
    }

    [Theory]
    [InlineData("docs://abc")]
    [InlineData("docs://1.5")]
    [InlineData("docs://")]
    public async Task A_variable_that_does_not_convert_to_its_property_is_invalid_params_naming_the_uri(string uri)
    {
        var catalog = Catalog(new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", Invoker: _invokers.Returns(_ => "never")));

        var error = await ReadFails(catalog, uri);

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains(uri, error.Message, StringComparison.Ordinal);
        Assert.Contains("id", error.Message, StringComparison.Ordinal);
        Assert.Empty(_invokers.Requests);
    }

    [Fact]
    public async Task A_validation_error_of_the_handler_is_invalid_params()
    {
        var invalid = new RequestValidationException(nameof(QsGetDocument), [new FieldError("id", "must be positive", "range")]);
        var catalog = Catalog(new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", Invoker: _invokers.Throws(invalid)));

        var error = await ReadFails(catalog, "docs://-1");

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains("must be positive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_business_rule_is_invalid_params_with_its_message()
    {
        var catalog = Catalog(new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", Invoker: _invokers.Throws(new BusinessRuleViolationException("document.archived", "The document is archived."))));

        var error = await ReadFails(catalog, "docs://1");

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Equal("The document is archived.", error.Message);
    }
}

public sealed class ListResourcesTests
{
    private static readonly ResourceRegistration[] Registrations =
    [
        new(typeof(QsOpeningHours), "info://a"),
        new(typeof(QsGetDocument), "docs://{id}"),
        new(typeof(QsOpeningHours), "info://b"),
        new(typeof(QsFile), "files://{+path}"),
        new(typeof(QsOpeningHours), "info://c"),
    ];

    private static McpListResourcesHandler Handler(int pageSize) =>
        new(
            new McpCatalog([], Registrations, [], _ => []),
            new McpServerInfo { ListPageSize = pageSize },
            new McpCqrs.Mcp.Security.VisibleBindings(new(new()), new Microsoft.Extensions.DependencyInjection.ServiceCollection().BuildServiceProvider()));

    [Fact]
    public async Task Resources_list_has_only_the_fixed_uris_and_templates_list_only_the_templates()
    {
        var handler = Handler(50);

        var resources = await handler.Handle(new McpListResources(null), CancellationToken.None);
        var templates = await handler.Handle(new McpListResourceTemplates(null), CancellationToken.None);

        Assert.Equal(["info://a", "info://b", "info://c"], resources.Resources.Select(r => r.Uri));
        Assert.Equal(["docs://{id}", "files://{+path}"], templates.ResourceTemplates.Select(t => t.UriTemplate));
        Assert.Null(resources.NextCursor);
        Assert.Null(templates.NextCursor);
    }

    [Fact]
    public async Task Resources_are_listed_page_by_page()
    {
        var handler = Handler(2);

        var first = await handler.Handle(new McpListResources(null), CancellationToken.None);
        var second = await handler.Handle(new McpListResources(first.NextCursor), CancellationToken.None);

        Assert.Equal(["info://a", "info://b"], first.Resources.Select(r => r.Uri));
        Assert.Equal(["info://c"], second.Resources.Select(r => r.Uri));
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task A_resources_cursor_is_not_a_templates_cursor()
    {
        var handler = Handler(1);
        var first = await handler.Handle(new McpListResources(null), CancellationToken.None);

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () => await handler.Handle(new McpListResourceTemplates(first.NextCursor), CancellationToken.None));

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
    }
}

public sealed class PromptsTests
{
    private readonly QsInvokers _invokers = new();
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSingleton(new McpCqrs.Mcp.Security.PermissionEvaluator(new()))
        .AddScoped<McpCqrs.Mcp.Security.VisibleBindings>()
        .BuildServiceProvider();

    private McpPromptsHandler Handler(McpServerInfo? server = null, params PromptRegistration[] prompts) =>
        new(new McpCatalog([], [], prompts, _ => []), server ?? new McpServerInfo(), _services, new QsSender());

    private McpPromptsHandler Handler(params PromptRegistration[] prompts) => Handler(null, prompts);

    private static async Task<GetPromptResult> Get(McpPromptsHandler handler, string name, Dictionary<string, string>? arguments = null) =>
        await handler.Handle(new McpGetPrompt(name, arguments), CancellationToken.None);

    private static async Task<McpProtocolException> GetFails(McpPromptsHandler handler, string name, Dictionary<string, string>? arguments = null) =>
        await Assert.ThrowsAsync<McpProtocolException>(async () => await Get(handler, name, arguments));

    [Fact]
    public async Task An_unknown_prompt_is_invalid_params_naming_it()
    {
        var error = await GetFails(Handler(new PromptRegistration(typeof(QsDraftReply), "draft_reply", Invoker: _invokers.Returns(_ => "x"))), "no_such_prompt");

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains("'no_such_prompt'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_required_argument_is_invalid_params_naming_it()
    {
        var handler = Handler(new PromptRegistration(typeof(QsDraftReply), "draft_reply", Invoker: _invokers.Returns(_ => "x")));

        var error = await GetFails(handler, "draft_reply", new() { ["tone"] = "formal" });

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains("'ticketId'", error.Message, StringComparison.Ordinal);
        Assert.Empty(_invokers.Requests);
    }

    [Fact]
    public async Task No_arguments_at_all_for_a_prompt_with_a_required_one_is_invalid_params_naming_it()
    {
        var handler = Handler(new PromptRegistration(typeof(QsSummarize), "summarize", Invoker: _invokers.Returns(_ => "x")));

        var error = await GetFails(handler, "summarize");

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains("'topic'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_string_result_is_one_user_text_message_under_the_prompt_description()
    {
        var handler = Handler(new PromptRegistration(typeof(QsSummarize), "summarize", Invoker: _invokers.Returns(r => $"Summarise {((QsSummarize)r).Topic} in {((QsSummarize)r).Language}.")));

        var result = await Get(handler, "summarize", new() { ["topic"] = "billing" });

        var message = Assert.Single(result.Messages);
        Assert.Equal(Role.User, message.Role);
        Assert.Equal("Summarise billing in en.", Assert.IsType<TextContentBlock>(message.Content).Text);
        Assert.Equal("A prompt whose completion attribute sits on the constructor parameter, not the property.", result.Description);
    }

    [Fact]
    public async Task String_arguments_are_converted_to_the_request_properties()
    {
        var handler = Handler(new PromptRegistration(typeof(QsDraftReply), "draft_reply", Invoker: _invokers.Returns(_ => "x")));

        await Get(handler, "draft_reply", new() { ["ticketId"] = "7", ["note"] = "sorry", ["limit"] = "50", ["tone"] = "formal" });

        Assert.Equal(new QsDraftReply(7, "sorry", 50, "formal"), Assert.Single(_invokers.Requests));
    }

    [Fact]
    public async Task An_argument_that_does_not_convert_is_invalid_params_naming_the_prompt_and_the_argument()
    {
        var handler = Handler(new PromptRegistration(typeof(QsDraftReply), "draft_reply", Invoker: _invokers.Returns(_ => "x")));

        var error = await GetFails(handler, "draft_reply", new() { ["ticketId"] = "seven", ["note"] = "n", ["limit"] = "1" });

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains("'draft_reply'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ticketId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_argument_is_invalid_params_naming_it()
    {
        var handler = Handler(new PromptRegistration(typeof(QsSummarize), "summarize", Invoker: _invokers.Returns(_ => "x")));

        var error = await GetFails(handler, "summarize", new() { ["topic"] = "t", ["mood"] = "happy" });

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains("mood", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_list_of_messages_is_passed_through_in_order()
    {
        PromptMessage[] messages =
        [
            new() { Role = Role.User, Content = new TextContentBlock { Text = "first" } },
            new() { Role = Role.Assistant, Content = new TextContentBlock { Text = "second" } },
        ];
        var handler = Handler(new PromptRegistration(typeof(QsSummarize), "summarize", Invoker: _invokers.Returns(_ => messages.ToList())));

        var result = await Get(handler, "summarize", new() { ["topic"] = "t" });

        Assert.Equal(messages, result.Messages);
    }

    [Fact]
    public async Task A_single_message_is_the_only_message()
    {
        var message = new PromptMessage { Role = Role.Assistant, Content = new TextContentBlock { Text = "hi" } };
        var handler = Handler(new PromptRegistration(typeof(QsSummarize), "summarize", Invoker: _invokers.Returns(_ => message)));

        var result = await Get(handler, "summarize", new() { ["topic"] = "t" });

        Assert.Same(message, Assert.Single(result.Messages));
    }

    [Fact]
    public async Task A_full_prompt_result_goes_out_as_it_is()
    {
        var full = new GetPromptResult { Description = "custom", Messages = [new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = "x" } }] };
        var handler = Handler(new PromptRegistration(typeof(QsSummarize), "summarize", Invoker: _invokers.Returns(_ => full)));

        Assert.Same(full, await Get(handler, "summarize", new() { ["topic"] = "t" }));
    }

    [Fact]
    public async Task A_result_of_another_type_is_an_error_naming_the_prompt()
    {
        var handler = Handler(new PromptRegistration(typeof(QsSummarize), "summarize", Invoker: _invokers.Returns(_ => 42)));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await Get(handler, "summarize", new() { ["topic"] = "t" }));

        Assert.Contains("'summarize'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prompts_are_listed_one_page_at_a_time_with_cursors()
    {
        var handler = Handler(
            new McpServerInfo { ListPageSize = 1 },
            new PromptRegistration(typeof(QsDraftReply), "draft_reply"),
            new PromptRegistration(typeof(QsSummarize), "summarize"));

        var first = await handler.Handle(new McpListPrompts(null), CancellationToken.None);
        var second = await handler.Handle(new McpListPrompts(first.NextCursor), CancellationToken.None);

        Assert.Equal(["draft_reply"], first.Prompts.Select(p => p.Name));
        Assert.NotNull(first.NextCursor);
        Assert.Equal(["summarize"], second.Prompts.Select(p => p.Name));
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task A_listed_prompt_carries_its_arguments()
    {
        var list = await Handler(new PromptRegistration(typeof(QsSummarize), "summarize")).Handle(new McpListPrompts(null), CancellationToken.None);

        var prompt = Assert.Single(list.Prompts);
        Assert.Equal(["topic", "language"], prompt.Arguments!.Select(a => a.Name));
        Assert.Equal([true, false], prompt.Arguments!.Select(a => a.Required == true));
    }

    [Fact]
    public async Task A_garbage_prompts_cursor_is_invalid_params()
    {
        var handler = Handler(new PromptRegistration(typeof(QsSummarize), "summarize"));

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () => await handler.Handle(new McpListPrompts("garbage"), CancellationToken.None));

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
    }
}

public sealed class CompletionTests
{
    private static readonly McpCatalog Catalog = new(
        [],
        [
            new ResourceRegistration(typeof(QsGetDocument), "docs://{id}"),
            new ResourceRegistration(typeof(QsOtherDocument), "other://{id}"),
        ],
        [
            new PromptRegistration(typeof(QsDraftReply), "draft_reply"),
            new PromptRegistration(typeof(QsSummarize), "summarize"),
        ],
        _ => []);

    private static McpCompleteHandler Handler()
    {
        // QsManyWords is not registered: the handler creates it, with its dependency from the container.
        var services = new ServiceCollection().AddSingleton<QsWordList>().BuildServiceProvider();
        return new McpCompleteHandler(Catalog, services);
    }

    private static async Task<ModelContextProtocol.Protocol.Completion> Complete(Reference reference, string argument, string value, Dictionary<string, string>? context = null) =>
        (await Handler().Handle(
            new McpComplete(new CompleteRequestParams
            {
                Ref = reference,
                Argument = new Argument { Name = argument, Value = value },
                Context = context is null ? null : new CompleteContext { Arguments = context },
            }),
            CancellationToken.None)).Completion;

    private static async Task<McpProtocolException> CompleteFails(Reference reference, string argument = "x") =>
        await Assert.ThrowsAsync<McpProtocolException>(async () => await Complete(reference, argument, string.Empty));

    [Fact]
    public async Task A_prompt_argument_is_completed_by_its_source()
    {
        var completion = await Complete(new PromptReference { Name = "draft_reply" }, "tone", "fr");

        Assert.Equal(["tone|fr|", "friendly", "formal"], completion.Values);
        Assert.Equal(3, completion.Total);
        Assert.False(completion.HasMore);
    }

    [Fact]
    public async Task The_source_sees_the_arguments_already_chosen()
    {
        var completion = await Complete(new PromptReference { Name = "draft_reply" }, "tone", "f", new() { ["ticketId"] = "7", ["note"] = "n" });

        Assert.Equal("tone|f|note=n,ticketId=7", completion.Values[0]);
    }

    [Fact]
    public async Task A_resource_template_variable_is_completed_by_its_source()
    {
        var completion = await Complete(new ResourceTemplateReference { Uri = "docs://{id}" }, "id", "1");

        Assert.Equal(["1", "12", "123"], completion.Values);
    }

    [Fact]
    public async Task A_source_with_dependencies_is_created_from_the_services_and_its_values_are_capped_at_100()
    {
        var completion = await Complete(new PromptReference { Name = "summarize" }, "topic", string.Empty);

        Assert.Equal(McpCompleteHandler.MaxValues, completion.Values.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"word{i}"), completion.Values);
        Assert.True(completion.HasMore);
        Assert.Equal(250, completion.Total);
    }

    [Theory]
    [InlineData("draft_reply", "ticketId")]
    [InlineData("summarize", "language")]
    [InlineData("summarize", "notAnArgument")]
    public async Task A_prompt_argument_without_a_source_completes_to_nothing(string prompt, string argument)
    {
        var completion = await Complete(new PromptReference { Name = prompt }, argument, "a");

        Assert.Empty(completion.Values);
        Assert.Equal(0, completion.Total);
        Assert.False(completion.HasMore);
    }

    [Fact]
    public async Task A_template_variable_without_a_source_completes_to_nothing() =>
        Assert.Empty((await Complete(new ResourceTemplateReference { Uri = "other://{id}" }, "id", "1")).Values);

    [Fact]
    public async Task An_unknown_prompt_is_invalid_params_naming_it()
    {
        var error = await CompleteFails(new PromptReference { Name = "no_such_prompt" });

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains("'no_such_prompt'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("docs://7")]
    [InlineData("nothing://{id}")]
    public async Task A_resource_reference_that_is_not_a_registered_template_is_invalid_params(string uri)
    {
        var error = await CompleteFails(new ResourceTemplateReference { Uri = uri });

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains(uri, error.Message, StringComparison.Ordinal);
    }
}

public sealed class SubscriptionTests
{
    private static readonly McpCatalog Catalog = new(
        [],
        [new ResourceRegistration(typeof(QsGetDocument), "docs://{id}"), new ResourceRegistration(typeof(QsOpeningHours), "info://hours")],
        [],
        _ => []);

    private readonly InMemoryResourceSubscriptions _subscriptions = new();
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();

    private McpSubscriptionHandler Handler(string? sessionId = "session-1", ISender? sender = null, int maxSubscriptions = 100) =>
        new(
            Catalog,
            new McpRequestContext { SessionId = sessionId },
            _subscriptions,
            _services,
            sender ?? new QsSender(_ => "contents"),
            new McpLimitsOptions { MaxSubscriptionsPerSession = maxSubscriptions });

    [Fact]
    public async Task Subscribing_to_an_entity_that_does_not_exist_is_resource_not_found()
    {
        var sender = new QsSender(_ => throw new EntityNotFoundException("Document", 404));

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () => await Handler(sender: sender).Handle(new McpSubscribe("docs://404"), CancellationToken.None));

        Assert.Equal(McpErrorCode.ResourceNotFound, error.ErrorCode);
        Assert.Empty(await Subscribers("docs://404"));
    }

    [Fact]
    public async Task Subscribing_to_a_resource_the_caller_may_not_read_is_refused_as_the_read_is()
    {
        var sender = new QsSender(_ => throw new McpCqrs.Mcp.Security.ForbiddenAccessException("get_document", "the token lacks the scope docs:read", ["docs:read"], true));

        await Assert.ThrowsAsync<McpCqrs.Mcp.Security.ForbiddenAccessException>(async () => await Handler(sender: sender).Handle(new McpSubscribe("docs://7"), CancellationToken.None));

        Assert.Empty(await Subscribers("docs://7"));
    }

    [Fact]
    public async Task A_session_at_its_subscription_limit_is_refused_and_another_session_is_not()
    {
        await Handler(maxSubscriptions: 2).Handle(new McpSubscribe("docs://1"), CancellationToken.None);
        await Handler(maxSubscriptions: 2).Handle(new McpSubscribe("docs://2"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<McpLimitExceededException>(async () => await Handler(maxSubscriptions: 2).Handle(new McpSubscribe("docs://3"), CancellationToken.None));
        await Handler(maxSubscriptions: 2).Handle(new McpSubscribe("docs://2"), CancellationToken.None);
        await Handler("session-2", maxSubscriptions: 2).Handle(new McpSubscribe("docs://3"), CancellationToken.None);

        Assert.Equal("Mcp:Limits:MaxSubscriptionsPerSession", error.Limit);
        Assert.Equal(["session-2"], await Subscribers("docs://3"));

        await Handler(maxSubscriptions: 2).Handle(new McpUnsubscribe("docs://1"), CancellationToken.None);
        await Handler(maxSubscriptions: 2).Handle(new McpSubscribe("docs://3"), CancellationToken.None);
    }

    private Task<IReadOnlyCollection<string>> Subscribers(string uri) => _subscriptions.SubscribersAsync(uri, CancellationToken.None);

    [Fact]
    public async Task Subscribing_to_a_uri_no_resource_matches_is_resource_not_found_with_the_uri_in_data()
    {
        var error = await Assert.ThrowsAsync<McpProtocolException>(async () => await Handler().Handle(new McpSubscribe("nothing://1"), CancellationToken.None));

        Assert.Equal(McpErrorCode.ResourceNotFound, error.ErrorCode);
        Assert.Equal("nothing://1", error.Data["uri"]);
        Assert.Empty(await Subscribers("nothing://1"));
    }

    [Theory]
    [InlineData("docs://7")]
    [InlineData("info://hours")]
    public async Task Subscribing_adds_the_session_as_a_subscriber_of_that_uri(string uri)
    {
        await Handler().Handle(new McpSubscribe(uri), CancellationToken.None);

        Assert.Equal(["session-1"], await Subscribers(uri));
        Assert.Empty(await Subscribers("docs://8"));
    }

    [Fact]
    public async Task Unsubscribing_removes_only_that_session()
    {
        await Handler("session-1").Handle(new McpSubscribe("docs://7"), CancellationToken.None);
        await Handler("session-2").Handle(new McpSubscribe("docs://7"), CancellationToken.None);

        await Handler("session-1").Handle(new McpUnsubscribe("docs://7"), CancellationToken.None);

        Assert.Equal(["session-2"], await Subscribers("docs://7"));
    }

    [Fact]
    public async Task Subscribing_twice_subscribes_once()
    {
        await Handler().Handle(new McpSubscribe("docs://7"), CancellationToken.None);
        await Handler().Handle(new McpSubscribe("docs://7"), CancellationToken.None);

        Assert.Single(await Subscribers("docs://7"));
    }

    [Fact]
    public async Task Without_a_session_subscribing_stores_nothing()
    {
        await Handler(sessionId: null).Handle(new McpSubscribe("docs://7"), CancellationToken.None);

        Assert.Empty(await Subscribers("docs://7"));
    }

    [Fact]
    public async Task Unsubscribing_from_a_uri_never_subscribed_is_harmless()
    {
        await Handler().Handle(new McpUnsubscribe("nothing://1"), CancellationToken.None);

        Assert.Empty(await Subscribers("nothing://1"));
    }
}
