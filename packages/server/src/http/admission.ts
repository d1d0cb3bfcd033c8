import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

const JSON_CONTENT = /^application\/json\s*(;|$)/i;

/**
 * Sockets whose last response was sent with Connection: close before its request body was read.
 * Node still parses the requests pipelined behind it, but their responses would never be sent,
 * so these requests are not run.
 */
const closing = new WeakSet<Socket>();

function reject(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  close = false,
): false {
  const headers: Record<string, string> = { "content-type": "application/json" };
  // The body was not read, so the connection cannot carry another request. The socket comes
  // from the request because a response queued behind an earlier one has no socket yet.
  if (close) {
    headers.connection = "close";
    closing.add(req.socket);
  }
  res.writeHead(status, headers);
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
  return false;
}

/**
 * Checks the body of any request before it is read: a Content-Length of at most maxBytes, and
 * no chunked body. Node's HTTP parser rejects an invalid Content-Length and never delivers more
 * body than it announces. This check is therefore the whole body limit, and Yoga runs without
 * its own. Returns false after writing the error response, and also for a request pipelined
 * behind a rejected one, which gets no response.
 */
export function admitBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): boolean {
  if (closing.has(req.socket)) return false;
  const length = req.headers["content-length"];
  // Without either header the request has no body.
  if (length === undefined && req.headers["transfer-encoding"] !== undefined) {
    return reject(
      req,
      res,
      411,
      "BAD_REQUEST",
      "a request body needs a Content-Length header; chunked request bodies are not accepted",
      true,
    );
  }
  if (length !== undefined && Number(length) > maxBytes) {
    return reject(
      req,
      res,
      413,
      "PAYLOAD_TOO_LARGE",
      `the request body has ${length} bytes; the server takes at most ${maxBytes} ` +
        "(MAX_REQUEST_BYTES)",
      true,
    );
  }
  return true;
}

/**
 * Checks that a POST /graphql has content type application/json. A form on another web page
 * cannot send that type without a CORS preflight.
 */
export function admitGraphQLPost(req: IncomingMessage, res: ServerResponse): boolean {
  const type = req.headers["content-type"] ?? "";
  if (!JSON_CONTENT.test(type)) {
    return reject(
      req,
      res,
      415,
      "BAD_REQUEST",
      "POST /graphql needs content-type application/json",
    );
  }
  // Media types are case-insensitive, but Yoga 5.24 matches application/json in lower case.
  req.headers["content-type"] = type.toLowerCase();
  return true;
}

/**
 * Checks that the JSON parameters of a GET /graphql are valid JSON. Yoga 5.24 responds to
 * invalid JSON there with HTTP 500 and "Unexpected error.", although the client is at fault.
 */
export function admitGraphQLGet(req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? "";
  const start = url.indexOf("?");
  if (start < 0) return true;
  // Yoga reads everything after the first "?" as the query string, later "?" characters included.
  const params = new URLSearchParams(url.slice(start + 1));
  for (const name of ["variables", "extensions"]) {
    const value = params.get(name);
    if (value === null || value === "") continue;
    try {
      JSON.parse(value);
    } catch {
      return reject(req, res, 400, "BAD_REQUEST", `${name}: the parameter is not valid JSON`);
    }
  }
  return true;
}
