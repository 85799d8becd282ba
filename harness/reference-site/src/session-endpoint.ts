// The built-in target's create_session, served by the site itself: POST /__create_session__?email=X
// with `Authorization: Bearer <CREATE_SESSION_TOKEN>` creates the user and a logged-in session and
// answers the session cookie's value, as create-session.ts prints it. Only where the site is given
// CREATE_SESSION_TOKEN (the launcher, local.ts, passes the suite's per-run token): a deployed site
// never has the route. One request instead of a new node process per session: the process took
// 35-50 s at load 40 on 2 cores, the request milliseconds.
import { timingSafeEqual } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from './db/index.ts';
import { createUserSession } from './sessions.ts';
import type { Settings } from './settings.ts';

const plain = (reply: FastifyReply, status: number, text: string) =>
  reply.code(status).type('text/plain; charset=utf-8').send(`${text}\n`);

/** Adds POST /__create_session__ to `app` when `settings.createSessionToken` is set. */
export function registerCreateSession(app: FastifyInstance, db: Db, settings: Settings): void {
  const token = settings.createSessionToken;
  if (!token) return;
  const expected = Buffer.from(`Bearer ${token}`);
  app.post('/__create_session__', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const bearer = Buffer.from(request.headers.authorization ?? '');
    if (bearer.length !== expected.length || !timingSafeEqual(bearer, expected))
      return plain(reply, 403, 'Forbidden (403): the create-session token is missing or wrong');
    const { email: given = '' } = request.query as { email?: string };
    const email = typeof given === 'string' ? given.trim() : '';
    if (!email || !email.includes('@'))
      return plain(reply, 400, 'usage: POST /__create_session__?email=ADDRESS');
    const log = settings.sessionKeyLog;
    const value = await createUserSession(db, email, settings.secretKey, (key) =>
      log ? appendFile(log, `${key}\n`, { mode: 0o600 }) : undefined,
    );
    if (value === null)
      return plain(
        reply,
        409,
        `the user ${email} already exists (use an address no earlier run used)`,
      );
    return plain(reply, 200, value);
  });
}
