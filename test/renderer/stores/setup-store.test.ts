// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import type { Reachability } from '../../../src-shared/ipc';
import { inspectCredential } from '../../../src-renderer/stores/credential-file';
import { useSetup } from '../../../src-renderer/stores/setup-store';
import { installFakeStation } from '../fake-station';

const trust = inspectCredential('ca.der', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]));
const reach = (ok: boolean): Reachability => ({
  ok,
  reason: ok ? 'ok' : 'untrusted',
  message: ok ? 'ok' : 'certificate of lns:443 is not signed by the given trust',
  peer: null,
  elapsedMs: 3,
});
const template = {
  id: 't1',
  ownerId: '1::1',
  name: 'Site A',
  fields: { lnsUri: 'wss://lns.example.com:443', lnsTrust: trust.base64 },
  secrets: ['lnsKey' as const],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

describe('useSetup', () => {
  beforeEach(() => useSetup.getState().reset());

  it('applies a template by id to the listed gateways after its target passed the check', async () => {
    const station = installFakeStation()
      .on('templates:list', () => [template])
      .on('setup:checkReachability', () => reach(true))
      .on('gateways:setup', (r) => r.items.map((i) => ({ gateway: i.gateway })));
    await useSetup.getState().loadTemplates('1::1');
    useSetup.getState().setGatewaysText('::1\n::2');
    await useSetup.getState().apply('1::1');
    expect(station.requests('setup:checkReachability')).toEqual([
      { uri: 'wss://lns.example.com:443', trust: trust.base64 },
    ]);
    expect(station.requests('gateways:setup')).toEqual([
      { ownerId: '1::1', templateId: 't1', items: [{ gateway: '::1' }, { gateway: '::2' }] },
    ]);
    expect(useSetup.getState().results.map((r) => r.status)).toEqual(['ok', 'ok']);
  });

  it('does not save when a target fails the check, unless the operator says apply anyway', async () => {
    const station = installFakeStation()
      .on('setup:checkReachability', () => reach(false))
      .on('gateways:setup', (r) => r.items.map((i) => ({ gateway: i.gateway })));
    const s = useSetup.getState();
    s.setSource('form');
    s.updateSide('lns', { enabled: true, uri: 'wss://lns.example.com:443', trust, token: 'abc' });
    s.setGatewaysText('::1');
    await useSetup.getState().apply('1::1');
    expect(station.requests('gateways:setup')).toEqual([]);
    expect(useSetup.getState().checks[0]).toMatchObject({ state: 'failed', result: { reason: 'untrusted' } });
    expect(useSetup.getState().message?.kind).toBe('error');

    useSetup.getState().setIgnoreFailedChecks(true);
    await useSetup.getState().apply('1::1');
    const [sent] = station.requests('gateways:setup');
    expect(sent).toMatchObject({
      ownerId: '1::1',
      common: { lnsUri: 'wss://lns.example.com:443', lnsCrt: null },
    });
  });

  it('lists what is missing instead of sending', async () => {
    const station = installFakeStation();
    useSetup.getState().setSource('form');
    useSetup.getState().setGatewaysText('1:::2');
    await useSetup.getState().apply('1::1');
    expect(station.calls).toEqual([]);
    expect(useSetup.getState().problems).toEqual([
      'Turn on the CUPS or the LNS part (or both).',
      'Fix or remove the ids marked in the list.',
    ]);
  });

  it('saves the form as a template of the owner (admins)', async () => {
    const station = installFakeStation()
      .on('templates:save', (r) => ({
        ...template,
        id: 't2',
        name: r.name,
        fields: r.fields as typeof template.fields,
      }))
      .on('templates:list', () => [template]);
    const s = useSetup.getState();
    s.setSource('form');
    s.updateSide('cups', { enabled: true, uri: 'http://10.0.0.2:8080' });
    expect(await useSetup.getState().saveTemplate('1::1', 'Plain CUPS')).toBe(true);
    expect(station.requests('templates:save')).toEqual([
      { ownerId: '1::1', name: 'Plain CUPS', fields: { cupsUri: 'http://10.0.0.2:8080' } },
    ]);
  });
});
