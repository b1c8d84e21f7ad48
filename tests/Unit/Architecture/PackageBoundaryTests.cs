using System.Reflection;

namespace McpCqrs.Tests.Unit.Architecture;

/// <summary>
/// The engine's packages stand on their own: none references the sample desk, the core has no ASP.NET Core, the
/// stores do not need the web host, and the query engine and the TOON codec need nothing of ours. Checked on the
/// compiled assemblies' references, so a use anywhere in a package counts.
/// </summary>
public sealed class PackageBoundaryTests
{
    private static readonly string[] Sample = ["McpCqrs.Domain", "McpCqrs.Application", "McpCqrs.Infrastructure", "McpCqrs.Mcp.Web"];

    public static TheoryData<string> Packages() =>
    [
        "McpCqrs.Mcp", "McpCqrs.Mcp.AspNetCore", "McpCqrs.Mcp.Redis", "McpCqrs.Mcp.EntityFrameworkCore", "McpCqrs.Querying", "McpCqrs.Toon",
    ];

    [Theory]
    [MemberData(nameof(Packages))]
    public void A_package_references_nothing_of_the_sample(string package)
    {
        var found = References(package).Where(Sample.Contains).ToList();
        Assert.True(found.Count == 0, $"{package} references the sample: {string.Join(", ", found)}");
    }

    [Theory]
    [InlineData("McpCqrs.Mcp")]
    [InlineData("McpCqrs.Mcp.Redis")]
    [InlineData("McpCqrs.Mcp.EntityFrameworkCore")]
    [InlineData("McpCqrs.Querying")]
    [InlineData("McpCqrs.Toon")]
    public void A_package_outside_the_web_host_references_no_ASP_NET_Core(string package)
    {
        var found = References(package).Where(r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || r == "McpCqrs.Mcp.AspNetCore").ToList();
        Assert.True(found.Count == 0, $"{package} references ASP.NET Core: {string.Join(", ", found)}");
    }

    [Theory]
    [InlineData("McpCqrs.Querying")]
    [InlineData("McpCqrs.Toon")]
    public void The_standalone_packages_reference_no_other_package_of_ours(string package)
    {
        var found = References(package).Where(r => r.StartsWith("McpCqrs.", StringComparison.Ordinal)).ToList();
        Assert.True(found.Count == 0, $"{package} references {string.Join(", ", found)}");
    }

    [Fact]
    public void The_checks_see_what_they_look_for()
    {
        Assert.Contains("McpCqrs.Mcp", References("McpCqrs.Mcp.AspNetCore"));
        Assert.Contains(References("McpCqrs.Mcp.AspNetCore"), r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Contains("McpCqrs.Domain", References("McpCqrs.Application"));
    }

    private static List<string> References(string assembly) =>
        [.. Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name ?? string.Empty)];
}
