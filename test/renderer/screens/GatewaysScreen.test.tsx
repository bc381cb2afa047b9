// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayRow } from '../../../src-shared/ipc';
import { GatewaysScreen } from '../../../src-renderer/screens/GatewaysScreen';
import { useGateways } from '../../../src-renderer/stores/gateways-store';
import { useSession } from '../../../src-renderer/stores/session-store';
import { installFakeStation } from '../fake-station';

const hex = (i: number) => (0x58a0cbfffe000000n + BigInt(i)).toString(16).toUpperCase().padStart(16, '0');
const row = (i: number): GatewayRow => ({
  gateway: `gw-${i}`,
  eui: hex(i).match(/../g)!.join('-'),
  owner: '1::1',
  origin: 'batch',
  claimedAt: '2026-01-01T00:00:00Z',
  configured: i % 2 === 0,
  lastContactAt: null,
  lastOutcome: i === 1 ? 'unauthorized' : null,
});

function station(total: number) {
  return installFakeStation()
    .on('gateways:query', (r) => {
      const n = r.search ? 1 : total;
      const rows = [];
      for (let i = r.offset; i < Math.min(n, r.offset + r.limit); i++) rows.push(row(r.search ? 77 : i));
      return { total: n, offset: r.offset, rows, elapsedMs: 4 };
    })
    .on('gateways:info', (r) =>
      r.gateways.map((g) => ({
        gateway: g,
        info: {
          gateway: g,
          eui: '58-A0-CB-FF-FE-00-00-4D',
          owner: '1::1',
          origin: 'batch' as const,
          batch: 'b1',
          claimed: true,
          claimedAt: '2026-01-01T00:00:00Z',
          setup: {
            cups: {
              uri: null,
              mode: 'token' as const,
              trustSet: true,
              certSet: false,
              keySet: true,
              crc: 0x8bfefa38,
            },
            lns: {
              uri: 'wss://lns:443',
              mode: 'token' as const,
              trustSet: true,
              certSet: false,
              keySet: true,
              crc: 1,
            },
            updatedAt: '2026-01-02T00:00:00Z',
          },
          tokenGeneration: 1,
          rotation: {
            state: 'in_flight' as const,
            generation: 1,
            target: 2,
            history: [
              {
                from: 0,
                to: 1,
                startedAt: '2026-01-02T00:00:00Z',
                startedBy: 'op:ann',
                completedAt: '2026-01-02T01:00:00Z',
                completedHow: 'crc' as const,
              },
              {
                from: 1,
                to: 2,
                startedAt: '2026-01-04T00:00:00Z',
                startedBy: 'key:ops',
                completedAt: null,
                completedHow: null,
              },
            ],
          },
          firmware: {
            fwcrc: 0x1234abcd,
            fwafter: null,
            state: 'no_matching_key' as const,
            detail: 'no stored signature verifies with a key the gateway reported (keys: none)',
            sentAt: null,
            keyCrc: null,
            packageBefore: null,
            packageAfter: null,
          },
          lastContact: {
            at: '2026-01-03T00:00:00Z',
            address: '10.0.0.9',
            outcome: 'ok',
            station: '2.0.6(corecell/std)',
            model: 'corecell',
            package: '1.0.0',
            cupsCredCrc: 0x8bfefa38,
            tcCredCrc: 2,
            keys: [],
          },
        },
      })),
    )
    .on('audit:list', () => [
      {
        id: 1,
        at: '2026-01-01T00:00:00Z',
        actor: 'op:ann',
        address: null,
        action: 'claim',
        target: 'gw-77',
        detail: {},
      },
    ]);
}

beforeEach(() => {
  useGateways.setState(useGateways.getInitialState(), true);
  useSession.setState({ ownerId: '1::1', session: null });
});
afterEach(cleanup);

describe('GatewaysScreen', () => {
  it('shows the total of 100 000 rows but renders only a window of them', async () => {
    station(100_000);
    render(<GatewaysScreen />);
    await screen.findByText('100,000 gateways · 4 ms');
    await screen.findByText('gw-0');
    expect(screen.getAllByRole('row').length).toBeLessThan(40);
  });

  it('filters on the server by any id form and opens the detail with setup masked and CRCs compared', async () => {
    const s = station(100_000);
    render(<GatewaysScreen />);
    await screen.findByText('gw-0');
    fireEvent.change(screen.getByLabelText('Search gateways'), { target: { value: 'b8:27:eb:12:34:56' } });
    await screen.findByText('1 gateway · 4 ms');
    expect(s.requests('gateways:query').at(-1)).toMatchObject({
      search: 'b8:27:eb:12:34:56',
      ownerId: '1::1',
      offset: 0,
    });
    fireEvent.click(await screen.findByText('gw-77'));
    const panel = await screen.findByRole('complementary', { name: 'Gateway gw-77' });
    await waitFor(() => expect(panel.textContent).toContain('gateway in sync'));
    expect(panel.textContent).toContain('gateway reports 0x00000002');
    expect(panel.textContent).toContain('secrets are never shown');
    expect(panel.textContent).toContain('2.0.6(corecell/std)');
    expect(panel.textContent).toContain('op:ann');
    // token rotation: state and history
    const rotation = within(panel).getByLabelText('Token rotation');
    expect(rotation.textContent).toContain('in flight');
    expect(rotation.textContent).toContain('generations 1 and 2 both accepted');
    const history = within(panel).getByRole('table', { name: 'Rotation history' });
    expect(
      within(history)
        .getAllByRole('row')
        .map((r) => r.textContent),
    ).toEqual([
      'GenerationStartedCompleted',
      expect.stringMatching(/^0 → 1.*op:ann.*the gateway reported the new credential CRC$/),
      expect.stringMatching(/^1 → 2.*key:ops.*not yet$/),
    ]);
    // firmware: state and why
    const firmware = within(panel).getByLabelText('Firmware');
    expect(firmware.textContent).toContain('0x1234ABCD');
    expect(firmware.textContent).toContain('no matching key');
    expect(firmware.textContent).toContain('no stored signature verifies with a key the gateway reported');
    act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Close detail' }));
    });
    expect(screen.queryByRole('complementary')).toBeNull();
  });
});
