/** The theme a person picked; 'system' follows the operating system. Stored in localStorage. */
export type ThemePreference = 'light' | 'dark' | 'system';

/** Must match public/theme-init.js, which applies the theme before the bundle loads. */
export const THEME_STORAGE_KEY = 'stead.theme';

export function parseThemePreference(value: string | null | undefined): ThemePreference {
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function resolveTheme(preference: ThemePreference, systemPrefersDark: boolean): 'light' | 'dark' {
  if (preference === 'system') return systemPrefersDark ? 'dark' : 'light';
  return preference;
}

/** Order the header toggle cycles through. */
export function nextThemePreference(current: ThemePreference): ThemePreference {
  const order: ThemePreference[] = ['system', 'light', 'dark'];
  return order[(order.indexOf(current) + 1) % order.length] ?? 'system';
}

function systemPrefersDark(): boolean {
  return typeof window !== 'undefined' && window.matchMedia('(prefers-color-scheme: dark)').matches;
}

export function readThemePreference(): ThemePreference {
  try {
    return parseThemePreference(window.localStorage.getItem(THEME_STORAGE_KEY));
  } catch {
    return 'system';
  }
}

export function applyTheme(preference: ThemePreference): void {
  const dark = resolveTheme(preference, systemPrefersDark()) === 'dark';
  document.documentElement.classList.toggle('dark', dark);
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', dark ? '#09090b' : '#ffffff');
}

export function storeThemePreference(preference: ThemePreference): void {
  try {
    if (preference === 'system') window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, preference);
  } catch {
    // Private browsing can refuse storage; the theme still applies for this page.
  }
  applyTheme(preference);
}
