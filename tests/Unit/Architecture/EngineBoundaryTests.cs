using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace McpCqrs.Tests.Unit.Architecture;

/// <summary>
/// Where MCP lives: protocol semantics (result shapes, MCP field names, era rules) in the application's engine, HTTP
/// in the web layer, and no wire types in the use cases. Checked on the compiled web assembly (its type and member
/// references and its string literals, so a use inside a method body counts) and on the use cases' sources.
/// </summary>
public sealed class EngineBoundaryTests
{
    private static readonly Assembly Web = typeof(McpCqrs.Mcp.AspNetCore.McpEndpoints).Assembly;

    /// <summary>Field names of MCP results and params; the web layer frames messages, it never reads or writes these.</summary>
    private static readonly HashSet<string> McpFieldNames =
    [
        "resultType", "ttlMs", "inputRequests", "inputResponses", "requestState", "structuredContent", "isError",
        "serverInfo", "capabilities", "protocolVersion", "clientInfo", "instructions", "taskId", "requestId",
        "taskSupport", "execution", "nextCursor", "cursor", "content", "contents", "tools", "resources", "prompts",
        "messages", "pollInterval", "pollIntervalMs", "statusMessage", "progressToken", "_meta", "elicitation",
        "sampling", "subscriptions", "notifications", "uri", "mimeType", "arguments",
    ];

    [Fact]
    public void The_web_layer_uses_no_MCP_field_name()
    {
        var found = StringLiterals(Web).Where(McpFieldNames.Contains).Distinct().Order().ToList();
        Assert.True(found.Count == 0, $"McpCqrs.Mcp.AspNetCore names MCP fields: {string.Join(", ", found)}");
    }

    [Fact]
    public void The_web_layer_references_no_result_shaping_type()
    {
        var found = TypeReferences(Web).Where(ShapesResults).Distinct().Order().ToList();
        Assert.True(found.Count == 0, $"McpCqrs.Mcp.AspNetCore references result-shaping types: {string.Join(", ", found)}");
    }

    [Fact]
    public void The_web_layer_asks_an_era_policy_only_to_admit_a_request()
    {
        var found = MemberReferences(Web)
            .Where(m => m.Type.StartsWith("McpCqrs.Mcp.Eras.", StringComparison.Ordinal) && m.Type.EndsWith("EraPolicy", StringComparison.Ordinal))
            .Where(m => m.Member is not ("Admit" or "Claims" or ".ctor"))
            .Select(m => $"{m.Type}.{m.Member}")
            .Distinct().Order().ToList();
        Assert.True(found.Count == 0, $"McpCqrs.Mcp.AspNetCore calls era policy members besides admission: {string.Join(", ", found)}");
    }

