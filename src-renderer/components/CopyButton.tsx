/** A button that copies a text to the clipboard and says so. */
import { useState, type ReactNode } from 'react';

/** Props of {@link CopyButton}. */
interface CopyButtonProps {
  text: string;
  label?: string;
}

/**
 * Copies `text` with the async Clipboard API; where that is refused (insecure context, denied
 * permission) it falls back to selecting a hidden textarea and `execCommand('copy')`.
 */
export function CopyButton({ text, label = 'Copy' }: CopyButtonProps): ReactNode {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      const area = document.createElement('textarea');
      area.value = text;
      document.body.appendChild(area);
      area.select();
      const ok = typeof document.execCommand === 'function' && document.execCommand('copy');
      area.remove();
      setState(ok ? 'copied' : 'failed');
    }
  };
  return (
    <button type="button" className="btn secondary" onClick={() => void copy()}>
      {state === 'copied' ? 'Copied ✓' : state === 'failed' ? 'Select and copy by hand' : label}
    </button>
  );
}
