// The Superlists web app (stages 1 and 2 of the contract), on Fastify.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import path from 'node:path';
import cookie from '@fastify/cookie';
import csrfProtection from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type preHandlerHookHandler,
} from 'fastify';
import type pg from 'pg';
import { activateFaults, hasFault } from './faults.ts';
import { type SafeHtml, html } from './html.ts';
import type { Settings } from './settings.ts';

export const EMPTY_ITEM_ERROR = "You can't have an empty list item";
export const DUPLICATE_ITEM_ERROR = "You've already got this in your list";

// ---------------------------------------------------------------- templates

interface PageOptions {
  header: string;
  formAction: string;
  csrfToken: string;
  error?: string | undefined;
  /** The list's items, in creation order; undefined on the home page. */
  items?: string[] | undefined;
  /** The Host the request came to (for the mixed-content fault's absolute http:// link). */
  host: string;
}

function page({ header, formAction, csrfToken, error, items, host }: PageOptions): SafeHtml {
  const centred = !hasFault('centring-lost');
  const rowClass = centred ? 'row justify-content-center' : 'row';
  const formColumnClass = centred ? 'col-lg-6 text-center' : 'col-lg-6';
  const firstNumber = hasFault('numbering-off-by-one') ? 0 : 1;
  const inputClass = `form-control form-control-lg${error ? ' is-invalid' : ''}`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${hasFault('wrong-title') ? 'Superlists' : 'To-Do lists'}</title>
        <link rel="stylesheet" href="/static/bootstrap/css/bootstrap.min.css" />
        ${hasFault('missing-favicon') ? html`<link rel="icon" href="/static/favicon.ico" />` : ''}
        ${hasFault('mixed-content') ? html`<script src="http://${host}/static/lists.js"></script>` : ''}
      </head>
      <body>
        <div class="container">
          <div class="${rowClass}">
            <div class="${formColumnClass}">
              <h1 class="display-1 mb-4">${header}</h1>
              <form method="POST" action="${formAction}">
                <input
                  id="id_text"
                  name="text"
                  placeholder="Enter a to-do item"
                  required
                  class="${inputClass}"
                />
                <input type="hidden" name="csrfmiddlewaretoken" value="${csrfToken}" />
                ${error ? html` <div id="id_text_feedback" class="invalid-feedback">${error}</div> ` : ''}
              </form>
            </div>
          </div>
          <div class="${rowClass}">
            <div class="col-lg-6">
              ${
                items
                  ? html`
                      <table id="id_list_table">
                        ${items.map(
                          (text, i) => html`
                            <tr>
                              <td>${i + firstNumber}: ${text}</td>
                            </tr>
                          `,
                        )}
                      </table>
                    `
                  : ''
              }
            </div>
          </div>
        </div>
        <script src="/static/lists.js"></script>
      </body>
    </html> `;
}

/** A plain error page, like Django's with DEBUG = False. */
function plainPage(title: string, body: SafeHtml | string = ''): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <title>${title}</title>
      </head>
      <body>
        <h1>${title}</h1>
        ${body}
      </body>
    </html> `;
}

