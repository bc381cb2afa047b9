/** Accessible tabs (role=tablist); ←/→ move between tabs, as the ARIA practices describe. */
import type { ReactNode } from 'react';

/** Props of {@link Tabs}. */
interface TabsProps<T extends string> {
  label: string;
  value: T;
  onChange: (value: T) => void;
  tabs: readonly { id: T; title: string }[];
}

/** The tab strip. The panel below is rendered by the caller. */
export function Tabs<T extends string>({ label, value, onChange, tabs }: TabsProps<T>): ReactNode {
  const move = (delta: number): void => {
    const i = tabs.findIndex((t) => t.id === value);
    const next = tabs[(i + delta + tabs.length) % tabs.length];
    if (next) {
      onChange(next.id);
      requestAnimationFrame(() => document.getElementById(`tab-${next.id}`)?.focus());
    }
  };
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t) => (
        <button
          key={t.id}
          id={`tab-${t.id}`}
          type="button"
          role="tab"
          aria-selected={t.id === value}
          tabIndex={t.id === value ? 0 : -1}
          onClick={() => onChange(t.id)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowRight') move(1);
            else if (e.key === 'ArrowLeft') move(-1);
          }}
        >
          {t.title}
        </button>
      ))}
    </div>
  );
}