    [Fact]
    public void No_web_source_file_is_longer_than_350_lines()
    {
        var tooLong = SourceFiles("src/Engine/McpCqrs.Mcp.AspNetCore")
            .Select(f => (File: f, Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > 350)
            .Select(f => $"{Path.GetFileName(f.File)} ({f.Lines})")
            .ToList();
        Assert.True(tooLong.Count == 0, $"Web source files over 350 lines: {string.Join(", ", tooLong)}");
    }

    [Theory]
    [InlineData("src/Application/Tickets")]
    [InlineData("src/Application/Customers")]
    public void A_use_case_folder_uses_no_ModelContextProtocol_type(string folder)
    {
        var offenders = SourceFiles(folder)
            .Where(f => File.ReadAllText(f).Contains("ModelContextProtocol", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .ToList();
        Assert.True(offenders.Count == 0, $"{folder} uses ModelContextProtocol in: {string.Join(", ", offenders)}");
    }

    [Theory]
    [InlineData("McpCqrs.Application.Tickets")]
    [InlineData("McpCqrs.Application.Customers")]
    public void A_use_case_signature_has_no_ModelContextProtocol_type(string ns)
    {
        var types = typeof(McpCqrs.Application.DependencyInjection).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith(ns, StringComparison.Ordinal) == true)
            .ToList();
        Assert.NotEmpty(types);
        var offenders = types
            .SelectMany(t => SignatureTypes(t).Where(FromModelContextProtocol).Select(s => $"{t.Name} → {s.Name}"))
            .Distinct().ToList();
        Assert.True(offenders.Count == 0, $"Use cases expose ModelContextProtocol types: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void The_checks_see_what_they_look_for()
    {
        // The readers must find a known literal, a known type reference and a known era policy call, else the
        // tests above would pass on nothing.
        Assert.Contains("Mcp-Session-Id", StringLiterals(Web));
        Assert.Contains("McpCqrs.Mcp.Dispatch.McpDispatcher", TypeReferences(Web));
        Assert.Contains(MemberReferences(Web), m => m.Type.EndsWith("EraPolicy", StringComparison.Ordinal) && m.Member == "Admit");
        Assert.Contains(SourceFiles("src/Engine/McpCqrs.Mcp.AspNetCore"), f => f.EndsWith("McpHttpTransport.cs", StringComparison.Ordinal));
        Assert.True(ShapesResults("ModelContextProtocol.Protocol.CallToolResult"));
        Assert.True(FromModelContextProtocol(typeof(ModelContextProtocol.Protocol.ElicitRequestParams)));
    }

    private static bool ShapesResults(string type) =>
        type.StartsWith("ModelContextProtocol.Protocol.", StringComparison.Ordinal)
            && (type.EndsWith("Result", StringComparison.Ordinal) || type.EndsWith("ContentBlock", StringComparison.Ordinal)
                || type is "ModelContextProtocol.Protocol.Tool" or "ModelContextProtocol.Protocol.Resource" or "ModelContextProtocol.Protocol.Prompt"
                    or "ModelContextProtocol.Protocol.ServerCapabilities" or "ModelContextProtocol.Protocol.Implementation")
        || type is "McpCqrs.Mcp.Tasks.McpTaskWire" or "McpCqrs.Mcp.Eras.RequestStateProtector"
            or "McpCqrs.Mcp.Output.ResultSize";

    private static bool FromModelContextProtocol(Type type) =>
        type.Namespace?.StartsWith("ModelContextProtocol", StringComparison.Ordinal) == true
        || (type.IsGenericType && type.GetGenericArguments().Any(FromModelContextProtocol))
        || (type.HasElementType && FromModelContextProtocol(type.GetElementType()!));

    private static IEnumerable<Type> SignatureTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var i in type.GetInterfaces())
        {
            yield return i;
        }

        foreach (var f in type.GetFields(all))
        {
            yield return f.FieldType;
        }

        foreach (var p in type.GetProperties(all))
        {
            yield return p.PropertyType;
        }

        foreach (var m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (m is MethodInfo method)
            {
                yield return method.ReturnType;
            }

            foreach (var p in m.GetParameters())
            {
                yield return p.ParameterType;
            }
        }
    }

    private static List<string> StringLiterals(Assembly assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var reader = pe.GetMetadataReader();
        var literals = new List<string>();
        var handle = MetadataTokens.UserStringHandle(1);
        while (!handle.IsNil)
        {
            literals.Add(reader.GetUserString(handle));
            handle = reader.GetNextHandle(handle);
        }

        return literals;
    }

    private static List<string> TypeReferences(Assembly assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var reader = pe.GetMetadataReader();
        return [.. reader.TypeReferences.Select(h => FullName(reader, h))];
    }

    private static List<(string Type, string Member)> MemberReferences(Assembly assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var reader = pe.GetMetadataReader();
        var members = new List<(string, string)>();
        foreach (var handle in reader.MemberReferences)
        {
            var member = reader.GetMemberReference(handle);
            if (member.Parent.Kind == HandleKind.TypeReference)
            {
                members.Add((FullName(reader, (TypeReferenceHandle)member.Parent), reader.GetString(member.Name)));
            }
        }

        return members;
    }

    private static string FullName(MetadataReader reader, TypeReferenceHandle handle)
    {
        var type = reader.GetTypeReference(handle);
        var name = reader.GetString(type.Name);
        return type.ResolutionScope.Kind == HandleKind.TypeReference
            ? $"{FullName(reader, (TypeReferenceHandle)type.ResolutionScope)}+{name}"
            : $"{reader.GetString(type.Namespace)}.{name}";
    }

    private static IEnumerable<string> SourceFiles(string folder)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "McpCqrs.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, "The repository root (McpCqrs.sln) was not found above the test's directory.");
        var directory = Path.Combine(root!.FullName, folder);
        Assert.True(Directory.Exists(directory), $"{directory} does not exist.");
        return Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
    }
}
