using System.Diagnostics;
using System.Linq.Expressions;
using System.Reflection;

namespace McpCqrs.Querying;

/// <summary>
/// Turns a parsed filter into plain expression-tree nodes that EF Core translates to SQL on every provider:
/// <c>==</c>, comparisons, <c>string.Contains/StartsWith/EndsWith(string)</c>, <c>ToLower()</c>,
/// <c>string.Compare(a, b) op 0</c>, <c>Enumerable.Contains/Any</c>. Values are read from a small holder object so
/// EF Core sends them as SQL parameters rather than literals (one cached plan per filter shape).
/// <para>
/// Null handling is explicit so that LINQ to Objects (tests, in-memory sources) agrees with SQL: a positive test on
/// text (<c>=*</c>, <c>^</c>, <c>$</c>, comparisons, <c>=</c> with <c>/i</c>) fails on a null value, a negative one
/// (<c>!*</c>, <c>!^</c>, <c>!$</c>, <c>!=</c>) succeeds; a nested path whose intermediate object is missing
/// (<c>customer.name</c> with no customer) behaves as a null value.
/// </para>
/// </summary>
internal static class FilterExpressionBuilder
{
    private static readonly MethodInfo StringContains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
    private static readonly MethodInfo StringStartsWith = typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string)])!;
    private static readonly MethodInfo StringEndsWith = typeof(string).GetMethod(nameof(string.EndsWith), [typeof(string)])!;
    private static readonly MethodInfo StringToLower = typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!;
    private static readonly MethodInfo StringCompare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    private static readonly MethodInfo EnumerableContains = typeof(Enumerable)
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Single(m => m.Name == nameof(Enumerable.Contains) && m.GetParameters().Length == 2);

    private static readonly MethodInfo EnumerableAny = typeof(Enumerable)
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Single(m => m.Name == nameof(Enumerable.Any) && m.GetParameters().Length == 2);

    public static Expression Build(FilterNode node, ParameterExpression parameter) => node switch
    {
        LogicalNode { IsOr: true } or => Expression.OrElse(Build(or.Left, parameter), Build(or.Right, parameter)),
        LogicalNode and => Expression.AndAlso(Build(and.Left, parameter), Build(and.Right, parameter)),
        ConditionNode condition => Condition(condition, parameter),
        _ => throw new UnreachableException(),
    };

    /// <summary>
    /// The key to order by: the field's value, or whether it has one (<see cref="OrderKeyKind"/>). With
    /// <paramref name="nullSafe"/> (LINQ to Objects), a missing intermediate object gives a null key instead of a
    /// NullReferenceException; SQL needs no such guard.
    /// </summary>
    public static LambdaExpression KeySelector(OrderKey key, ParameterExpression parameter, bool nullSafe)
    {
        var guards = new List<Expression>();
        var access = key.Field.Access(parameter, guards);
        Expression value = access;
        if (nullSafe && guards.Count > 0)
        {
            var keyType = FieldDefinition.CanBeNull(access.Type) ? access.Type : typeof(Nullable<>).MakeGenericType(access.Type);
            var missing = guards.Select(IsNull).Aggregate(Expression.OrElse);
            value = Expression.Condition(missing, Expression.Constant(null, keyType), keyType == access.Type ? access : Expression.Convert(access, keyType));
        }

        return Expression.Lambda(
            key.Kind switch
            {
                OrderKeyKind.HasValue => IsNotNull(value),
                OrderKeyKind.HasNoValue => IsNull(value),
                _ => value,
            },
            parameter);
    }

    private static Expression Condition(ConditionNode condition, ParameterExpression parameter)
    {
        var guards = new List<Expression>();
        var value = condition.Field.Access(parameter, guards);
        var test = condition.Field.Kind switch
        {
            FieldKind.Text => TextTest(condition, value),
            FieldKind.List => ListTest(condition, value),
            _ => ScalarTest(condition, value),
        };

        if (guards.Count == 0)
        {
            return test;
        }

        return MatchesMissingValue(condition)
            ? Expression.OrElse(guards.Select(IsNull).Aggregate(Expression.OrElse), test)
            : Expression.AndAlso(guards.Select(IsNotNull).Aggregate(Expression.AndAlso), test);
    }

    /// <summary>Whether the condition holds for a null value (C# and EF Core's null semantics agree on these).</summary>
    private static bool MatchesMissingValue(ConditionNode condition) => condition.IsNull
        ? condition.Operator == FilterOperator.Equal
        : condition.Operator is FilterOperator.NotEqual or FilterOperator.NotContains or FilterOperator.NotStartsWith or FilterOperator.NotEndsWith;

    private static Expression TextTest(ConditionNode condition, Expression member)
    {
        if (condition.IsNull)
        {
            return NullTest(condition, member);
        }

        if (condition.IsNullOrDefault)
        {
            return NullOrDefaultTest(condition, member);
        }

        var value = Value(condition.Value, typeof(string));
        var subject = condition.CaseInsensitive ? Expression.Call(member, StringToLower) : member;
        return condition.Operator switch
        {
            FilterOperator.Equal when !condition.CaseInsensitive => Expression.Equal(member, value),
            FilterOperator.NotEqual when !condition.CaseInsensitive => Expression.NotEqual(member, value),
            FilterOperator.Equal => WhenNotNull(member, Expression.Equal(subject, value)),
            FilterOperator.NotEqual => UnlessNull(member, Expression.NotEqual(subject, value)),
            FilterOperator.Contains => WhenNotNull(member, Expression.Call(subject, StringContains, value)),
            FilterOperator.NotContains => UnlessNull(member, Expression.Not(Expression.Call(subject, StringContains, value))),
            FilterOperator.StartsWith => WhenNotNull(member, Expression.Call(subject, StringStartsWith, value)),
            FilterOperator.NotStartsWith => UnlessNull(member, Expression.Not(Expression.Call(subject, StringStartsWith, value))),
            FilterOperator.EndsWith => WhenNotNull(member, Expression.Call(subject, StringEndsWith, value)),
            FilterOperator.NotEndsWith => UnlessNull(member, Expression.Not(Expression.Call(subject, StringEndsWith, value))),
            _ => WhenNotNull(member, Compare(condition.Operator, Expression.Call(StringCompare, subject, value), Expression.Constant(0))),
        };
    }

    private static Expression ScalarTest(ConditionNode condition, Expression member)
    {
        if (condition.IsNull)
        {
            return NullTest(condition, member);
        }

        if (condition.IsNullOrDefault)
        {
            return NullOrDefaultTest(condition, member);
        }

        var value = Value(condition.Value, member.Type);
        if (condition.Operator is FilterOperator.Equal)
        {
            return Expression.Equal(member, value);
        }

        if (condition.Operator is FilterOperator.NotEqual)
        {
            return Expression.NotEqual(member, value);
        }

        if (condition.Field.ScalarType.IsEnum)
        {
            // Expression trees define no ordering on enums: compare the underlying numbers (EF stores enums as them).
            var underlying = Enum.GetUnderlyingType(condition.Field.ScalarType);
            var numberType = Nullable.GetUnderlyingType(member.Type) is null ? underlying : typeof(Nullable<>).MakeGenericType(underlying);
            return Compare(condition.Operator, Expression.Convert(member, numberType), Expression.Convert(value, numberType));
        }

        return Compare(condition.Operator, member, value);
    }

    private static Expression ListTest(ConditionNode condition, Expression member)
    {
        var elementType = condition.Field.ElementType!;
        var sequenceType = typeof(IEnumerable<>).MakeGenericType(elementType);
        Expression sequence = member.Type.IsValueType ? Expression.Convert(member, sequenceType) : member;
        var value = Value(condition.Value, elementType);
        Expression contains;
        if (condition.CaseInsensitive)
        {
            var element = Expression.Parameter(elementType, "e");
            var matches = WhenNotNull(element, Expression.Equal(Expression.Call(element, StringToLower), value));
            contains = Expression.Call(EnumerableAny.MakeGenericMethod(elementType), sequence, Expression.Lambda(matches, element));
        }
        else
        {
            contains = Expression.Call(EnumerableContains.MakeGenericMethod(elementType), sequence, value);
        }

        return condition.Operator == FilterOperator.Equal
            ? WhenNotNull(member, contains)
            : UnlessNull(member, Expression.Not(contains));
    }

    private static Expression NullTest(ConditionNode condition, Expression member) =>
        condition.Operator == FilterOperator.Equal ? IsNull(member) : IsNotNull(member);

    /// <summary>Gridify's empty value: <c>x == null || x == default</c> (<c>""</c> for text), or its negation for <c>!=</c>.</summary>
    private static Expression NullOrDefaultTest(ConditionNode condition, Expression member)
    {
        var type = Nullable.GetUnderlyingType(member.Type) ?? member.Type;
        var empty = type == typeof(string) ? string.Empty : Activator.CreateInstance(type);
        var isDefault = Expression.Equal(member, Value(empty, member.Type));
        var test = FieldDefinition.CanBeNull(member.Type) ? Expression.OrElse(IsNull(member), isDefault) : isDefault;
        return condition.Operator == FilterOperator.Equal ? test : Expression.Not(test);
    }

    private static Expression Compare(FilterOperator op, Expression left, Expression right) => op switch
    {
        FilterOperator.LessThan => Expression.LessThan(left, right),
        FilterOperator.GreaterThan => Expression.GreaterThan(left, right),
        FilterOperator.LessThanOrEqual => Expression.LessThanOrEqual(left, right),
        FilterOperator.GreaterThanOrEqual => Expression.GreaterThanOrEqual(left, right),
        _ => throw new UnreachableException(),
    };

    /// <summary><c>value != null &amp;&amp; test</c> (just <c>test</c> when the value cannot be null).</summary>
    private static Expression WhenNotNull(Expression value, Expression test) =>
        FieldDefinition.CanBeNull(value.Type) ? Expression.AndAlso(IsNotNull(value), test) : test;

    /// <summary><c>value == null || test</c> (just <c>test</c> when the value cannot be null).</summary>
    private static Expression UnlessNull(Expression value, Expression test) =>
        FieldDefinition.CanBeNull(value.Type) ? Expression.OrElse(IsNull(value), test) : test;

    private static BinaryExpression IsNull(Expression value) => Expression.Equal(value, Expression.Constant(null, value.Type));

    private static BinaryExpression IsNotNull(Expression value) => Expression.NotEqual(value, Expression.Constant(null, value.Type));

    /// <summary>
    /// The value as <c>holder.Value</c>, a field of exactly <paramref name="type"/> on a constant: the shape of a C#
    /// closure, which EF Core reads into a SQL parameter by reflection on every execution (a conversion around it
    /// would be interpreted as an expression each time instead).
    /// </summary>
    private static MemberExpression Value(object? value, Type type) =>
        Expression.Field(
            Expression.Constant(Activator.CreateInstance(typeof(ValueHolder<>).MakeGenericType(type), value)),
            nameof(ValueHolder<object>.Value));

    /// <summary>Holds one filter value; a field access on it is what EF Core turns into a parameter.</summary>
    private sealed class ValueHolder<T>(T value)
    {
        [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1051", Justification = "A field, as in a C# closure: EF Core reads it without compiling an accessor.")]
        public readonly T Value = value;
    }
}
