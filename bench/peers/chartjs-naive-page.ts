// The peer of `npm run bench -- dashboard`: the same run drawn the naive way with Chart.js 4, as a
// page that fetches the whole metrics.jsonl, parses every row and gives every point of every series
// to Chart.js (default parsing, no decimation): per series the raw line, the debiased EMA line
// (TensorBoard's, weight 0.6, as our page draws by default) and, where the chart has one, the
// min..max band. Animation is off and points are not drawn (Chart.js's defaults would make it far
// slower still; the comparison is about data volume, not defaults). Heat strips and histograms are
// left out: the peer draws less than our page does.
import Chart from 'chart.js/auto';

interface PeerSeries {
  key: string;
  label: string;
  band?: { lo: string; hi: string };
}
interface PeerChart {
  id: string;
  title: string;
  series: PeerSeries[];
}

const COLORS = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700', '#4ec9b0', '#ce9178'];
const WEIGHT = 0.6;

function ema(ys: Array<number | null>): Array<number | null> {
  let last = 0;
  let n = 0;
  return ys.map((y) => {
    if (y === null || !Number.isFinite(y)) return null;
    last = last * WEIGHT + (1 - WEIGHT) * y;
    n++;
    return last / (1 - WEIGHT ** n);
  });
}

async function main(): Promise<void> {
  const [specs, text] = await Promise.all([fetch('/specs.json').then((r) => r.json() as Promise<PeerChart[]>), fetch('/metrics.jsonl').then((r) => r.text())]);
  const rows = text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  const col = (key: string): Array<number | null> => rows.map((r) => (typeof r[key] === 'number' ? (r[key] as number) : null));
  const steps = col('step');
  const grid = document.getElementById('grid')!;
  const charts: Array<{ spec: PeerChart; chart: Chart }> = [];
  for (const spec of specs) {
    const card = document.createElement('div');
    card.className = 'card';
    card.dataset['chart'] = spec.id;
    const h = document.createElement('h3');
    h.textContent = spec.title;
    const box = document.createElement('div');
    box.className = 'box';
    const canvas = document.createElement('canvas');
    box.append(canvas);
    card.append(h, box);
    grid.append(card);
    const datasets: Array<Record<string, unknown>> = [];
    spec.series.forEach((s, i) => {
      const c = COLORS[i % COLORS.length]!;
      const pts = (ys: Array<number | null>) => ys.map((y, j) => ({ x: steps[j], y }));
      if (s.band) {
        datasets.push({ label: `${s.label} min`, data: pts(col(s.band.lo)), borderWidth: 0, pointRadius: 0, fill: false });
        datasets.push({ label: `${s.label} max`, data: pts(col(s.band.hi)), borderWidth: 0, pointRadius: 0, fill: '-1', backgroundColor: `${c}22` });
      }
      const ys = col(s.key);
      datasets.push({ label: `${s.label} (raw)`, data: pts(ys), borderColor: `${c}55`, borderWidth: 1, pointRadius: 0 });
      datasets.push({ label: s.label, data: pts(ema(ys)), borderColor: c, borderWidth: 1.8, pointRadius: 0 });
    });
    charts.push({ spec, chart: new Chart(canvas, { type: 'line', data: { datasets: datasets as never[] }, options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { x: { type: 'linear' } } } }) });
  }
  // A live row the naive way: every series gets its point (the EMA recomputed over the column, as a
  // page holding only rows would) and every chart redraws; resolves after the next frame.
  (window as unknown as { __appendRow: (row: Record<string, unknown>) => Promise<number> }).__appendRow = (row) => {
    const t0 = performance.now();
    rows.push(row);
    const step = row['step'] as number;
    for (const { spec, chart } of charts) {
      let d = 0;
      const put = (y: unknown) => (chart.data.datasets[d++]!.data as Array<{ x: number; y: number | null }>).push({ x: step, y: typeof y === 'number' ? y : null });
      for (const s of spec.series) {
        if (s.band) {
          put(row[s.band.lo]);
          put(row[s.band.hi]);
        }
        put(row[s.key]);
        put(ema(col(s.key)).at(-1));
      }
      chart.update('none');
    }
    return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now() - t0))));
  };
}

void main();
