// Colours from the VS Code theme (or the page's own light/dark fallbacks outside VS Code). Canvases
// do not see CSS variables, so charts read them here and redraw when the theme changes (VS Code
// swaps the body class and the variables on the <html> element).

export interface Palette {
  fg: string;
  muted: string;
  grid: string;
  bg: string;
  series: string[];
  heat: (t: number) => string;
  dark: boolean;
}

const css = (name: string, fallback: string): string => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

export function readPalette(): Palette {
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast') || document.body.dataset['theme'] === 'dark';
  return {
    dark,
    fg: css('--vscode-foreground', dark ? '#cccccc' : '#333333'),
    muted: css('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#6c6c6c'),
    grid: css('--vscode-editorWidget-border', dark ? '#454545' : '#d4d4d4'),
    bg: css('--vscode-editorWidget-background', dark ? '#252526' : '#f8f8f8'),
    series: [
      css('--vscode-charts-blue', '#3794ff'),
      css('--vscode-charts-orange', '#d18616'),
      css('--vscode-charts-green', '#89d185'),
      css('--vscode-charts-purple', '#b180d7'),
      css('--vscode-charts-red', '#f14c4c'),
      css('--vscode-charts-yellow', '#cca700'),
      dark ? '#4ec9b0' : '#16825d',
      dark ? '#ce9178' : '#a31515',
    ],
    heat: dark ? (t) => viridis(t) : (t) => viridis(t),
  };
}

/** Viridis (perceptually uniform, readable on dark and light), t in [0, 1]. */
export function viridis(t: number): string {
  const stops = [
    [68, 1, 84],
    [72, 40, 120],
    [62, 74, 137],
    [49, 104, 142],
    [38, 130, 142],
    [31, 158, 137],
    [53, 183, 121],
    [109, 205, 89],
    [180, 222, 44],
    [253, 231, 37],
  ];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [stops[i]!, stops[i + 1]!];
  return `rgb(${Math.round(a[0]! + f * (b[0]! - a[0]!))},${Math.round(a[1]! + f * (b[1]! - a[1]!))},${Math.round(a[2]! + f * (b[2]! - a[2]!))})`;
}

/** A CSS colour with alpha (accepts #rgb, #rrggbb, #rrggbbaa and rgb()). */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  let m = /^#([0-9a-f]{3})$/i.exec(c);
  if (m) {
    const [r, g, b] = m[1]!.split('').map((h) => parseInt(h + h, 16));
    return `rgba(${r},${g},${b},${alpha})`;
  }
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(c);
  if (m) {
    const n = parseInt(m[1]!, 16);
    return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
  }
  m = /^rgba?\(([^)]+)\)$/i.exec(c);
  if (m) {
    const [r, g, b] = m[1]!.split(',').map((s) => s.trim());
    return `rgba(${r},${g},${b},${alpha})`;
  }
  return c;
}

/** Calls back when the VS Code theme (body class / <html> style) or the OS scheme changes. */
export function onThemeChange(cb: () => void): void {
  const mo = new MutationObserver(() => cb());
  mo.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-theme'] });
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', cb);
}
