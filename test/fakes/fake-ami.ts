/**
 * A fake Asterisk Manager Interface over TCP on 127.0.0.1, for tests. It speaks the wire protocol of
 * `main/manager.c`: the `Asterisk Call Manager/…` banner, `Login`, `Response`/`ActionID`, and event lists
 * (`EventList: start` … `EventList: Complete`) for `QueueSummary`, with the fields of `apps/app_queue.c`.
 *
 * It parses what it receives on its own (not with the client's framer), so a framing bug in the client shows.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface FakeQueue {
  loggedIn: number;
  available: number;
  callers: number;
  holdTime: number;
}

export interface FakeAmiOptions {
  users?: Record<string, string>;
  queues?: Record<string, FakeQueue>;
}

/** One action as the fake received it: headers in order, names as sent. */
export interface ReceivedAction {
  headers: [string, string][];
  get(name: string): string | undefined;
}

export class FakeAmi {
  readonly users: Record<string, string>;
  readonly queues: Record<string, FakeQueue>;
  /** `answer` (default), `silent` (read but never answer actions after login), `mute` (not even a banner). */
  mode: 'answer' | 'silent' | 'mute' = 'answer';
  /** Every action received, in order. */
  readonly actions: ReceivedAction[] = [];
  /** Every byte received, for injection checks. */
  raw = '';
  logins = 0;
  connections = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(options: FakeAmiOptions = {}) {
    this.users = options.users ?? { touchtone: 's3cret' };
    this.queues = options.queues ?? {};
    this.server = createServer((socket) => this.accept(socket));
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this.port;
  }

  /** Drops every open connection (as an Asterisk restart would). */
  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  actionsNamed(name: string): ReceivedAction[] {
    return this.actions.filter((a) => a.get('Action')?.toLowerCase() === name.toLowerCase());
  }

  private accept(socket: Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setEncoding('utf8');
    if (this.mode === 'mute') return;
    socket.write('Asterisk Call Manager/9.0.0\r\n');
    let buffer = '';
    let loggedIn = false;
    socket.on('data', (chunk: string) => {
      this.raw += chunk;
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 4);
        const action = parseAction(block);
        this.actions.push(action);
        loggedIn = this.handle(socket, action, loggedIn);
      }
    });
  }

  private handle(socket: Socket, action: ReceivedAction, loggedIn: boolean): boolean {
    const id = action.get('ActionID');
    const idLine = id !== undefined ? `ActionID: ${id}\r\n` : '';
    const name = action.get('Action')?.toLowerCase();
    if (name === 'login') {
      this.logins++;
      const user = action.get('Username') ?? '';
      if (Object.hasOwn(this.users, user) && this.users[user] === action.get('Secret')) {
        socket.write(`Response: Success\r\n${idLine}Message: Authentication accepted\r\n\r\n`);
        return true;
      }
      socket.write(`Response: Error\r\n${idLine}Message: Authentication failed\r\n\r\n`);
      return false;
    }
    if (this.mode === 'silent') return loggedIn;
    if (!loggedIn) {
      socket.write(`Response: Error\r\n${idLine}Message: Permission denied\r\n\r\n`);
      return loggedIn;
    }
    if (name === 'queuesummary') {
      const filter = action.get('Queue') ?? '';
      socket.write(`Response: Success\r\n${idLine}EventList: start\r\nMessage: Queue summary will follow\r\n\r\n`);
      let items = 0;
      for (const [queue, q] of Object.entries(this.queues)) {
        if (filter && filter.toLowerCase() !== queue.toLowerCase()) continue;
        items++;
        socket.write(
          `Event: QueueSummary\r\nQueue: ${queue}\r\nLoggedIn: ${q.loggedIn}\r\nAvailable: ${q.available}\r\nCallers: ${q.callers}\r\n` +
            `HoldTime: ${q.holdTime}\r\nTalkTime: 0\r\nLongestHoldTime: 0\r\n${idLine}\r\n`,
        );
      }
      socket.write(`Event: QueueSummaryComplete\r\n${idLine}EventList: Complete\r\nListItems: ${items}\r\n\r\n`);
      return loggedIn;
    }
    socket.write(`Response: Error\r\n${idLine}Message: Invalid/unknown command\r\n\r\n`);
    return loggedIn;
  }
}

function parseAction(block: string): ReceivedAction {
  const headers: [string, string][] = [];
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(': ');
    if (colon > 0) headers.push([line.slice(0, colon), line.slice(colon + 2)]);
    else headers.push([line, '']);
  }
  return { headers, get: (name) => headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1] };
}
