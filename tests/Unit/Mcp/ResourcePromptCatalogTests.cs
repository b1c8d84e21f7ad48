using McpCqrs.Application.Customers.Queries.GetCustomer;
using McpCqrs.Application.Customers.Queries.SuggestCustomers;
using McpCqrs.Mcp.Catalog;
using McpCqrs.Application.Tickets.Queries.GetTicket;
using McpCqrs.Application.Tickets.Queries.TriageTicket;
using ModelContextProtocol.Protocol;
using McpCqrs.Web.Apps;

namespace McpCqrs.Tests.Unit.Mcp;

/// <summary>The resources and prompts of <see cref="McpCatalog"/>.</summary>
public sealed class ResourcePromptCatalogTests
{
    private static McpCatalog Catalog(ResourceRegistration[]? resources = null, PromptRegistration[]? prompts = null) =>
        new([], resources ?? [], prompts ?? [], _ => []);

    private static McpCatalog AppCatalog()
    {
        var builder = new McpCatalogBuilder().AddTicketBoard().AddFromAssembly(typeof(McpCqrs.Application.DependencyInjection).Assembly);
        return new McpCatalog(builder.Tools, builder.Resources, builder.Prompts, _ => []);
    }

    private static PromptBinding Prompt(McpCatalog catalog, string name)
    {
        Assert.True(catalog.TryGetPrompt(name, out var binding), $"no prompt '{name}'");
        return binding;
    }

    private static PromptArgument Argument(PromptBinding prompt, string name) =>
        Assert.Single(prompt.Prompt.Arguments!, a => a.Name == name);

    [Fact]
    public void A_fixed_uri_is_a_listed_resource_and_not_a_template()
    {
        var binding = Catalog([new ResourceRegistration(typeof(QsOpeningHours), "info://opening-hours", Title: "Opening hours", MimeType: "text/markdown")]).Resources.Single();

        Assert.NotNull(binding.Resource);
        Assert.Null(binding.Template);
        Assert.Equal("info://opening-hours", binding.Resource.Uri);
        Assert.Equal("Opening hours", binding.Resource.Title);
        Assert.Equal("text/markdown", binding.Resource.MimeType);
        Assert.Equal(nameof(QsOpeningHours), binding.Resource.Name);
        Assert.Equal("The desk's opening hours.", binding.Resource.Description);
    }

    [Fact]
    public void A_uri_with_variables_is_a_template_and_not_a_resource()
    {
        var binding = Catalog([new ResourceRegistration(typeof(QsGetDocument), "docs://{id}", Name: "document", Description: "One document.")]).Resources.Single();

        Assert.Null(binding.Resource);
        Assert.NotNull(binding.Template);
        Assert.Equal("docs://{id}", binding.Template.UriTemplate);
        Assert.Equal("document", binding.Template.Name);
        Assert.Equal("One document.", binding.Template.Description);
        Assert.Equal(typeof(string), binding.ResultType);
    }

