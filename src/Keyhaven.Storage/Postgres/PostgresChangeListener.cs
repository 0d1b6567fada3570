using System.Text;
using Keyhaven.Storage.Backends;
using Npgsql;

namespace Keyhaven.Storage.Postgres;

/// <summary>
/// Feeds <see cref="StorageChangeFeed"/> from PostgreSQL's <c>LISTEN</c>/<c>NOTIFY</c>: every committed write
/// transaction notifies the records it changed (see <see cref="PostgresStorageTransaction"/>), and this listener, on a
/// connection of its own, publishes the ones other nodes made. A heartbeat notices a silent connection loss; while the
/// connection is down the feed is not live, and it reconnects on its own.
/// </summary>
internal sealed class PostgresChangeListener : IAsyncDisposable
{
    public const string Channel = "keyhaven_changes";

    /// <summary>PostgreSQL refuses payloads of 8000 bytes or more; a longer record name is sent as "anything changed".</summary>
    private const int MaxPayloadBytes = 7900;
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly NpgsqlDataSource _sessions;
    private readonly string _ownPrefix;
    private readonly Action _onConnectionLost;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    /// <param name="sessions">Unpooled connections for the listening session.</param>
    /// <param name="ownPrefix">The payload prefix of this node's own notifications (which it ignores).</param>
    /// <param name="onConnectionLost">Called when the connection is lost (other pooled connections are likely broken too).</param>
    public PostgresChangeListener(NpgsqlDataSource sessions, string ownPrefix, Action onConnectionLost)
    {
        _sessions = sessions;
        _ownPrefix = ownPrefix;
        _onConnectionLost = onConnectionLost;
    }

    public StorageChangeFeed Feed { get; } = new(isLive: false);

    /// <summary>The notification payload for a change of <paramref name="key"/> made by the node with <paramref name="nodePrefix"/>.</summary>
    public static string Payload(string nodePrefix, StorageKey key)
    {
        var payload = $"{nodePrefix}{key.Table}\t{key.Id}";
        return Encoding.UTF8.GetByteCount(payload) < MaxPayloadBytes ? payload : nodePrefix;
    }

    /// <summary>Starts listening; completes once the first connection is up (or fails with its error).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(RunAsync, CancellationToken.None);
        await _firstConnection.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _sessions.OpenConnectionAsync(stopping);
                connection.Notification += (_, e) => Receive(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }

                // Anything may have changed while we were not listening: caches start over, and may cache again.
                Feed.SetLive(true);
                _firstConnection.TrySetResult();
                while (true)
                {
                    if (!await connection.WaitAsync(Heartbeat, stopping))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = 2 };
                        await ping.ExecuteScalarAsync(stopping);
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                if (Feed.IsLive)
                {
                    Feed.SetLive(false);
                    _onConnectionLost();
                }

                _firstConnection.TrySetException(exception);
                try
                {
                    await Task.Delay(RetryDelay, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Receive(string payload)
    {
        if (payload.StartsWith(_ownPrefix, StringComparison.Ordinal))
        {
            return; // our own commit: this node's caches were refreshed by the writer
        }

        var node = payload.IndexOf('\t', StringComparison.Ordinal);
        var table = node < 0 ? -1 : payload.IndexOf('\t', node + 1);
        Feed.Publish(table < 0 ? null : new StorageKey(payload[(node + 1)..table], payload[(table + 1)..]));
    }
}
