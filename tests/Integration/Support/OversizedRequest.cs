using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace McpCqrs.Tests.Integration.Support;

/// <summary>
/// Announces a large body and sends only its start, then reads the answer. A server that refuses a body by its
/// announced size answers before the body arrives; an HttpClient would still be writing the rest and see the
/// connection close under it, so this speaks HTTP/1.1 itself.
/// </summary>
public static class OversizedRequest
{
    public static async Task<(int Status, string ContentType, string Body)> PostAsync(
        Uri address,
        string path,
        long contentLength,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        await using var stream = tcp.GetStream();
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: application/json\r\nContent-Length: {contentLength}\r\n");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
        await stream.WriteAsync(Encoding.ASCII.GetBytes("{\"pad\":\"" + new string('x', 16 * 1024)));

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var statusLine = await reader.ReadLineAsync() ?? throw new IOException("No response.");
        var status = int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture);
        var contentType = string.Empty;
        var length = 0;
        while (await reader.ReadLineAsync() is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
            }
            else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        var body = new char[length];
        var read = 0;
        while (read < length && await reader.ReadAsync(body.AsMemory(read)) is var n and > 0)
        {
            read += n;
        }

        return (status, contentType, new string(body, 0, read));
    }
}
