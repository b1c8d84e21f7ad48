using System.Collections.Concurrent;
using System.Reflection;
using System.Xml.Linq;

namespace McpCqrs.Mcp.Schema;

/// <summary>
/// Reads the compiler's XML documentation file beside an assembly, so a request's <c>&lt;summary&gt;</c>
/// becomes the tool's description and each <c>&lt;param&gt;</c> of a record the argument's description.
/// No library on our feed reads these files; the format is the C# compiler's documented output.
/// </summary>
public static class XmlDocumentation
{
    private static readonly ConcurrentDictionary<Assembly, IReadOnlyDictionary<string, XElement>> Files = new();

    /// <summary>The type's summary, whitespace-normalised, or null.</summary>
    public static string? Summary(Type type) =>
        Member(type, "T:" + TypeName(type)) is { } member ? Text(member.Element("summary")) : null;

    /// <summary>The documentation of a record's positional parameter (or of a property), or null.</summary>
    public static string? Parameter(Type type, string name)
    {
        var member = Member(type, "T:" + TypeName(type));
        var param = member?.Elements("param").FirstOrDefault(p => (string?)p.Attribute("name") == name);
        if (param is not null)
        {
            return Text(param);
        }

        return Member(type, $"P:{TypeName(type)}.{name}") is { } property ? Text(property.Element("summary")) : null;
    }

    private static XElement? Member(Type type, string key) =>
        Files.GetOrAdd(type.Assembly, Load).TryGetValue(key, out var member) ? member : null;

    private static string TypeName(Type type) => (type.FullName ?? type.Name).Replace('+', '.');

    private static IReadOnlyDictionary<string, XElement> Load(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (string.IsNullOrEmpty(assembly.Location) || !File.Exists(path))
        {
            return new Dictionary<string, XElement>();
        }

        return XDocument.Load(path)
            .Descendants("member")
            .Where(m => m.Attribute("name") is not null)
            .GroupBy(m => (string)m.Attribute("name")!)
            .ToDictionary(g => g.Key, g => g.First());
    }

    private static string? Text(XElement? element)
    {
        if (element is null)
        {
            return null;
        }

        var parts = element.Nodes().Select(node => node switch
        {
            XText text => text.Value,
            XElement { Name.LocalName: "see" or "paramref" or "typeparamref" } reference =>
                ((string?)reference.Attribute("langword"))
                ?? ((string?)reference.Attribute("name"))
                ?? ((string?)reference.Attribute("cref"))?.Split('.', ':').Last()
                ?? string.Empty,
            XElement other => other.Value,
            _ => string.Empty,
        });
        var text = string.Join(' ', string.Concat(parts).Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return text.Length == 0 ? null : text;
    }
}
