/**
 * The inspector's HTTP plumbing on `node:http`, which Node, Bun and Deno all provide: listening,
 * replies, query validation, and closing with every connection (Server-Sent Event streams stay
 * open otherwise). No framework: the page needs a few routes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A request the inspector refuses, with the status and the message the client gets. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface Request {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly raw: IncomingMessage;
}

export type Handler = (request: Request, response: ServerResponse) => void;

/** Starts listening; resolves with the server and its port, rejects (naming the address) when it cannot. */
export function listen(
  host: string,
  port: number,
  handler: Handler,
  onError: (error: unknown) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer((raw, response) => {
    let request: Request;
    try {
      // The base only parses the path; the Host header is checked apart (checkHost).
      const url = new URL(raw.url ?? '/', 'http://inspector.invalid');
      request = { method: raw.method ?? 'GET', path: url.pathname, query: url.searchParams, raw };
    } catch {
      return sendError(response, new HttpError(400, `bad request line ${JSON.stringify(raw.url)}`));
    }
    // The body is never used: read it to the end so the connection can be reused.
    raw.resume();
    try {
      handler(request, response);
    } catch (error) {
      if (!(error instanceof HttpError)) onError(error);
      sendError(response, error);
    }
  });
  return new Promise((resolve, reject) => {
    const failed = (error: Error): void => {
      const code = (error as { code?: string }).code;
      const why = code === 'EADDRINUSE'
        ? 'the port is in use (pass another port, or 0 for any free one)'
        : error.message;
      reject(new Error(`inspector cannot listen on ${host}:${port}: ${why}`));
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      server.on('error', onError);
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : port });
    });
  });
}

/** Stops listening and ends every open connection (event streams included). */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

const NO_STORE = { 'cache-control': 'no-store' };
const encoder = new TextEncoder();

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = encoder.encode(JSON.stringify(value));
  response.writeHead(status, {
    ...NO_STORE,
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.byteLength,
  });
  response.end(body);
}

export function sendBytes(response: ServerResponse, type: string, body: Uint8Array): void {
  response.writeHead(200, { 'cache-control': 'no-cache', 'content-type': type, 'content-length': body.byteLength });
  response.end(body);
}

/** Replies with the error's status (500 for anything that is not an HttpError) and message, as JSON. */
export function sendError(response: ServerResponse, error: unknown): void {
  const status = error instanceof HttpError ? error.status : 500;
  const message = error instanceof Error ? error.message : String(error);
  if (response.headersSent) {
    response.end();
    return;
  }
  sendJson(response, status, { error: message, status });
}

export function requireMethod(request: Request, ...methods: string[]): void {
  if (!methods.includes(request.method)) {
    throw new HttpError(405, `${request.method} ${request.path}: use ${methods.join(' or ')}`);
  }
}

/** The single value of a query parameter, or undefined; a repeated parameter is refused. */
function param(request: Request, name: string): string | undefined {
  const values = request.query.getAll(name);
  if (values.length > 1) throw new HttpError(400, `query parameter '${name}' given ${values.length} times`);
  return values[0];
}

/** A non-negative integer parameter (decimal digits only), within `max`. */
export function integerParam(request: Request, name: string, max: number, fallback?: number): number {
  const text = param(request, name);
  if (text === undefined || text === '') {
    if (fallback !== undefined) return fallback;
    throw new HttpError(400, `query parameter '${name}' is required`);
  }
  const value = Number(text);
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(value) || value > max) {
    throw new HttpError(
      400,
      `query parameter '${name}' must be an integer from 0 to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** A short name parameter: letters, digits, '-' and '_', 1 to 32 of them. */
export function nameParam(request: Request, name: string, fallback?: string): string {
  const text = param(request, name);
  if (text === undefined || text === '') {
    if (fallback !== undefined) return fallback;
    throw new HttpError(400, `query parameter '${name}' is required`);
  }
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(text)) {
    throw new HttpError(
      400,
      `query parameter '${name}' must be 1 to 32 letters, digits, '-' or '_', got ${JSON.stringify(text.slice(0, 64))}`,
    );
  }
  return text;
}

/**
 * Whether the request names this server by a loopback name: a page on another site that makes the
 * browser resolve its own name to 127.0.0.1 (DNS rebinding) must not read the heap.
 */
export function loopbackHost(request: Request, port: number): boolean {
  const host = request.raw.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}
