namespace McpCqrs.Tests.Integration.Support;

/// <summary>Paths inside the repository the tests run from.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "McpCqrs.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"McpCqrs.sln not found above {AppContext.BaseDirectory}.");
    }
}
