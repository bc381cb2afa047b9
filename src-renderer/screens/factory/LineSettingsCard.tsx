/**
 * The line settings of this station (docs/factory-line.md): the output folder (a folder or a removable
 * drive), zip, the post-write hook (command, arguments with {bundle}/{eui}/{zip}, timeout), the
 * printer (raw TCP 9100 or USB) and the label template, picked from the templates the station has.
 * Admins edit; everyone else reads.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { useLine } from '../../stores/factory-line';
import { tryCall } from '../../api';
import type {
  LabelTemplateSummary,
  LineSettings,
  LineSettingsInput,
} from '../../../src-shared/factory-channels';
import { Field, TextField } from '../../components/Field';

interface Draft {
  outDir: string;
  zip: boolean;
  hookCommand: string;
  hookArgs: string;
  hookTimeout: string;
  printer: 'none' | 'tcp9100' | 'usb';
  host: string;
  port: string;
  template: string;
}

function draftOf(s: LineSettings | null): Draft {
  return {
    outDir: s?.outDir ?? '',
    zip: s?.zip ?? false,
    hookCommand: s?.hook?.command ?? '',
    hookArgs: s?.hook?.args.join('\n') ?? '',
    hookTimeout: String(s?.hook?.timeoutMs ?? 30000),
    printer: s?.printer.kind ?? 'none',
    host: s?.printer.kind === 'tcp9100' ? s.printer.host : '',
    port: s?.printer.kind === 'tcp9100' ? String(s.printer.port) : '9100',
    template: s?.template ?? 'default-50x30',
  };
}

/** The settings a draft describes. */
function settingsOfDraft(d: Draft): LineSettingsInput {
  return {
    outDir: d.outDir.trim(),
    zip: d.zip,
    hook:
      d.hookCommand.trim() === ''
        ? null
        : {
            command: d.hookCommand.trim(),
            args: d.hookArgs.split('\n').filter((a) => a.trim() !== ''),
            timeoutMs: Number(d.hookTimeout) || 30000,
          },
    printer:
      d.printer === 'tcp9100'
        ? { kind: 'tcp9100', host: d.host.trim(), port: Number(d.port) || 9100 }
        : { kind: d.printer },
    template: d.template.trim() || 'default-50x30',
  };
}

/** Settings card; `canEdit` for admins. */
export function LineSettingsCard({ canEdit }: { canEdit: boolean }): ReactNode {
  const { settings, station, settingsError, saveSettings } = useLine();
  const [draft, setDraft] = useState<Draft>(() => draftOf(settings));
  const [saved, setSaved] = useState(false);
  const [templates, setTemplates] = useState<LabelTemplateSummary[] | null>(null);
  useEffect(() => {
    let live = true;
    void tryCall('factory:labelTemplates', {}).then((r) => {
      if (live && r.ok) setTemplates(r.value);
    });
    return () => {
      live = false;
    };
  }, []);
  // a stored name the station no longer has stays visible (and is refused on save)
  const missing = templates !== null && !templates.some((t) => t.name === draft.template);
  // open while there are no settings; afterwards the operator opens and closes it
  const [open, setOpen] = useState(false);
  useEffect(() => setDraft(draftOf(settings)), [settings]);
  useEffect(() => {
    if (settings === null && station !== null) setOpen(true);
  }, [settings, station]);
  const patch = (p: Partial<Draft>) => {
    setDraft({ ...draft, ...p });
    setSaved(false);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(await saveSettings(settingsOfDraft(draft)));
  };
  return (
    <details className="card" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <strong>Line settings</strong> <span className="muted">station {station ?? '…'}</span>
      </summary>
      <form
        className="stack"
        onSubmit={(e) => void submit(e)}
        aria-label="Line settings"
        style={{ marginTop: 10 }}
      >
        <fieldset disabled={!canEdit} className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
          <TextField
            label="Output folder (or removable drive)"
            value={draft.outDir}
            onChange={(outDir) => patch({ outDir })}
            input={{ id: 'line-outdir', className: 'mono' }}
          />
          <label className="row gap">
            <input type="checkbox" checked={draft.zip} onChange={(e) => patch({ zip: e.target.checked })} />{' '}
            Also write a zip per bundle
          </label>
          <Field label="Printer">
            <select
              id="line-printer"
              value={draft.printer}
              onChange={(e) => patch({ printer: e.target.value as Draft['printer'] })}
            >
              <option value="none">none (no label)</option>
              <option value="tcp9100">network (raw TCP 9100)</option>
              <option value="usb">USB printer</option>
            </select>
          </Field>
          {draft.printer === 'tcp9100' && (
            <div className="row gap">
              <TextField
                label="Host"
                value={draft.host}
                onChange={(host) => patch({ host })}
                input={{ id: 'line-printer-host' }}
              />
              <TextField
                label="Port"
                value={draft.port}
                onChange={(port) => patch({ port })}
                input={{ id: 'line-printer-port', style: { width: 90 } }}
              />
            </div>
          )}
          <Field label="Label template">
            <select
              id="line-template"
              value={draft.template}
              onChange={(e) => patch({ template: e.target.value })}
            >
              {(templates === null || missing) && (
                <option value={draft.template}>
                  {draft.template}
                  {missing ? ' (not on this station)' : ''}
                </option>
              )}
              {(templates ?? []).map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name} — {t.widthMm}×{t.heightMm} mm, {t.dpi} dpi
                </option>
              ))}
            </select>
          </Field>
          <TextField
            label="Post-write hook (command, run without a shell; empty = none)"
            value={draft.hookCommand}
            onChange={(hookCommand) => patch({ hookCommand })}
            input={{ className: 'mono', placeholder: '/usr/local/bin/flash-gateway' }}
          />
          {draft.hookCommand.trim() !== '' && (
            <>
              <Field
                label={
                  <>
                    Arguments, one per line ({'{bundle}'}, {'{eui}'}, {'{zip}'}; else the bundle path is
                    appended)
                  </>
                }
              >
                <textarea
                  className="mono"
                  rows={3}
                  value={draft.hookArgs}
                  onChange={(e) => patch({ hookArgs: e.target.value })}
                />
              </Field>
              <TextField
                label="Timeout (ms)"
                value={draft.hookTimeout}
                onChange={(hookTimeout) => patch({ hookTimeout })}
                input={{ style: { width: 120 } }}
              />
            </>
          )}
        </fieldset>
        {canEdit ? (
          <div className="row gap">
            <button type="submit" className="btn secondary" id="line-settings-save">
              Save settings
            </button>
            {saved && <span className="good">Saved.</span>}
          </div>
        ) : (
          <Notice kind="info">Only an admin changes the line settings.</Notice>
        )}
        <ErrorNotice error={settingsError} context="factory" />
      </form>
    </details>
  );
}