    [Fact]
    public void The_same_uri_template_twice_is_refused_naming_both_request_types()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Catalog(
        [
            new ResourceRegistration(typeof(QsGetDocument), "docs://{id}"),
            new ResourceRegistration(typeof(QsOtherDocument), "docs://{id}"),
        ]));

        Assert.Contains("docs://{id}", error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(QsGetDocument).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(QsOtherDocument).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_variable_without_a_matching_property_is_refused_naming_the_variable()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Catalog([new ResourceRegistration(typeof(QsNoSuchVariable), "docs://{slug}")]));

        Assert.Contains("'slug'", error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(QsNoSuchVariable).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_variable_matches_its_property_whatever_the_case()
    {
        var binding = Catalog([new ResourceRegistration(typeof(QsGetDocument), "docs://{ID}")]).Resources.Single();

        Assert.Equal(["ID"], binding.Matcher.Variables);
        Assert.Equal(typeof(QsDocumentIds), binding.Completions["ID"]);
    }

    [Fact]
    public void A_malformed_uri_template_is_refused_naming_the_request_type()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Catalog([new ResourceRegistration(typeof(QsGetDocument), "docs://{id*}")]));

        Assert.Contains(typeof(QsGetDocument).FullName!, error.Message, StringComparison.Ordinal);
        Assert.IsType<ArgumentException>(error.InnerException);
    }

    [Fact]
    public void A_resource_that_is_not_a_request_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Catalog([new ResourceRegistration(typeof(NotARequest), "x://{name}")]));

        Assert.Contains(typeof(NotARequest).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryMatchResource_prefers_the_fixed_uri_over_a_template_that_matches_it_too()
    {
        var catalog = Catalog(
        [
            new ResourceRegistration(typeof(QsGetDocument), "docs://{id}"),
            new ResourceRegistration(typeof(QsOpeningHours), "docs://hours"),
        ]);

        Assert.True(catalog.TryMatchResource("docs://hours", out var binding, out var variables));
        Assert.Equal(typeof(QsOpeningHours), binding.RequestType);
        Assert.Empty(variables);
    }

    [Fact]
    public void TryMatchResource_falls_back_to_the_first_template_that_matches_with_its_variables()
    {
        var catalog = Catalog(
        [
            new ResourceRegistration(typeof(QsOpeningHours), "docs://hours"),
            new ResourceRegistration(typeof(QsFile), "files://{+path}"),
            new ResourceRegistration(typeof(QsGetDocument), "docs://{id}"),
            new ResourceRegistration(typeof(QsOtherDocument), "docs://{id}/v"),
        ]);

        Assert.True(catalog.TryMatchResource("docs://7", out var binding, out var variables));
        Assert.Equal(typeof(QsGetDocument), binding.RequestType);
        Assert.Equal("7", variables["id"]);

        Assert.True(catalog.TryMatchResource("files://a/b", out binding, out variables));
        Assert.Equal(typeof(QsFile), binding.RequestType);
        Assert.Equal("a/b", variables["path"]);
    }

    [Fact]
    public void TryMatchResource_is_false_for_a_uri_nothing_matches()
    {
        var catalog = Catalog([new ResourceRegistration(typeof(QsGetDocument), "docs://{id}"), new ResourceRegistration(typeof(QsOpeningHours), "info://hours")]);

        Assert.False(catalog.TryMatchResource("other://7", out _, out var variables));
        Assert.False(catalog.TryMatchResource("info://hours/more", out _, out _));
        Assert.Empty(variables);
    }

    [Fact]
    public void TryGetResourceTemplate_finds_a_binding_by_its_template_not_by_a_uri()
    {
        var catalog = Catalog([new ResourceRegistration(typeof(QsGetDocument), "docs://{id}")]);

        Assert.True(catalog.TryGetResourceTemplate("docs://{id}", out var binding));
        Assert.Equal(typeof(QsGetDocument), binding.RequestType);
        Assert.False(catalog.TryGetResourceTemplate("docs://7", out _));
    }

    [Fact]
    public void Prompt_arguments_come_from_the_record_constructor_camel_cased_in_order()
    {
        var prompt = Prompt(Catalog(prompts: [new PromptRegistration(typeof(QsDraftReply), "draft_reply", Title: "Draft a reply")]), "draft_reply");

        Assert.Equal(["ticketId", "note", "limit", "tone"], prompt.Prompt.Arguments!.Select(a => a.Name));
        Assert.Equal("Draft a reply", prompt.Prompt.Title);
        Assert.Equal(typeof(QsDraftReply), prompt.RequestType);
        Assert.Equal(typeof(string), prompt.ResultType);
    }

    [Theory]
    [InlineData("ticketId", true)]
    [InlineData("note", false)]
    [InlineData("limit", false)]
    [InlineData("tone", false)]
    public void A_prompt_argument_is_required_only_without_a_default_and_not_nullable(string name, bool required)
    {
        var prompt = Prompt(Catalog(prompts: [new PromptRegistration(typeof(QsDraftReply), "draft_reply")]), "draft_reply");

        Assert.Equal(required, Argument(prompt, name).Required);
    }

    [Theory]
    [InlineData("ticketId", "The ticket to answer.")]
    [InlineData("note", "Something the reply should mention.")]
    [InlineData("tone", "How the reply should sound.")]
    public void A_prompt_argument_is_described_by_the_record_param_documentation(string name, string description)
    {
        var prompt = Prompt(Catalog(prompts: [new PromptRegistration(typeof(QsDraftReply), "draft_reply")]), "draft_reply");

        Assert.Equal(description, Argument(prompt, name).Description);
    }

    [Fact]
    public void A_prompt_is_described_by_the_summary_unless_its_registration_says_otherwise()
    {
        var catalog = Catalog(prompts:
        [
            new PromptRegistration(typeof(QsDraftReply), "draft_reply"),
            new PromptRegistration(typeof(QsSummarize), "summarize", Description: "Summarises a topic."),
        ]);

        Assert.Equal("Drafts a reply to a ticket.", Prompt(catalog, "draft_reply").Prompt.Description);
        Assert.Equal("Summarises a topic.", Prompt(catalog, "summarize").Prompt.Description);
    }

    [Fact]
    public void A_prompt_without_parameters_has_no_arguments_list() =>
        Assert.Null(Prompt(Catalog(prompts: [new PromptRegistration(typeof(QsOpeningHours), "hours")]), "hours").Prompt.Arguments);

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    [InlineData("émoji")]
    public void An_invalid_prompt_name_is_refused_naming_it(string name)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Catalog(prompts: [new PromptRegistration(typeof(QsDraftReply), name)]));

        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_prompt_name_of_129_characters_is_refused_and_one_of_128_is_not()
    {
        Assert.Throws<InvalidOperationException>(() => Catalog(prompts: [new PromptRegistration(typeof(QsDraftReply), new string('p', 129))]));

        Assert.Single(Catalog(prompts: [new PromptRegistration(typeof(QsDraftReply), new string('p', 128))]).Prompts);
    }

    [Theory]
    [InlineData("draft_reply")]
    [InlineData("draft-reply.v2")]
    [InlineData("A1")]
    public void A_valid_prompt_name_is_taken(string name) =>
        Assert.Equal(name, Prompt(Catalog(prompts: [new PromptRegistration(typeof(QsDraftReply), name)]), name).Name);

    [Fact]
    public void The_same_prompt_name_twice_is_refused_naming_both_request_types()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Catalog(prompts:
        [
            new PromptRegistration(typeof(QsDraftReply), "reply"),
            new PromptRegistration(typeof(QsSummarize), "reply"),
        ]));

        Assert.Contains(typeof(QsDraftReply).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(QsSummarize).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_prompt_that_is_not_a_request_is_refused() =>
        Assert.Throws<InvalidOperationException>(() => Catalog(prompts: [new PromptRegistration(typeof(NotARequest), "not_a_request")]));

    [Fact]
    public void A_completion_attribute_on_a_record_property_names_the_prompt_argument_source()
    {
        var prompt = Prompt(Catalog(prompts: [new PromptRegistration(typeof(QsDraftReply), "draft_reply")]), "draft_reply");

        Assert.Equal(typeof(QsTones), Assert.Single(prompt.Completions, c => c.Key == "tone").Value);
        Assert.Single(prompt.Completions);
    }

    [Fact]
    public void A_completion_attribute_on_a_constructor_parameter_names_the_prompt_argument_source()
    {
        var prompt = Prompt(Catalog(prompts: [new PromptRegistration(typeof(QsSummarize), "summarize")]), "summarize");

        Assert.Equal(typeof(QsManyWords), prompt.Completions["topic"]);
        Assert.False(prompt.Completions.ContainsKey("language"));
    }

    [Fact]
    public void A_completion_attribute_names_the_resource_template_variable_source_under_the_variable_name()
    {
        var catalog = Catalog(
        [
            new ResourceRegistration(typeof(QsGetDocument), "docs://{id}"),
            new ResourceRegistration(typeof(QsOtherDocument), "other://{Id}"),
        ]);

        Assert.Equal(typeof(QsDocumentIds), catalog.Resources[0].Completions["id"]);
        Assert.Empty(catalog.Resources[1].Completions);
    }

    [Fact]
    public void A_completion_source_of_a_property_that_is_not_a_template_variable_is_not_used()
    {
        var binding = Catalog([new ResourceRegistration(typeof(QsGetDocument), "info://fixed")]).Resources.Single();

        Assert.Empty(binding.Completions);
    }

    [Fact]
    public void Adding_and_removing_a_resource_raises_Changed_for_resources()
    {
        var catalog = Catalog();
        var kinds = new List<CatalogKind>();
        catalog.Changed += (sender, e) =>
        {
            Assert.Same(catalog, sender);
            kinds.Add(e.Kind);
        };

        var added = catalog.AddResource(new ResourceRegistration(typeof(QsGetDocument), "docs://{id}"));

        Assert.Equal([CatalogKind.Resources], kinds);
        Assert.Same(added, Assert.Single(catalog.Resources));
        Assert.True(catalog.TryMatchResource("docs://1", out _, out _));

        Assert.True(catalog.RemoveResource("docs://{id}"));

        Assert.Equal([CatalogKind.Resources, CatalogKind.Resources], kinds);
        Assert.Empty(catalog.Resources);
        Assert.False(catalog.TryMatchResource("docs://1", out _, out _));
    }

    [Fact]
    public void Adding_and_removing_a_prompt_raises_Changed_for_prompts()
    {
        var catalog = Catalog();
        var kinds = new List<CatalogKind>();
        catalog.Changed += (_, e) => kinds.Add(e.Kind);

        catalog.AddPrompt(new PromptRegistration(typeof(QsDraftReply), "draft_reply"));

        Assert.Equal([CatalogKind.Prompts], kinds);
        Assert.True(catalog.TryGetPrompt("draft_reply", out _));

        Assert.True(catalog.RemovePrompt("draft_reply"));

        Assert.Equal([CatalogKind.Prompts, CatalogKind.Prompts], kinds);
        Assert.False(catalog.TryGetPrompt("draft_reply", out _));
    }

    [Fact]
    public void Removing_what_is_not_there_is_false_and_raises_nothing()
    {
        var catalog = Catalog([new ResourceRegistration(typeof(QsGetDocument), "docs://{id}")], [new PromptRegistration(typeof(QsDraftReply), "draft_reply")]);
        var raised = 0;
        catalog.Changed += (_, _) => raised++;

        Assert.False(catalog.RemoveResource("docs://7"));
        Assert.False(catalog.RemovePrompt("nope"));

        Assert.Equal(0, raised);
        Assert.Single(catalog.Resources);
        Assert.Single(catalog.Prompts);
    }

    [Fact]
    public void Adding_a_duplicate_at_run_time_is_refused_and_raises_nothing()
    {
        var catalog = Catalog([new ResourceRegistration(typeof(QsGetDocument), "docs://{id}")], [new PromptRegistration(typeof(QsDraftReply), "draft_reply")]);
        var raised = 0;
        catalog.Changed += (_, _) => raised++;

        Assert.Throws<InvalidOperationException>(() => catalog.AddResource(new ResourceRegistration(typeof(QsOtherDocument), "docs://{id}")));
        Assert.Throws<InvalidOperationException>(() => catalog.AddPrompt(new PromptRegistration(typeof(QsSummarize), "draft_reply")));

        Assert.Equal(0, raised);
    }

    [Theory]
    [InlineData("tickets://{id}", typeof(GetTicket), "ticket")]
    [InlineData("customers://{id}", typeof(GetCustomer), "customer")]
    public void The_application_exposes_its_read_queries_as_resource_templates(string uriTemplate, Type requestType, string name)
    {
        Assert.True(AppCatalog().TryGetResourceTemplate(uriTemplate, out var binding), $"no resource '{uriTemplate}'");

        Assert.Equal(requestType, binding.RequestType);
        Assert.Equal(name, binding.Template!.Name);
        Assert.Equal("application/json", binding.MimeType);
    }

    [Fact]
    public void The_customer_template_completes_its_id()
    {
        Assert.True(AppCatalog().TryGetResourceTemplate("customers://{id}", out var binding));

        Assert.Equal(typeof(CustomerIdCompletion), binding.Completions["id"]);
    }

    [Fact]
    public void The_application_exposes_the_triage_prompt_with_a_required_ticket_id()
    {
        var prompt = Prompt(AppCatalog(), "triage_ticket");

        Assert.Equal(typeof(TriageTicket), prompt.RequestType);
        Assert.Equal("Triage a ticket", prompt.Prompt.Title);
        var argument = Assert.Single(prompt.Prompt.Arguments!);
        Assert.Equal("ticketId", argument.Name);
        Assert.True(argument.Required);
        Assert.Equal("The ticket to triage.", argument.Description);
    }

    [Fact]
    public void The_list_tickets_selector_describes_its_filter_fields_and_sortable_order()
    {
        Assert.True(AppCatalog().TryGetTool("list_tickets", out var binding));

        var properties = binding.Tool.InputSchema.GetProperty("properties");
        var filter = properties.GetProperty("filter").GetProperty("description").GetString();
        var orderBy = properties.GetProperty("orderBy").GetProperty("description").GetString();
        Assert.Contains("customer.name", filter, StringComparison.Ordinal);
        Assert.Contains("Sortable", orderBy, StringComparison.Ordinal);
        Assert.Contains("customer.name", orderBy, StringComparison.Ordinal);
        Assert.True(binding.Tool.Annotations!.ReadOnlyHint);
    }
}
