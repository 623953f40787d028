using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BenchPlatform.AppHost.Hosting.Servers;

/// <summary>Readiness of a Redis-protocol server by a real round trip: AUTH, then PING answered with PONG.</summary>
public static class RedisPing
{
    /// <summary>True when the server on <paramref name="port"/> accepts <paramref name="password"/> and answers PING.</summary>
    public static async Task<bool> PingAsync(int port, string password, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            var stream = client.GetStream();
            var command = $"*2\r\n$4\r\nAUTH\r\n${Encoding.UTF8.GetByteCount(password)}\r\n{password}\r\n*1\r\n$4\r\nPING\r\n";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(command), cancellationToken);

            const string expected = "+OK\r\n+PONG\r\n";
            var buffer = new byte[64];
            var received = 0;
            while (received < expected.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(received), cancellationToken);
                if (read == 0)
                {
                    return false;
                }

                received += read;
            }

            return Encoding.ASCII.GetString(buffer, 0, received) == expected;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
