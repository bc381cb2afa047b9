/**
 * Child process for the lock tests: `node --import tsx open-child.ts DIR MODE`.
 * MODE `report`: try to open, print `{"ok":true}` or `{"ok":false,"code":…,"message":…}`, close.
 * MODE `exit`: open, print `{"ok":true}` and exit without closing (the exit hook must drop the lock).
 */
import { isDomainError } from '../../../src-shared/errors';
import { openSqljsStore } from '../../../src-main/adapters/store/sqljs-store';
import { MIGRATIONS } from './store-fixtures';

const [dir, mode] = process.argv.slice(2);
if (!dir || (mode !== 'report' && mode !== 'exit')) {
  process.stderr.write('usage: open-child.ts DIR report|exit\n');
  process.exit(2);
}
try {
  const store = await openSqljsStore({ dir, migrations: MIGRATIONS });
  process.stdout.write(JSON.stringify({ ok: true, pid: process.pid }) + '\n');
  if (mode === 'exit') process.exit(0);
  await store.close();
} catch (e) {
  const out = isDomainError(e)
    ? { ok: false, code: e.code, message: e.message }
    : { ok: false, message: String(e) };
  process.stdout.write(JSON.stringify(out) + '\n');
}
