/**
 * A tiny stand-in for the shop's order API, for the example's tests and for trying the flow locally:
 * `GET /orders/<number>` answers `{ order: { status, eta } }` from orders.json, or 404.
 *
 *   npx tsx examples/shop/fake-order-server.ts          # listens on 127.0.0.1, prints the base URL
 *   TOUCHTONE_ORDERS_URL=<that url> npx touchtone serve --flows examples/shop
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const orders = JSON.parse(readFileSync(fileURLToPath(new URL('./orders.json', import.meta.url)), 'utf8')) as Record<string, unknown>;

export interface FakeOrderServer {
  /** Base URL for `TOUCHTONE_ORDERS_URL`. */
  url: string;
  /** Paths requested so far. */
  requests: string[];
  /** Makes the next answers fail with this status (for error branches). */
  failWith(status: number | undefined): void;
  close(): Promise<void>;
}

/** Starts the fake API on 127.0.0.1 and a free port. */
export async function startFakeOrderServer(port = 0): Promise<FakeOrderServer> {
  const requests: string[] = [];
  let failure: number | undefined;
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    if (failure !== undefined) return void res.writeHead(failure).end();
    const match = /^\/orders\/([0-9]+)$/.exec(path);
    const order = match ? orders[match[1]!] : undefined;
    if (!order) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(order));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failWith: (status) => void (failure = status),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void startFakeOrderServer(Number(process.env.PORT ?? 0)).then((s) => process.stdout.write(`fake order API on ${s.url}\n`));
}
