/**
 * Zod in the renderer runs without its eval-based fast path: the strict CSP forbids `eval` /
 * `new Function`, and zod 4 probing for it raises a CSP violation report on every start. Imported
 * first by `main.tsx`, before any schema is built (zod reads this when a schema is created).
 */
import { z } from 'zod';

z.config({ jitless: true });
