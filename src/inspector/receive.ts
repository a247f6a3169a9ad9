import type { Request, RequestHandler } from 'express';
import type { SqlPool } from '../db/sql-pool.js';
import { INSPECTOR_MAX_BODY, recordRequest, type IncomingRequest } from './store.js';

/** Reads at most INSPECTOR_MAX_BODY bytes of the body and drains the rest, counting it. */
async function readBody(req: Request): Promise<{ body: string; size: number; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (kept < INSPECTOR_MAX_BODY) {
      const part = chunk.subarray(0, INSPECTOR_MAX_BODY - kept);
      chunks.push(part);
      kept += part.length;
    }
  }
  return { body: Buffer.concat(chunks).toString('utf8'), size, truncated: size > kept };
}

/**
 * `/inspect/:id`, any method, no token: answers 200 and keeps the request for the console,
 * like a webhook.site of the service's own. An unknown or expired inspector answers 404.
 */
export function receiveInspectorRequest(sql: SqlPool): RequestHandler {
  return async (req, res, next) => {
    try {
      const { body, size, truncated } = await readBody(req);
      const headers: IncomingRequest['headers'] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push({ name: req.rawHeaders[i]!.toLowerCase(), value: req.rawHeaders[i + 1]! });
      const kept = await recordRequest(sql, String(req.params.id), {
        method: req.method,
        path: req.originalUrl.slice(0, 2048),
        headers,
        body,
        size,
        bodyTruncated: truncated,
      });
      if (!kept) {
        res.status(404).json({ error: `No inspector ${JSON.stringify(String(req.params.id).slice(0, 60))} (it may have expired)` });
        return;
      }
      res.status(200).json({ ok: true });
    } catch (err) {
      next(err);
    }
  };
}
