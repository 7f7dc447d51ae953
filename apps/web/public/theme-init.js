// Runs before the app bundle so the page never flashes the wrong theme. Mirrors src/lib/theme.ts.
(function () {
  var stored = null;
  try {
    stored = window.localStorage.getItem('stead.theme');
  } catch {
    // Storage can be blocked; fall back to the system preference.
  }
  var dark =
    stored === 'dark' ||
    (stored !== 'light' && window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.classList.toggle('dark', dark);
})();
