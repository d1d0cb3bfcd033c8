import type { IncomingMessage, ServerResponse } from "node:http";

const JSON_CONTENT = /^application\/(json|graphql-response\+json)\s*(;|$)/i;

function reject(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  close = false,
): false {
  const headers: Record<string, string> = { "content-type": "application/json" };
  // The body was not read, so the connection cannot carry another request after it.
  if (close) headers.connection = "close";
  res.writeHead(status, headers);
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
  return false;
}

/**
 * Checks a POST /graphql before its body is read: JSON content, and a Content-Length of at most
 * maxBytes for a body, which may not be chunked. Node's HTTP parser rejects an invalid
 * Content-Length and never delivers more body than it announces, so this check is the whole
 * body limit, and Yoga runs without its own stream-based one. Writes the error response and
 * returns false for a request to reject.
 */
export function admitGraphQLPost(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
): boolean {
  if (!JSON_CONTENT.test(req.headers["content-type"] ?? "")) {
    return reject(res, 415, "BAD_REQUEST", "POST /graphql needs content-type application/json");
  }
  const length = req.headers["content-length"];
  // Without either header the request has no body, and Yoga reports what is missing.
  if (length === undefined && req.headers["transfer-encoding"] !== undefined) {
    return reject(
      res,
      411,
      "BAD_REQUEST",
      "POST /graphql needs a Content-Length header; chunked request bodies are not accepted",
      true,
    );
  }
  if (length !== undefined && Number(length) > maxBytes) {
    return reject(
      res,
      413,
      "PAYLOAD_TOO_LARGE",
      `the request body has ${length} bytes; POST /graphql takes at most ${maxBytes} ` +
        "(MAX_REQUEST_BYTES)",
      true,
    );
  }
  return true;
}
