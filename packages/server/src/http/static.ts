import { createReadStream, existsSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json; charset=utf-8",
};

/**
 * Serves the built dashboard from a folder. Unknown paths get index.html, so client-side
 * routes such as /incidents/INC-4 load the app. Returns false when the folder has no build.
 */
export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): boolean {
  const index = join(root, "index.html");
  if (!existsSync(index)) return false;

  const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
  const candidate = normalize(join(root, path));
  const inside = candidate === root || candidate.startsWith(root + sep);
  const exists = inside && existsSync(candidate) && statSync(candidate).isFile();
  // A missing hashed asset is a stale page asking for an old build: index.html in its place
  // would only produce a MIME type error in the browser.
  if (!exists && path.startsWith("/assets/")) {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("Not found\n");
    return true;
  }
  const file = exists ? candidate : index;
  const hashed = file !== index && file.includes(`${sep}assets${sep}`);

  res.writeHead(200, {
    "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
    "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
  });
  if (req.method === "HEAD") {
    res.end();
  } else {
    createReadStream(file).pipe(res);
  }
  return true;
}
