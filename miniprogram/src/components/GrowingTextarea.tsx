import { useEffect, useRef } from 'react';
import { Textarea, type TextareaProps } from '@tarojs/components';

/** The native field inside Taro's H5 <taro-textarea-core>, sized to show all of its content. */
function fit(host: unknown) {
  const ta = (host as { querySelector?: (s: string) => HTMLTextAreaElement | null } | null)?.querySelector?.('textarea');
  if (!ta) return;
  ta.style.height = 'auto';
  ta.style.height = `${ta.scrollHeight}px`;
}

/**
 * A multi-line field that grows with its content, so nothing the owner wrote is hidden while
 * editing. weapp: the native `autoHeight`. H5: Taro's textarea only counts lines while the user
 * types — a value the page sets (an FAQ opened for editing, a draft) stays one line tall with the
 * rest scrolled out of sight — so the field is sized to its content after every change as well.
 */
export default function GrowingTextarea(props: TextareaProps) {
  const ref = useRef<unknown>(null);
  const { value } = props;

  useEffect(() => {
    if (process.env.TARO_ENV !== 'h5') return;
    // the web component renders the new value on its own schedule: measure after it has
    let second = 0;
    const first = requestAnimationFrame(() => {
      fit(ref.current);
      second = requestAnimationFrame(() => fit(ref.current));
    });
    return () => {
      cancelAnimationFrame(first);
      cancelAnimationFrame(second);
    };
  }, [value]);

  return <Textarea {...props} ref={ref as never} autoHeight />;
}
