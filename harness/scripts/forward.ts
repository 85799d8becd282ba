// Passing a request on to a target, for the harness's test proxies (soak's latency, the hiccups).
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Sends `request` on to `target` and its answer back on `response`; `body` is the request's body
 * when the caller already read it (else the request is piped), `holdMs` delays each answer.
 */
export function forward(
  target: URL,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  { body, holdMs = 0 }: { body?: Buffer; holdMs?: number } = {},
): void {
  const upstream = http.request(
    {
      host: target.hostname,
      port: target.port,
      path: request.url,
      method: request.method,
      headers: request.headers,
    },
    (answer) => {
      void delay(holdMs).then(() => {
        response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(response);
      });
    },
  );
  upstream.on('error', () => response.writeHead(502).end());
  if (body) upstream.end(body);
  else request.pipe(upstream);
}
