/** A screen's title row; the title takes focus when the screen opens (keyboard users land on it). */
import { useEffect, useRef, type ReactNode } from 'react';

/** Props of {@link ScreenHeader}. */
interface ScreenHeaderProps {
  title: string;
  children?: ReactNode;
  /** focus this element instead of the title on open (e.g. the first field) */
  focusSelector?: string;
}

/** Renders `<h1>` plus optional actions, and moves focus into the screen when it mounts. */
export function ScreenHeader({ title, children, focusSelector }: ScreenHeaderProps): ReactNode {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const screen = h1.current?.closest('.screen');
    const target = focusSelector ? screen?.querySelector<HTMLElement>(focusSelector) : null;
    (target ?? h1.current)?.focus();
  }, [focusSelector]);
  return (
    <div className="screen-head">
      <h1 ref={h1} tabIndex={-1}>
        {title}
      </h1>
      <span className="spacer" />
      {children}
    </div>
  );
}
