using Microsoft.Playwright;

// Signs a user in on the authorization server's sign-in page in Chromium and lets the browser follow the redirect
// to the client's redirect URI, where the client (here the conformance suite) listens for it.
//
//   McpCqrs.BrowserDriver <authorize URL> <redirect URI> <user name>     (the password in SIGN_IN_PASSWORD)
//
// Exit code 0 once the browser has reached the redirect URI with a code; 1 with the reason on stderr otherwise;
// 2 for wrong arguments. Chromium is Debian's (/usr/bin/chromium, or BROWSER_DRIVER_CHROMIUM).
if (args.Length != 3 || !Uri.TryCreate(args[0], UriKind.Absolute, out var authorize) || !Uri.TryCreate(args[1], UriKind.Absolute, out var redirect))
{
    await Console.Error.WriteLineAsync("usage: McpCqrs.BrowserDriver <authorize URL> <redirect URI> <user name>   (password in SIGN_IN_PASSWORD)");
    return 2;
}

var userName = args[2];
var password = Environment.GetEnvironmentVariable("SIGN_IN_PASSWORD");
if (string.IsNullOrEmpty(password))
{
    await Console.Error.WriteLineAsync("SIGN_IN_PASSWORD is not set: put the user's password there.");
    return 2;
}

var chromium = Environment.GetEnvironmentVariable("BROWSER_DRIVER_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
if (!File.Exists(chromium))
{
    await Console.Error.WriteLineAsync($"Chromium is not installed at {chromium}: run 'apt-get install chromium' (bash .ci/run does) or set BROWSER_DRIVER_CHROMIUM.");
    return 1;
}

var timeout = TimeSpan.FromSeconds(60).TotalMilliseconds;
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = chromium,
    Headless = true,
    Args = ["--no-sandbox"],
    Timeout = (float)timeout,
});
var page = await browser.NewPageAsync();
page.SetDefaultTimeout((float)timeout);
page.SetDefaultNavigationTimeout((float)timeout);

var opened = await page.GotoAsync(authorize.AbsoluteUri);
if (opened is null || !opened.Ok || await page.QuerySelectorAsync("#username") is null)
{
    await Console.Error.WriteLineAsync($"The sign-in page did not open at {authorize}: HTTP {opened?.Status}.\n{await TextOf(page)}");
    return 1;
}

await page.FillAsync("#username", userName);
await page.FillAsync("#password", password);

// The sign-in answers with a redirect to the client (success) or with the sign-in page again, now with an alert
// (failure): wait for whichever comes first, not for a fixed time.
await page.ClickAsync("button[name=allow]");
var callback = redirect.GetLeftPart(UriPartial.Path);
var reached = page.WaitForURLAsync(url => url.StartsWith(callback, StringComparison.Ordinal));
var refused = page.WaitForSelectorAsync("[role=alert]");
try
{
    await await Task.WhenAny(reached, refused);
}
catch (TimeoutException)
{
    await Console.Error.WriteLineAsync($"Signing in led neither to {callback} nor to an error within {timeout / 1000} s; the page is {page.Url}:\n{await TextOf(page)}");
    return 1;
}

if (!reached.IsCompletedSuccessfully)
{
    var alert = refused.IsCompletedSuccessfully ? await refused.Result!.InnerTextAsync() : await TextOf(page);
    await Console.Error.WriteLineAsync($"Signing in did not lead to {callback} but to {page.Url}: {alert}");
    return 1;
}

var landed = new Uri(page.Url);
var query = System.Web.HttpUtility.ParseQueryString(landed.Query);
if (query["error"] is { } error)
{
    await Console.Error.WriteLineAsync($"The authorization server answered with error '{error}': {query["error_description"]}");
    return 1;
}

Console.WriteLine($"Signed in as {userName}; the browser reached {landed.GetLeftPart(UriPartial.Path)} with a code.");
return 0;

static async Task<string> TextOf(IPage page)
{
    var text = await page.InnerTextAsync("body");
    return text.Length > 2000 ? text[..2000] : text;
}