function debug404Page(request: FastifyRequest): SafeHtml {
  const pathname = request.url.split('?')[0] ?? '/';
  const patterns = [
    "[name='home']",
    "lists/new [name='new_list']",
    "lists/<int:list_id>/ [name='view_list']",
    '^static/(?P<path>.*)$',
  ];
  return html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta http-equiv="content-type" content="text/html; charset=utf-8" />
        <title>Page not found at ${pathname}</title>
        <meta name="robots" content="NONE,NOARCHIVE" />
      </head>
      <body>
        <div id="summary">
          <h1>Page not found <span>(404)</span></h1>
          <table class="meta">
            <tr>
              <th>Request Method:</th>
              <td>${request.method}</td>
            </tr>
            <tr>
              <th>Request URL:</th>
              <td>http://${request.headers.host ?? ''}${pathname}</td>
            </tr>
          </table>
        </div>
        <div id="info">
          <p>
            Using the URLconf defined in <code>superlists.urls</code>, Django tried these URL
            patterns, in this order:
          </p>
          <ol>
            ${patterns.map((pattern) => html` <li>${pattern}</li> `)}
          </ol>
          <p>
            The current path, <code>${pathname.replace(/^\//, '')}</code>, didn't match any of
            these.
          </p>
        </div>
        <div id="explanation">
          <p>
            You're seeing this error because you have <code>DEBUG = True</code> in your Django
            settings file. Change that to <code>False</code>, and Django will display a standard 404
            page.
          </p>
        </div>
      </body>
    </html> `;
}

// ---------------------------------------------------------------- database

/** The list's item texts ordered by id, or null when there is no such list. */
async function listItems(pool: pg.Pool, listId: number): Promise<string[] | null> {
  const { rows } = await pool.query<{ text: string | null }>(
    'SELECT i.text FROM lists_list l LEFT JOIN lists_item i ON i.list_id = l.id WHERE l.id = $1 ORDER BY i.id',
    [listId],
  );
  if (rows.length === 0) return null;
  return rows.flatMap((row) => (row.text === null ? [] : [row.text]));
}

async function createList(pool: pg.Pool, text: string): Promise<number> {
  const { rows } = await pool.query<{ list_id: number }>(
    `WITH new_list AS (INSERT INTO lists_list DEFAULT VALUES RETURNING id)
     INSERT INTO lists_item (text, list_id) SELECT $1, id FROM new_list RETURNING list_id`,
    [text],
  );
  return rows[0]!.list_id;
}

/** Adds an item; 'duplicate' or 'no-list' when the database refuses it. */
async function addItem(
  pool: pg.Pool,
  listId: number,
  text: string,
): Promise<'ok' | 'duplicate' | 'no-list'> {
  try {
    await pool.query('INSERT INTO lists_item (text, list_id) VALUES ($1, $2)', [text, listId]);
    return 'ok';
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '23505') return 'duplicate';
    if (code === '23503') return 'no-list';
    throw error;
  }
}

// ---------------------------------------------------------------- helpers

/** The submitted item text, stripped like Django's CharField (the last value wins). */
function submittedText(request: FastifyRequest): string {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>).text;
  const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' ? last.trim() : '';
}

function csrfToken(request: FastifyRequest): string | void {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return;
  const value = (body as Record<string, unknown>).csrfmiddlewaretoken;
  const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' ? last : undefined;
}

/** A list id from the URL, or null when it cannot name a list (Django's <int:list_id>). */
function listIdParam(request: FastifyRequest): number | null {
  const raw = (request.params as { id?: string }).id ?? '';
  if (!/^\d{1,10}$/.test(raw)) return null;
  const id = Number(raw);
  return id >= 1 && id <= 2_147_483_647 ? id : null;
}

function sendHtml(reply: FastifyReply, status: number, body: SafeHtml): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body.value);
}

function sendPlain(
  reply: FastifyReply,
  status: number,
  title: string,
  body: SafeHtml | string = '',
): FastifyReply {
  return sendHtml(reply, status, plainPage(title, body));
}

function notFound(reply: FastifyReply): FastifyReply {
  return sendPlain(
    reply,
    404,
    'Not Found',
    html` <p>The requested resource was not found on this server.</p>`,
  );
}

export function hostAllowed(
  hostHeader: string | undefined,
  allowedHosts: readonly string[],
): boolean {
  if (allowedHosts.includes('*')) return true;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d+)?$/.exec(
    (hostHeader ?? '').trim().toLowerCase(),
  );
  if (!match?.[1]) return false;
  const host = match[1].replace(/\.$/, '');
  return allowedHosts.some(
    (pattern) =>
      pattern === host ||
      (pattern.startsWith('.') && (host.endsWith(pattern) || host === pattern.slice(1))),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const LISTS_JS_STAGE_1 = '// Superlists: nothing to do in the browser yet.\n';
const LISTS_JS_BROKEN_PRELUDE =
  "// Superlists front end, built by the new pipeline\n'use strict';\nwindow.Superlists.initialize('#id_text');\n";

// ---------------------------------------------------------------- the app

const noSchemas = () => () => {
  throw new Error('the reference site declares no JSON schemas');
};

export async function buildApp(settings: Settings, pool: pg.Pool): Promise<FastifyInstance> {
  activateFaults(settings.faults);
  const app = Fastify({
    logger: false,
    return503OnClosing: false, // finish requests on open keep-alive connections during a graceful stop
    bodyLimit: 256 * 1024,
    // No route has a JSON schema: skip loading Ajv and fast-json-stringify (~0.15 s of every start).
    schemaController: {
      compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas },
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!hostAllowed(request.headers.host, settings.allowedHosts)) {
      return sendPlain(reply, 400, 'Bad Request (400)');
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    if (
      hasFault('slow-pages') &&
      String(reply.getHeader('content-type') ?? '').startsWith('text/html')
    ) {
      await sleep(2500);
    }
    return payload;
  });
  if (settings.accessLog) {
    app.addHook('onResponse', async (request, reply) => {
      const ms = reply.elapsedTime.toFixed(1);
      process.stdout.write(
        `${request.ip} "${request.method} ${request.url}" ${reply.statusCode} ${ms}ms\n`,
      );
    });
  }

  app.setNotFoundHandler(async (request, reply) => {
    const [pathname = '/', query] = request.url.split(/\?(.*)/s);
    if (
      (request.method === 'GET' || request.method === 'HEAD') &&
      /^\/lists\/\d+$/.test(pathname)
    ) {
      return reply.redirect(`${pathname}/${query ? `?${query}` : ''}`, 301); // Django's APPEND_SLASH
    }
    if (hasFault('debug-404')) return sendHtml(reply, 404, debug404Page(request));
    return notFound(reply);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status === 403) {
      return sendPlain(
        reply,
        403,
        'Forbidden (403)',
        html` <p>CSRF verification failed. Request aborted.</p>`,
      );
    }
    if (status >= 400 && status < 500)
      return sendPlain(reply, status, `${STATUS_CODES[status] ?? 'Error'} (${status})`);
    console.error(`superlists: ${request.method} ${request.url} failed:`, error);
    return sendPlain(reply, 500, 'Server Error (500)');
  });

  await app.register(formbody);
  await app.register(cookie, { secret: settings.secretKey });
  await app.register(csrfProtection, {
    cookieKey: 'csrftoken',
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, signed: true },
    getToken: csrfToken,
  });

  if (settings.serveStatic && !hasFault('static-not-served')) {
    registerStatic(app, settings.staticRoot);
  }

  const render = (
    reply: FastifyReply,
    status: number,
    options: Omit<PageOptions, 'csrfToken' | 'host'>,
  ) =>
    sendHtml(
      reply,
      status,
      page({ ...options, csrfToken: reply.generateCsrf(), host: reply.request.headers.host ?? '' }),
    );
  const home = (reply: FastifyReply, error?: string) =>
    render(reply, 200, { header: 'Start a new To-Do list', formAction: '/lists/new', error });
  const listPage = (reply: FastifyReply, listId: number, items: string[], error?: string) =>
    render(reply, 200, {
      header: 'Your To-Do list',
      formAction: `/lists/${listId}/`,
      items,
      error,
    });
  const duplicateError = () =>
    hasFault('duplicate-message-changed') ? 'Item already exists' : DUPLICATE_ITEM_ERROR;
  const validate = (text: string) =>
    text === '' && !hasFault('no-server-validation') ? EMPTY_ITEM_ERROR : undefined;

  const csrf: preHandlerHookHandler = (request, reply, done) =>
    app.csrfProtection(request, reply, done);

  app.get('/', async (_request, reply) => home(reply));

  app.post('/lists/new', { preHandler: csrf }, async (request, reply) => {
    const text = submittedText(request);
    const error = validate(text);
    if (error) return home(reply, error);
    if (hasFault('shared-list')) {
      const { rows } = await pool.query<{ id: number | null }>(
        'SELECT min(id) AS id FROM lists_list',
      );
      const first = rows[0]?.id;
      if (first) {
        const outcome = await addItem(pool, first, text);
        if (outcome === 'duplicate') return home(reply, duplicateError());
        if (outcome === 'ok') return reply.redirect(`/lists/${first}/`, 302);
      }
    }
    return reply.redirect(`/lists/${await createList(pool, text)}/`, 302);
  });

  app.get('/lists/:id/', async (request, reply) => {
    const listId = listIdParam(request);
    const items = listId === null ? null : await listItems(pool, listId);
    if (listId === null || items === null) return notFound(reply);
    return listPage(reply, listId, items);
  });

  app.post('/lists/:id/', { preHandler: csrf }, async (request, reply) => {
    const listId = listIdParam(request);
    if (hasFault('add-item-broken')) {
      // Stage 3 code deployed without its migration: the new column does not exist yet.
      await pool.query('SELECT id, owner_id FROM lists_list WHERE id = $1', [listId]);
    }
    const items = listId === null ? null : await listItems(pool, listId);
    if (listId === null || items === null) return notFound(reply);
    const text = submittedText(request);
    const error = validate(text);
    if (error) return listPage(reply, listId, items, error);
    const outcome = await addItem(pool, listId, text);
    if (outcome === 'duplicate') return listPage(reply, listId, items, duplicateError());
    if (outcome === 'no-list') return notFound(reply);
    return reply.redirect(`/lists/${listId}/`, 302);
  });

  app.get('/__release__', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { release: settings.releaseId };
  });

  return app;
}

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Serves STATIC_ROOT under /static/ like WhiteNoise (ETag, Last-Modified, 304s, max-age=60).
 * Hand-written rather than @fastify/static, whose import costs ~80 ms of every worker start.
 * The static-file faults live here.
 */
function registerStatic(app: FastifyInstance, staticRoot: string): void {
  app.get('/static/*', async (request, reply) => {
    let relative: string;
    try {
      relative = decodeURIComponent((request.params as { '*': string })['*']);
    } catch {
      return notFound(reply);
    }
    const file = path.resolve(staticRoot, relative);
    if (relative.includes('\0') || !file.startsWith(staticRoot + path.sep)) return notFound(reply);
    if (relative === 'lists.js' && hasFault('js-missing')) return notFound(reply);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return notFound(reply);

    let type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    let body: string | null = null; // replaced content, for the faults
    if (relative === 'bootstrap/css/bootstrap.min.css') {
      if (hasFault('css-wrong-type')) type = 'text/plain; charset=utf-8';
      if (hasFault('css-empty')) body = '';
    }
    if (relative === 'lists.js' && (hasFault('feedback-not-cleared') || hasFault('js-error'))) {
      body = hasFault('feedback-not-cleared') ? LISTS_JS_STAGE_1 : await readFile(file, 'utf8');
      if (hasFault('js-error')) body = LISTS_JS_BROKEN_PRELUDE + body;
    }
    const size = body === null ? info.size : Buffer.byteLength(body);
    const etag = `"${size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    reply
      .type(type)
      .header('cache-control', 'max-age=60, public')
      .header('last-modified', info.mtime.toUTCString())
      .header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    reply.header('content-length', size);
    return reply.send(body ?? createReadStream(file));
  });
}
