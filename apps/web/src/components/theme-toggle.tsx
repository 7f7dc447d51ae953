import { MonitorIcon, MoonIcon, SunIcon } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button.tsx';
import { applyTheme, nextThemePreference, readThemePreference, storeThemePreference, type ThemePreference } from '@/lib/theme.ts';

const labels: Record<ThemePreference, string> = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };

export function ThemeToggle() {
  const [preference, setPreference] = useState<ThemePreference>(readThemePreference);

  useEffect(() => {
    if (preference !== 'system') return;
    // Follow the operating system while the preference is "system".
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const listener = () => applyTheme('system');
    media.addEventListener('change', listener);
    return () => media.removeEventListener('change', listener);
  }, [preference]);

  const Icon = preference === 'light' ? SunIcon : preference === 'dark' ? MoonIcon : MonitorIcon;
  const next = nextThemePreference(preference);
  return (
    <Button
      variant="ghost"
      size="icon"
      title={`${labels[preference]} (switch to ${labels[next].toLowerCase()})`}
      aria-label={`Theme: ${labels[preference]}. Switch to ${labels[next].toLowerCase()}`}
      onClick={() => {
        storeThemePreference(next);
        setPreference(next);
      }}
    >
      <Icon aria-hidden />
    </Button>
  );
}
