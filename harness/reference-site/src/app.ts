// The Superlists web app (stages 1, 2 and 3 of the contract), on Fastify.
import { randomUUID } from 'node:crypto';
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
import type { Db } from './db/index.ts';
import { activateFaults, enterFaultsOfPort, hasFault } from './faults.ts';
import { type SafeHtml, html, raw } from './html.ts';
import { type Mailer, makeMailer } from './mail.ts';
import {
  type Flash,
  SESSION_AGE_SECONDS,
  type SessionData,
  deleteSession,
  loadSession,
  newSessionKey,
  saveSession,
  signSessionKey,
  unsignSessionCookie,
} from './sessions.ts';
import { registerCreateSession } from './session-endpoint.ts';
import type { Settings } from './settings.ts';

export const EMPTY_ITEM_ERROR = "You can't have an empty list item";
export const DUPLICATE_ITEM_ERROR = "You've already got this in your list";
export const LOGIN_MAIL_SUBJECT = 'Your login link for Superlists';
export const LOGIN_MAIL_INTRO = 'Use this link to log in:';
export const CHECK_EMAIL_FLASH = "Check your email, we've sent you a link you can use to log in.";
export const INVALID_LINK_FLASH = 'Invalid login link, please request a new one';

/** The request's session: loaded from django_session by its signed cookie, saved when modified. */
interface Session {
  key: string | null;
  data: SessionData;
  /** The logged-in user's email, when the session names a user that exists. */
  user: string | null;
  modified: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    session: Session;
  }
}

const emptySession = (): Session => ({ key: null, data: {}, user: null, modified: false });

/** The path of user `email`'s My lists page, quoted as Django's reverse() quotes it. */
export function myListsPath(email: string): string {
  const quoted = encodeURIComponent(email).replace(/%(24|26|2B|2C|3B|3D|3A|40)/gi, (escape) =>
    decodeURIComponent(escape),
  );
  return `/lists/users/${quoted}/`;
}

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
  /** The logged-in user's email, or null. */
  user: string | null;
  /** The one-shot messages to show (taken from the session). */
  messages: Flash[];
  /** What the page shows below the list table (list owner, sharing; My lists). */
  extra?: SafeHtml | undefined;
}

function navbar(user: string | null, csrfToken: string): SafeHtml {
  const csrfField = html`<input type="hidden" name="csrfmiddlewaretoken" value="${csrfToken}" />`;
  return html`<nav class="navbar navbar-expand-md navbar-light bg-light mb-5">
    <div class="container-fluid">
      <a class="navbar-brand" href="/">Superlists</a>
      ${
        user
          ? html`<a class="navbar-link" href="${myListsPath(user)}">My lists</a>
              <span class="navbar-text">Logged in as ${user}</span>
              <form method="POST" action="/accounts/logout">
                ${csrfField}
                <button id="id_logout" class="btn btn-outline-secondary" type="submit">
                  Log out
                </button>
              </form>`
          : hasFault('no-login-form')
            ? ''
            : html`<form method="POST" action="/accounts/send_login_email">
                <div class="input-group">
                  <label class="navbar-text me-2" for="id_email_input">
                    Enter your email to log in
                  </label>
                  <input
                    id="id_email_input"
                    name="email"
                    class="form-control"
                    placeholder="your@email.com"
                  />
                  ${csrfField}
                </div>
              </form>`
      }
    </div>
  </nav>`;
}

function flashes(messages: Flash[]): SafeHtml | string {
  if (messages.length === 0) return '';
  return html`<div class="row">
    <div class="col-md-12">
      ${messages.map(({ level, text }) => html`<div class="alert alert-${level}">${text}</div>`)}
    </div>
  </div>`;
}

