/**
 * Audio cues of the factory line (docs/factory-line.md): a short rising double beep on success, a long
 * low triple buzz on a blocked unit or a refused scan, one mid beep for a warning. WebAudio
 * oscillators, no sound files; silent where audio is unavailable. Every cue is also recorded on
 * `document.body.dataset.lastCue` (`ok:3`, `error:4`, …) so a test or a support session can see
 * which cue played.
 */

/** The cues. */
type Cue = 'ok' | 'error' | 'warn';

/** Tones of each cue: frequency (Hz), duration (s), oscillator type, gap after (s). */
const TONES: Record<Cue, Array<{ hz: number; s: number; type: OscillatorType; gap: number }>> = {
  ok: [
    { hz: 880, s: 0.08, type: 'sine', gap: 0.04 },
    { hz: 1320, s: 0.12, type: 'sine', gap: 0 },
  ],
  warn: [{ hz: 520, s: 0.2, type: 'triangle', gap: 0 }],
  error: [
    { hz: 196, s: 0.28, type: 'square', gap: 0.08 },
    { hz: 196, s: 0.28, type: 'square', gap: 0.08 },
    { hz: 147, s: 0.45, type: 'square', gap: 0 },
  ],
};

let context: AudioContext | null = null;
let count = 0;

function audio(): AudioContext | null {
  if (context !== null) return context;
  const Ctor =
    (globalThis as { AudioContext?: typeof AudioContext }).AudioContext ??
    (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (Ctor === undefined) return null;
  try {
    context = new Ctor();
  } catch {
    return null;
  }
  return context;
}

/** Plays `cue` (best effort: a browser without audio stays silent). */
export function playCue(cue: Cue): void {
  count++;
  if (typeof document !== 'undefined') document.body.dataset.lastCue = `${cue}:${count}`;
  const ctx = audio();
  if (ctx === null) return;
  void ctx.resume?.().catch(() => undefined);
  let t = ctx.currentTime + 0.01;
  for (const tone of TONES[cue]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = tone.type;
    osc.frequency.value = tone.hz;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(cue === 'error' ? 0.5 : 0.25, t + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + tone.s);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + tone.s + 0.02);
    t += tone.s + tone.gap;
  }
}
