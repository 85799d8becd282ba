/** The built-in site's commands (harness/reference-site). */
export const LOCAL_DEFAULTS = {
  deploy: 'node --import tsx harness/reference-site/src/redeploy.ts',
  rollback: 'node --import tsx harness/reference-site/src/redeploy.ts rollback',
  createSession: 'node --import tsx harness/reference-site/src/create-session.ts {email}',
  mailbox: 'node --import tsx harness/reference-site/src/mailbox.ts',
  logs: 'cmd:node --import tsx harness/reference-site/src/site-log.ts {since}',
} as const;
