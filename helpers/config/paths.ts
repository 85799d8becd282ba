/** Paths of the repository, with no side effects: safe to import from anywhere. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in `helpers/config/`). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