function page(options: PageOptions): SafeHtml {
  const { header, formAction, csrfToken, error, items, host, user, messages, extra } = options;
  const centred = !hasFault('centring-lost');
  const rowClass = hasFault('deploy-layout-moved')
    ? 'row justify-content-end'
    : centred
      ? 'row justify-content-center'
      : 'row';
  const formColumnClass = centred ? 'col-lg-6 text-center' : 'col-lg-6';
  const firstNumber = hasFault('numbering-off-by-one') ? 0 : 1;
  const inputClass = `form-control form-control-lg${error ? ' is-invalid' : ''}`;
  const itemText = (text: string) =>
    hasFault('unescaped-item')
      ? raw(text)
      : hasFault('item-escaped-twice')
        ? text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
        : hasFault('item-text-ascii-only')
          ? text.replace(/[^\p{ASCII}]/gu, '')
          : text;
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
          ${navbar(user, csrfToken)} ${flashes(messages)}
          <div class="${rowClass}">
            <div class="${formColumnClass}">
              <h1 class="display-1 mb-4">${header}</h1>
              <form method="POST" action="${formAction}">
                <input
                  id="id_text"
                  name="text"
                  ${hasFault('deploy-input-renamed') ? raw('aria-label="New item"') : ''}
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
                              <td>${i + firstNumber}: ${itemText(text)}</td>
                            </tr>
                          `,
                        )}
                      </table>
                    `
                  : ''
              }
            </div>
          </div>
          ${extra ?? ''}
        </div>
        <script src="/static/lists.js"></script>
      </body>
    </html> `;
}

/** Below an owned list: its owner, the share form and the sharees (once each). */
function sharingSection(
  listId: number,
  owner: string,
  sharees: string[],
  csrfToken: string,
): SafeHtml {
  return html`<div class="row justify-content-center">
    <div class="col-lg-6">
      <p>List owner: <span id="id_list_owner">${owner}</span></p>
      <form method="POST" action="/lists/${listId}/share">
        <label for="id_sharee">Share this list:</label>
        <input
          id="id_sharee"
          class="form-control"
          name="sharee"
          type="text"
          placeholder="your-friend@example.com"
        />
        <input type="hidden" name="csrfmiddlewaretoken" value="${csrfToken}" />
      </form>
      <h2 class="h5 mt-3">Shared with</h2>
      <ul>
        ${sharees.map((email) => html`<li class="list-sharee">${email}</li>`)}
      </ul>
    </div>
  </div>`;
}

interface ListLink {
  id: number;
  name: string;
  owner: string | null;
}

/** The My lists page's content: the owner's lists and the lists shared with them. */
function myListsSection(email: string, owned: ListLink[], shared: ListLink[]): SafeHtml {
  return html`<div class="row justify-content-center">
    <div class="col-lg-6">
      <h2>${email}'s lists</h2>
      <ul>
        ${owned.map(({ id, name }) => html`<li><a href="/lists/${id}/">${name}</a></li>`)}
      </ul>
      <h2>Lists shared by other users</h2>
      <ul>
        ${shared.map(
          ({ id, name, owner }) =>
            html`<li><a href="/lists/${id}/">${name}</a>${owner ? html` (${owner})` : ''}</li>`,
        )}
      </ul>
    </div>
  </div>`;
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

interface ListRecord {
  items: string[];
  owner: string | null;
}

/** The list's item texts ordered by id and its owner, or null when there is no such list. */
async function findList(db: Db, listId: number): Promise<ListRecord | null> {
  const { rows } = await db.query<{ text: string | null; owner_id: string | null }>(
    'SELECT i.text, l.owner_id FROM lists_list l LEFT JOIN lists_item i ON i.list_id = l.id WHERE l.id = $1 ORDER BY i.id',
    [listId],
  );
  if (rows.length === 0) return null;
  return {
    items: rows.flatMap((row) => (row.text === null ? [] : [row.text])),
    owner: rows[0]!.owner_id,
  };
}

async function listItems(db: Db, listId: number): Promise<string[] | null> {
  return (await findList(db, listId))?.items ?? null;
}

async function sharees(db: Db, listId: number): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>(
    'SELECT user_id FROM lists_list_shared_with WHERE list_id = $1 ORDER BY id',
    [listId],
  );
  return rows.map((row) => row.user_id);
}

async function createList(db: Db, text: string, owner: string | null): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: number }>(
      'INSERT INTO lists_list (owner_id) VALUES ($1) RETURNING id',
      [owner],
    );
    const listId = Number(rows[0]!.id);
    await tx.query('INSERT INTO lists_item (text, list_id) VALUES ($1, $2)', [text, listId]);
    return listId;
  });
}

async function userExists(db: Db, email: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM accounts_user WHERE email = $1', [email]);
  return Boolean(rowCount);
}

/** Lists as My lists links: their first item names them (Django's List.name). */
async function listLinks(db: Db, where: string, value: string | null): Promise<ListLink[]> {
  const { rows } = await db.query<{ id: number; name: string | null; owner_id: string | null }>(
    `SELECT l.id, l.owner_id,
            (SELECT i.text FROM lists_item i WHERE i.list_id = l.id ORDER BY i.id LIMIT 1) AS name
       FROM lists_list l ${where}`,
    value === null ? [] : [value],
  );
  return rows.map((row) => ({ id: Number(row.id), name: row.name ?? '', owner: row.owner_id }));
}

/** Adds an item; 'duplicate' or 'no-list' when the database refuses it. */
async function addItem(
  db: Db,
  listId: number,
  text: string,
): Promise<'ok' | 'duplicate' | 'no-list'> {
  try {
    await db.query('INSERT INTO lists_item (text, list_id) VALUES ($1, $2)', [text, listId]);
    return 'ok';
  } catch (error) {
    const violation = db.violation(error);
    if (violation === 'unique') return 'duplicate';
    if (violation === 'foreign-key') return 'no-list';
    throw error;
  }
}

// ---------------------------------------------------------------- helpers

/** A submitted form field, stripped like Django's CharField (the last value wins). */
function formField(request: FastifyRequest, name: string): string {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[name];
  const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' ? last.trim() : '';
}

const submittedText = (request: FastifyRequest) => formField(request, 'text');

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

/** Django's 403 page for a failed CSRF check (DEBUG = False). */
function forbidden(reply: FastifyReply): FastifyReply {
  return sendPlain(
    reply,
    403,
    'Forbidden (403)',
    html` <p>CSRF verification failed. Request aborted.</p>`,
  );
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

export async function buildApp(
  settings: Settings,
  db: Db,
  mailer: Mailer = makeMailer(settings),
): Promise<FastifyInstance> {
  activateFaults(settings.faults, settings.faultPorts);
  const app = Fastify({
    logger: false,
    return503OnClosing: false, // finish requests on open keep-alive connections during a graceful stop
    bodyLimit: 256 * 1024,
    // No route has a JSON schema: skip loading Ajv and fast-json-stringify (~0.15 s of every start).
    schemaController: {
      compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas },
    },
  });

  // First of all hooks: the faults of the port this request came in on (SUPERLISTS_FAULT_PORTS),
  // entered again after the body is read and before the reply is sent (a stream's events may run
  // outside the request's context).
  if (settings.faultPorts.size > 0) {
    const enter = (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      enterFaultsOfPort(request.socket.localPort);
      done();
    };
    app.addHook('onRequest', enter);
    app.addHook('preHandler', enter);
    app.addHook('onSend', (request, reply, payload, done) => {
      enterFaultsOfPort(request.socket.localPort);
      done(null, payload);
    });
  }
  const started = Date.now();
  app.addHook('onRequest', async (request, reply) => {
    if (!hasFault('any-host') && !hostAllowed(request.headers.host, settings.allowedHosts)) {
      return sendPlain(reply, 400, 'Bad Request (400)');
    }
    if (hasFault('deploy-outage') && Date.now() - started < 15_000) {
      return sendPlain(reply, 500, 'Server Error (500)');
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
      /^\/lists\/(\d+|users\/[^/]+)$/.test(pathname)
    ) {
      return reply.redirect(`${pathname}/${query ? `?${query}` : ''}`, 301); // Django's APPEND_SLASH
    }
    if (hasFault('debug-404')) return sendHtml(reply, 404, debug404Page(request));
    return notFound(reply);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status === 403) return forbidden(reply);
    if (status >= 400 && status < 500)
      return sendPlain(reply, status, `${STATUS_CODES[status] ?? 'Error'} (${status})`);
    console.error(`superlists: ${request.method} ${request.url} failed:`, error);
    return sendPlain(reply, 500, 'Server Error (500)');
  });

  await app.register(formbody);
  await app.register(cookie, { secret: settings.secretKey });
  await app.register(csrfProtection, {
    cookieKey: 'csrftoken',
    cookieOpts: {
      path: '/',
      sameSite: 'lax',
      httpOnly: true,
      signed: true,
      secure: settings.csrfCookieSecure,
    },
    getToken: csrfToken,
  });

  // ------------------------------------------------------------ sessions
  const sessionCookie = settings.sessionCookieName;
  app.decorateRequest('session', null as unknown as Session);
  app.addHook('onRequest', async (request) => {
    request.session = emptySession();
    if (request.url.startsWith('/static/') || request.url === '/__release__') return;
    const value = request.cookies[sessionCookie];
    const key = value ? unsignSessionCookie(value, settings.secretKey) : null;
    const stored = key ? await loadSession(db, key) : null;
    if (key && stored) request.session = { key, ...stored, modified: false };
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const session = request.session;
    if (!session?.modified) return payload;
    session.key ??= newSessionKey();
    await saveSession(db, session.key, session.data);
    reply.setCookie(sessionCookie, signSessionKey(session.key, settings.secretKey), {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: settings.sessionCookieSecure,
      maxAge: SESSION_AGE_SECONDS,
    });
    return payload;
  });
  const flash = (request: FastifyRequest, level: Flash['level'], text: string) => {
    const session = request.session;
    session.data.messages = [...(session.data.messages ?? []), { level, text }];
    session.modified = true;
  };
  /** Logs `email` in: a new session key (Django cycles it at login), the user in the session. */
  const logIn = async (request: FastifyRequest, email: string) => {
    const session = request.session;
    if (session.key) await deleteSession(db, session.key);
    session.key = null;
    session.data._auth_user_id = email;
    session.user = email;
    session.modified = true;
  };
  /** The scheme the visitor used: X-Forwarded-Proto from the proxy when SECURE_PROXY_SSL_HEADER is on. */
  const requestScheme = (request: FastifyRequest): string => {
    if (settings.secureProxySslHeader) {
      const forwarded = String(request.headers['x-forwarded-proto'] ?? '')
        .split(',')[0]!
        .trim()
        .toLowerCase();
      return forwarded === 'https' ? 'https' : 'http';
    }
    return request.protocol;
  };

  if (settings.serveStatic) {
    registerStatic(app, settings.staticRoot, (reply) => home(reply));
  }

  const render = (
    reply: FastifyReply,
    status: number,
    options: Omit<PageOptions, 'csrfToken' | 'host' | 'user' | 'messages' | 'extra'>,
    extra?: (csrfToken: string) => SafeHtml,
  ) => {
    const request = reply.request;
    const session = request.session;
    const messages = session.data.messages ?? [];
    if (messages.length > 0) {
      delete session.data.messages;
      session.modified = true;
    }
    const csrfToken = reply.generateCsrf();
    return sendHtml(
      reply,
      status,
      page({
        ...options,
        csrfToken,
        host: request.headers.host ?? '',
        user: session.user,
        messages,
        extra: extra?.(csrfToken),
      }),
    );
  };
  const home = async (reply: FastifyReply, error?: string) => {
    let items: string[] | undefined;
    if (hasFault('home-shows-a-list')) {
      const { rows } = await db.query<{ id: number | null }>(
        'SELECT min(id) AS id FROM lists_list',
      );
      const oldest = rows[0]?.id;
      items = oldest ? ((await listItems(db, oldest)) ?? undefined) : undefined;
    }
    return render(reply, 200, {
      header: 'Start a new To-Do list',
      formAction: '/lists/new',
      error,
      items,
    });
  };
  const listPage = async (
    reply: FastifyReply,
    listId: number,
    list: ListRecord,
    error?: string,
  ) => {
    const owner = list.owner;
    const shared = owner ? await sharees(db, listId) : [];
    return render(
      reply,
      200,
      { header: 'Your To-Do list', formAction: `/lists/${listId}/`, items: list.items, error },
      owner ? (token) => sharingSection(listId, owner, shared, token) : undefined,
    );
  };
  const duplicateError = () =>
    hasFault('duplicate-message-changed') ? 'Item already exists' : DUPLICATE_ITEM_ERROR;
  const validate = (text: string) =>
    text === '' && !hasFault('no-server-validation') ? EMPTY_ITEM_ERROR : undefined;

  const csrf: preHandlerHookHandler = (request, reply, done) => {
    if (hasFault('post-forbidden')) {
      void forbidden(reply);
      return;
    }
    app.csrfProtection(request, reply, done);
  };

  app.get('/', async (_request, reply) => home(reply));

  app.post('/lists/new', { preHandler: csrf }, async (request, reply) => {
    const text = submittedText(request);
    const error = validate(text);
    if (error) return home(reply, error);
    if (hasFault('shared-list')) {
      const { rows } = await db.query<{ id: number | null }>(
        'SELECT min(id) AS id FROM lists_list',
      );
      const first = rows[0]?.id;
      if (first) {
        const outcome = await addItem(db, first, text);
        if (outcome === 'duplicate') return home(reply, duplicateError());
        if (outcome === 'ok') return reply.redirect(`/lists/${first}/`, 302);
      }
    }
    const listId = await createList(db, text, request.session.user);
    return reply.redirect(`/lists/${listId}/`, 302);
  });

  app.get('/lists/:id/', async (request, reply) => {
    const listId = listIdParam(request);
    const list = listId === null ? null : await findList(db, listId);
    if (listId === null || list === null) return notFound(reply);
    return listPage(reply, listId, list);
  });

  app.post('/lists/:id/', { preHandler: csrf }, async (request, reply) => {
    const listId = listIdParam(request);
    if (hasFault('add-item-broken')) {
      // Code of a later release deployed without its migration: the new column does not exist yet.
      await db.query('SELECT id, archived FROM lists_list WHERE id = $1', [listId]);
    }
    const list = listId === null ? null : await findList(db, listId);
    if (listId === null || list === null) return notFound(reply);
    const text = submittedText(request);
    const error = validate(text);
    if (error) return listPage(reply, listId, list, error);
    const outcome = await addItem(db, listId, text);
    if (outcome === 'duplicate') return listPage(reply, listId, list, duplicateError());
    if (outcome === 'no-list') return notFound(reply);
    return reply.redirect(`/lists/${listId}/`, 302);
  });

  // ------------------------------------------------------------ stage 3: accounts, sharing
  app.post('/accounts/send_login_email', { preHandler: csrf }, async (request, reply) => {
    const email = formField(request, 'email');
    if (email !== '' && email.length <= 254) {
      const uid = randomUUID();
      await db.query('INSERT INTO accounts_token (email, uid) VALUES ($1, $2)', [email, uid]);
      const scheme = hasFault('login-link-http') ? 'http' : requestScheme(request);
      const host = hasFault('login-link-wrong-host') ? 'localhost' : (request.headers.host ?? '');
      const url = `${scheme}://${host}/accounts/login?token=${uid}`;
      if (!hasFault('no-login-mail')) {
        await mailer({
          from: settings.emailFrom,
          to: email,
          subject: LOGIN_MAIL_SUBJECT,
          text: `${LOGIN_MAIL_INTRO}\n\n${url}`, // the book's body, to the letter
        });
      }
      flash(request, 'success', CHECK_EMAIL_FLASH);
    }
    return reply.redirect('/', 302);
  });

  app.get('/accounts/login', async (request, reply) => {
    const token = (request.query as { token?: unknown }).token;
    const uid = typeof token === 'string' && /^[0-9a-f-]{36}$/i.test(token) ? token : null;
    // As the book's app does, a token is never deleted (`Token.objects.get(uid=...)`): a used
    // link logs in again. LOGIN_LINKS=single-use deletes it as it logs someone in.
    const { rows } = uid
      ? await db.query<{ email: string }>(
          settings.loginLinks === 'reusable' || hasFault('token-reusable')
            ? 'SELECT email FROM accounts_token WHERE uid = $1 ORDER BY id LIMIT 1'
            : `DELETE FROM accounts_token WHERE id =
                 (SELECT id FROM accounts_token WHERE uid = $1 ORDER BY id LIMIT 1)
               RETURNING email`,
          [uid],
        )
      : { rows: [] };
    // The fault: a link's token is never looked at, so a made-up link logs a stranger in.
    const email =
      rows[0]?.email ??
      (hasFault('login-link-not-checked') ? 'stranger@superlists.test' : undefined);
    if (!email) {
      flash(request, 'warning', INVALID_LINK_FLASH);
      return reply.redirect('/', 302);
    }
    await db.query('INSERT INTO accounts_user (email) VALUES ($1) ON CONFLICT DO NOTHING', [email]);
    await logIn(request, email);
    return reply.redirect('/', 302);
  });

  app.post('/accounts/logout', { preHandler: csrf }, async (request, reply) => {
    if (!hasFault('logout-keeps-session')) {
      if (request.session.key) await deleteSession(db, request.session.key);
      request.session = emptySession();
      reply.clearCookie(sessionCookie, { path: '/', httpOnly: true, sameSite: 'lax' });
    }
    return reply.redirect('/', 302);
  });

  app.get('/lists/users/:email/', async (request, reply) => {
    const email = (request.params as { email: string }).email;
    if (!(await userExists(db, email))) return notFound(reply);
    const owned = hasFault('my-lists-shows-everyone')
      ? await listLinks(db, 'WHERE l.owner_id IS NOT NULL ORDER BY l.id', null)
      : await listLinks(db, 'WHERE l.owner_id = $1 ORDER BY l.id', email);
    const shared = await listLinks(
      db,
      'JOIN lists_list_shared_with s ON s.list_id = l.id WHERE s.user_id = $1 ORDER BY s.id',
      email,
    );
    return render(reply, 200, { header: 'My Lists', formAction: '/lists/new' }, () =>
      myListsSection(email, owned, shared),
    );
  });

  app.post('/lists/:id/share', { preHandler: csrf }, async (request, reply) => {
    const listId = listIdParam(request);
    const list = listId === null ? null : await findList(db, listId);
    if (listId === null || list === null) return notFound(reply);
    const sharee = formField(request, 'sharee');
    // The book's app answers 500 for an address without an account; this one says 400.
    if (!(await userExists(db, sharee))) return sendPlain(reply, 400, 'Bad Request (400)');
    if (!hasFault('sharing-does-nothing')) {
      await db.query(
        'INSERT INTO lists_list_shared_with (list_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [listId, sharee],
      );
    }
    return reply.redirect(`/lists/${listId}/`, 302);
  });

  registerCreateSession(app, db, settings);

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
function registerStatic(
  app: FastifyInstance,
  staticRoot: string,
  catchAll: (reply: FastifyReply) => Promise<FastifyReply>,
): void {
  // A missing static file is a plain-text 404, never a page of the site.
  const notFound = (reply: FastifyReply) =>
    reply.code(404).type('text/plain; charset=utf-8').send('Not Found\n');
  app.get('/static/*', async (request, reply) => {
    // As if no route served /static/: the site's own 404 page (nginx's location is missing).
    if (hasFault('static-not-served')) return reply.callNotFound();
    let relative: string;
    try {
      relative = decodeURIComponent((request.params as { '*': string })['*']);
    } catch {
      return notFound(reply);
    }
    const file = path.resolve(staticRoot, relative);
    if (relative.includes('\0') || !file.startsWith(staticRoot + path.sep)) return notFound(reply);
    if (relative === 'lists.js' && hasFault('js-missing')) return notFound(reply);
    if (relative === 'lists.js' && hasFault('lists-js-as-html')) return catchAll(reply);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return hasFault('static-catch-all') ? catchAll(reply) : notFound(reply);

    let type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    let body: string | null = null; // replaced content, for the faults
    if (relative === 'bootstrap/css/bootstrap.min.css') {
      if (hasFault('css-wrong-type')) type = 'text/plain; charset=utf-8';
      if (hasFault('css-empty')) body = '';
      if (hasFault('deploy-css-truncated'))
        body = (await readFile(file)).subarray(0, 12 * 1024).toString('utf8');
    }
    if (relative === 'lists.js' && (hasFault('feedback-not-cleared') || hasFault('js-error'))) {
      body = hasFault('feedback-not-cleared') ? LISTS_JS_STAGE_1 : await readFile(file, 'utf8');
      if (hasFault('js-error')) body = LISTS_JS_BROKEN_PRELUDE + body;
    }
    const size = body === null ? info.size : Buffer.byteLength(body);
    const etag = `"${size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    reply
      .type(type)
      .header(
        'cache-control',
        hasFault('static-cached-forever') ? 'max-age=31536000, immutable' : 'max-age=60, public',
      )
      .header('last-modified', info.mtime.toUTCString())
      .header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    reply.header('content-length', size);
    return reply.send(body ?? createReadStream(file));
  });
}
