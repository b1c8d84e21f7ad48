using McpCqrs.Web;

var commandLine = args.Where(a => a != "migrate").ToArray();
var app = McpCqrsApp.Build(commandLine);

if (args.Contains("migrate"))
{
    return await McpCqrsApp.MigrateAsync(app);
}

await app.RunAsync();
return 0;
