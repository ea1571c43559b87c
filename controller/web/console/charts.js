// Bar charts that read (Chart.js from the system): a title, both axes named with their
// units, one colour per series; redrawn in place when the data change. The station's
// line charts are in station.js; these serve the alerts and the as-run pages.
import { api, t } from './ui.js';

const kColours = ['#1d3557', '#2a9d8f', '#e76f51', '#6a4c93', '#8a5a00', '#3a86ff'];
const drawn = new Map();  // canvas id -> Chart

// Draws (or redraws) a bar chart into `box` as canvas `id`:
//   labels: along the bottom; series: [{ label, values }]; x, y: the axes' names.
export function barChart(box, id, { title, labels, series, x, y, stacked = false }) {
  if (!window.Chart) {
    box.textContent = t('Biểu đồ cần gói libjs-chart.js trên máy chủ', 'Charts need the libjs-chart.js package on the controller');
    return null;
  }
  const datasets = series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: kColours[i % kColours.length],
                                           key: s.key }));
  const options = {
    animation: false, responsive: true, maintainAspectRatio: false,
    plugins: { title: { display: true, text: title }, legend: { display: series.length > 1, position: 'bottom' } },
    scales: { x: { stacked, title: { display: true, text: x } }, y: { stacked, beginAtZero: true, title: { display: true, text: y } } },
  };
  const existing = drawn.get(id);
  if (existing && existing.canvas.isConnected) {
    existing.data.labels = labels;
    existing.data.datasets = datasets;
    existing.options = options;
    existing.update('none');
    return existing;
  }
  const figure = document.createElement('figure');
  figure.className = 'chart';
  const canvas = document.createElement('canvas');
  canvas.id = id;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', title);
  figure.append(canvas);
  box.replaceChildren(figure);
  const chart = new Chart(canvas, { type: 'bar', data: { labels, datasets }, options });
  drawn.set(id, chart);
  return chart;
}

// The plays report (`/api/v1/reports/plays?by=zone&period=day…`, `query` adds the rest)
// as bars by day, a stack per zone: its own figures, days in the controller's zone.
export async function playsChart(box, id, query, title) {
  const report = await api(`/api/v1/reports/plays?by=zone&period=day${query}`);
  const days = [...new Set(report.items.map((r) => r.period))].sort();
  const zones = [...new Map(report.items.map((r) => [r.key, r.name || r.key])).entries()];
  return barChart(box, id, {
    title, labels: days,
    series: zones.map(([key, name]) => ({ key, label: name,
      values: days.map((d) => report.items.find((r) => r.key === key && r.period === d)?.plays ?? 0) })),
    x: `${t('Ngày', 'Day')} (${report.tz || ''})`, y: t('Số lần phát', 'Plays'), stacked: true });
}
