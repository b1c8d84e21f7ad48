using System.Linq.Expressions;
using System.Reflection;

namespace McpCqrs.Querying;

/// <summary>
/// One mapped field, analysed once when it is mapped: the member chain it reads, what kind of value it is, the
/// type filter values are converted to, and the operators that apply.
/// </summary>
internal sealed class FieldDefinition
{
    private readonly MemberInfo[] _path;

    private FieldDefinition(string name, MemberInfo[] path, Type valueType, FieldKind kind, Type scalarType, Type? elementType, QueryField field)
    {
        Name = name;
        _path = path;
        ValueType = valueType;
        Kind = kind;
        ScalarType = scalarType;
        ElementType = elementType;
        Public = field;
        Operators = FilterOperators.For(kind);
    }

    public string Name { get; }

    /// <summary>The mapped member's type (e.g. <c>int?</c>, <c>IReadOnlyList&lt;string&gt;</c>).</summary>
    public Type ValueType { get; }

    public FieldKind Kind { get; }

    /// <summary>The non-nullable type a filter value is converted to (the element's for a list).</summary>
    public Type ScalarType { get; }

    /// <summary>For a list: its declared element type.</summary>
    public Type? ElementType { get; }

    /// <summary>Whether the value itself can be <c>null</c> (a reference type or <see cref="Nullable{T}"/>).</summary>
    public bool IsNullable => CanBeNull(ValueType);

    public IReadOnlyList<FilterOperator> Operators { get; }

    public QueryField Public { get; }

    public static FieldDefinition Create(string name, LambdaExpression path, string? description)
    {
        var members = new List<MemberInfo>();
        var node = path.Body;
        while (node is MemberExpression member)
        {
            members.Add(member.Member);
            node = member.Expression;
        }

        if (members.Count == 0 || node != path.Parameters[0])
        {
            throw new ArgumentException(
                $"The path of field '{name}' must be a chain of properties or fields of the parameter (x => x.Customer!.Name), not '{path}'.",
                nameof(path));
        }

        members.Reverse();
        var valueType = path.Body.Type;
        Type scalar;
        Type? element = null;
        FieldKind kind;
        if (valueType != typeof(string) && ElementTypeOf(valueType) is { } listElement)
        {
            element = listElement;
            scalar = Nullable.GetUnderlyingType(listElement) ?? listElement;
            kind = FieldKind.List;
            if (!ValueConverter.IsSupported(scalar))
            {
                throw new ArgumentException($"Field '{name}': a list of {listElement} cannot be filtered.", nameof(path));
            }
        }
        else
        {
            scalar = Nullable.GetUnderlyingType(valueType) ?? valueType;
            if (!ValueConverter.IsSupported(scalar))
            {
                throw new ArgumentException($"Field '{name}': values of type {valueType} cannot be filtered or ordered.", nameof(path));
            }

            kind = scalar == typeof(string) ? FieldKind.Text
                : ValueConverter.IsOrdered(scalar) ? FieldKind.Ordered
                : FieldKind.Equatable;
        }

        var operators = FilterOperators.For(kind).Select(o => o.Symbol()).ToArray();
        var field = new QueryField(name, valueType, description, operators)
        {
            ValueDescription = kind == FieldKind.List ? "a list of " + ValueConverter.Describe(scalar) : ValueConverter.Describe(scalar),
            AllowedValues = scalar.IsEnum ? Enum.GetNames(scalar) : null,
            CanOrderBy = kind != FieldKind.List,
            CaseInsensitive = scalar == typeof(string),
            Nullable = kind != FieldKind.List && CanBeNull(valueType) && members.Exists(IsDeclaredNullable),
        };
        return new FieldDefinition(name, [.. members], valueType, kind, scalar, element, field);
    }

    /// <summary>
    /// The member chain on <paramref name="parameter"/>; <paramref name="guards"/> receives the intermediate
    /// values that can be null (<c>x.Customer</c> in <c>x.Customer.Name</c>), outermost first.
    /// </summary>
    public Expression Access(ParameterExpression parameter, List<Expression> guards)
    {
        Expression current = parameter;
        for (var i = 0; i < _path.Length; i++)
        {
            if (i > 0 && CanBeNull(current.Type))
            {
                guards.Add(current);
            }

            current = Expression.MakeMemberAccess(current, _path[i]);
        }

        return current;
    }

    /// <summary>
    /// Whether a member of the path is declared nullable (<c>string?</c>, <c>int?</c>, <c>Customer?</c>), so that
    /// the field can be missing; used only to describe the field (a filter may test any reference value for null).
    /// </summary>
    private static bool IsDeclaredNullable(MemberInfo member)
    {
        var context = new NullabilityInfoContext();
        var info = member switch
        {
            PropertyInfo property => context.Create(property),
            FieldInfo field => context.Create(field),
            _ => null,
        };
        return info is null || info.ReadState != NullabilityState.NotNull;
    }

    public static bool CanBeNull(Type type) => !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;

    private static Type? ElementTypeOf(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (type.IsInterface && type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
        {
            return type.GetGenericArguments()[0];
        }

        return type.GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            .Select(i => i.GetGenericArguments()[0])
            .FirstOrDefault();
    }
}
