// The as-run log: what each station played, and when, with a CSV export.
import { $, api, badge, cell, loaders, t, wallTime, when } from './ui.js';
import { playsChart } from './charts.js';

async function loadAsrun() {
  if (!$('asrun-since').value) $('asrun-since').value = wallTime(Date.now() - 7 * 86400000).slice(0, 10);
  const since = $('asrun-since').value;
  const q = since ? `since=${encodeURIComponent(since)}&` : '';
  $('asrun-csv').href = `/api/v1/asrun?${q}format=csv`;
  const { items } = await api(`/api/v1/asrun?${q}limit=500`);
  $('asrun-rows').replaceChildren(...items.slice().reverse().map((r) => {
    const tr = document.createElement('tr');
    const st = document.createElement('td'); st.append(badge(r.outcome));
    // Proof of play: the loudness that came out of the station, or dead air.
    const level = document.createElement('td');
    if (r.dead_air) level.append(badge('dead air'));
    else level.textContent = r.loudness_dbfs == null ? '—' : `${r.loudness_dbfs.toFixed(1)} dBFS`;
    // A live play on a station that lost its lock on the controller's clock may have
    // sounded out of step with its neighbours.
    if (r.clock_locked === false) level.append(' ', badge('clock not locked'));
    tr.append(cell(r.station_id), cell(r.broadcast_id), cell(when(r.planned_start_ms)), cell(r.actual_start_ms ? when(r.actual_start_ms) : '—', 'wide'), st,
              level, cell(r.detail, 'muted wide'));
    return tr;
  }));
}
// Plays by zone and day over the same range (the report's own figures, in the
// controller's zone): a zone that went quiet shows as a gap.
function loadPlaysChart() {
  const from = $('asrun-since').value;
  return playsChart($('asrun-chart'), 'chart-plays', from ? `&from=${encodeURIComponent(from)}` : '',
                    t('Số lần phát theo vùng và ngày', 'Plays by zone and day'));
}
const loadAll = () => Promise.all([loadAsrun(), loadPlaysChart()]);
$('asrun-since').onchange = loadAll;
loaders.asrun = loadAll;

