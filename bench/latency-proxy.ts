// A loopback TCP proxy that makes a server on 127.0.0.1 look one network round trip away: every byte is held
// `oneWayMs` in each direction, and a new connection's first bytes one round trip more, as the TCP handshake
// a real connection starts with would hold them. TLS passes through untouched.
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface LatencyProxy {
  /** https://127.0.0.1:PORT, standing in for the target's origin. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Forwards `from` to `to`, each chunk (and the end) `delayMs` later, in order; the first `firstExtraMs` more. */
function delayedPipe(from: Socket, to: Socket, delayMs: number, firstExtraMs: number): void {
  const queue: Array<{ due: number; chunk: Buffer | null }> = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastDue = 0;
  let first = true;
  const flush = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && (queue[0]?.due ?? Infinity) <= now + 0.5) {
      const { chunk } = queue.shift() as { chunk: Buffer | null };
      if (chunk === null) to.end();
      else to.write(chunk);
    }
    if (queue.length > 0) timer = setTimeout(flush, Math.max(0, (queue[0]?.due ?? now) - now));
  };
  const push = (chunk: Buffer | null): void => {
    // Never earlier than what is queued before it: bytes keep their order, as on a TCP connection.
    const due = Math.max(performance.now() + delayMs + (first ? firstExtraMs : 0), lastDue);
    first = false;
    lastDue = due;
    queue.push({ due, chunk });
    timer ??= setTimeout(flush, Math.max(0, due - performance.now()));
  };
  from.on('data', (chunk: Buffer) => push(chunk));
  from.on('end', () => push(null));
}

export async function startLatencyProxy(targetPort: number, oneWayMs: number): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  // Half-open both ways: an end is forwarded (late) like any other byte, never applied early.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
    track(client);
    track(upstream);
    const fail = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', fail);
    upstream.on('error', fail);
    delayedPipe(client, upstream, oneWayMs, 2 * oneWayMs);
    delayedPipe(upstream, client, oneWayMs, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
