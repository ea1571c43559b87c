// A station: readings, compliance, alarms and charts of its readings; silent test, amplifier
// switch, and the licence the controller keeps for it.
import { $, alarmText, api, button, cell, formatTime, has, loaders, onLeave, post, severityText, t, timeZone, when, zoneOffset } from './ui.js';

// The readings charted, each with its unit; forward and reflected power share one chart.
const kCharts = [
  { id: 'temperature', title: ['Nhiệt độ', 'Temperature'], axis: ['Nhiệt độ', 'Temperature'], unit: '°C', series: ['temperature_c'] },
  { id: 'power', title: ['Công suất phát và phản xạ', 'Forward and reflected power'], axis: ['Công suất', 'Power'], unit: 'W',
    series: ['forward_power_w', 'reflected_power_w'] },
  { id: 'vswr', title: ['Tỷ số sóng đứng', 'Standing wave ratio'], axis: ['VSWR', 'VSWR'], unit: ':1', series: ['vswr'] },
  { id: 'mains', title: ['Điện lưới', 'Mains'], axis: ['Điện áp', 'Voltage'], unit: 'V', series: ['mains_voltage_v'] },
  { id: 'battery', title: ['Ắc quy', 'Battery'], axis: ['Điện áp', 'Voltage'], unit: 'V', series: ['battery_voltage_v'] },
  { id: 'charge', title: ['Dung lượng ắc quy', 'Battery charge'], axis: ['Dung lượng', 'Charge'], unit: '%', series: ['battery_soc_pct'] },
  { id: 'hours-left', title: ['Thời gian còn lại của ắc quy', 'Battery time left'], axis: ['Thời gian', 'Time'], unit: 'h',
    series: ['battery_hours_left'] },
  { id: 'currents', title: ['Dòng sạc và dòng tải', 'Charging and load current'], axis: ['Dòng điện', 'Current'], unit: 'A',
    series: ['charging_current_a', 'load_current_a'] },
];
const kSeriesNames = { temperature_c: ['nhiệt độ', 'temperature'], forward_power_w: ['phát', 'forward'],
  reflected_power_w: ['phản xạ', 'reflected'], vswr: ['VSWR', 'VSWR'], mains_voltage_v: ['lưới', 'mains'],
  battery_voltage_v: ['ắc quy', 'battery'], battery_soc_pct: ['dung lượng', 'charge'],
  battery_hours_left: ['còn lại', 'time left'], charging_current_a: ['sạc', 'charging'], load_current_a: ['tải', 'load'] };
const kNotDraining = 1000;  // battery_hours_left while the battery is not draining
const kColours = ['#1d3557', '#2a9d8f', '#e76f51', '#6a4c93', '#8a5a00', '#3a86ff'];
const charts = new Map();  // chart id -> Chart

// One chart per kind of reading the station has: a line per device and reading, time
// along the bottom in the controller's zone, the unit up the side, and each alarm rule's
// threshold drawn across as a dashed line named after it.
function drawCharts(items, limits) {
  const box = $('station-charts');
  if (!window.Chart) {
    box.textContent = t('Biểu đồ cần gói libjs-chart.js trên máy chủ', 'Charts need the libjs-chart.js package on the controller');
    return;
  }
  const t0 = items.length ? items[0].measured_at_ms : Date.now();
  const t1 = items.length ? items[items.length - 1].measured_at_ms : Date.now();
  for (const spec of kCharts) {
    const datasets = [];
    let colour = 0;
    for (const quantity of spec.series) {
      const byDevice = {};
      for (const p of items) {
        if (typeof p[quantity] !== 'number') continue;
        if (quantity === 'battery_hours_left' && p[quantity] >= kNotDraining) continue;  // charging: nothing to chart
        (byDevice[p.device_id] ||= []).push({ x: p.measured_at_ms, y: p[quantity] });
      }
      for (const [device, data] of Object.entries(byDevice)) {
        const c = kColours[colour++ % kColours.length];
        datasets.push({ label: `${device} ${t(...kSeriesNames[quantity])}`, data, borderColor: c, backgroundColor: c,
                        pointRadius: 0, borderWidth: 2, quantity, device });
      }
    }
    const existing = charts.get(spec.id);
    if (!datasets.length) {
      if (existing) { existing.destroy(); charts.delete(spec.id); document.getElementById('chart-' + spec.id)?.parentElement.remove(); }
      continue;
    }
    for (const l of limits.filter((l) => spec.series.includes(l.quantity))) {
      for (const [edge, value] of [['above', l.above], ['below', l.below]]) {
        if (typeof value !== 'number') continue;
        datasets.push({ label: `${t('Ngưỡng báo động', 'Alarm threshold')} ${l.device_id}: ${edge === 'above' ? '>' : '<'} ${value} ${spec.unit} (${l.alarm_id})`,
                        data: [{ x: t0, y: value }, { x: t1, y: value }], borderColor: l.severity === 'critical' ? '#c1121f' : '#d9a400',
                        borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, threshold: { ...l, value } });
      }
    }
    const title = `${t(...spec.title)} (${spec.unit})`;
    const options = {
      animation: false, responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
      plugins: { title: { display: true, text: title }, legend: { position: 'bottom', labels: { boxWidth: 12 } },
                 tooltip: { callbacks: { title: (ctx) => formatTime(ctx[0].parsed.x) } } },
      scales: {
        x: { type: 'linear', min: t0, max: Math.max(t1, t0 + 1),
             title: { display: true, text: `${t('Giờ', 'Time')} (${timeZone()}, ${zoneOffset(t1)})` },
             ticks: { maxTicksLimit: 8, callback: (v) => formatTime(v, t1 - t0 > 36 * 3600 * 1000
               ? { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: undefined }
               : { hour: '2-digit', minute: '2-digit', second: t1 - t0 < 3600 * 1000 ? '2-digit' : undefined, hourCycle: 'h23', timeZoneName: undefined }) } },
        y: { title: { display: true, text: `${t(...spec.axis)} (${spec.unit})` } },
      },
    };
    if (existing) {
      existing.data.datasets = datasets;
      existing.options = options;
      existing.update('none');
      continue;
    }
    const figure = document.createElement('figure');
    figure.className = 'chart';
    const canvas = document.createElement('canvas');
    canvas.id = 'chart-' + spec.id;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', title);
    figure.append(canvas);
    box.append(figure);
    charts.set(spec.id, new Chart(canvas, { type: 'line', data: { datasets }, options }));
  }
}
function clearCharts() {
  for (const c of charts.values()) c.destroy();
  charts.clear();
  $('station-charts').replaceChildren();
}
// The station's open alarms, newest first, each with when it was raised; a technician
// acknowledges one here (on a phone, at the foot of the pole).
function showAlarms(id, alarms) {
  const items = [...alarms].sort((a, b) => b.raised_ms - a.raised_ms).map((a) => {
    const li = document.createElement('li'); li.className = a.severity; li.dataset.alarm = a.alarm_id;
    li.append(`${severityText(a.severity)}: ${alarmText(a)} `,
              Object.assign(document.createElement('span'), { className: 'muted', textContent: when(a.raised_ms) }));
    if (a.acknowledged_by) {
      li.append(' ', Object.assign(document.createElement('span'), { className: 'muted ack',
        textContent: t(`— ${a.acknowledged_by} đã biết`, `— acknowledged by ${a.acknowledged_by}`) }));
    } else if (has('technician')) {
      li.append(' ', button(t('Đã biết', 'Acknowledge'), async (ev) => {
        ev.target.disabled = true;
        await post(`/api/v1/stations/${encodeURIComponent(id)}/alarms/${encodeURIComponent(a.alarm_id)}/ack`, {})
          .catch((e) => { $('station-result').textContent = e.message; });
        showStation(id).catch(() => {});
      }));
    }
    return li;
  });
  if (!items.length) items.push(Object.assign(document.createElement('li'), { className: 'none', textContent: t('Không có báo động', 'No open alarms') }));
  $('station-alarms').replaceChildren(...items);
}
async function showStation(id) {
  const h = await api(`/api/v1/stations/${encodeURIComponent(id)}/health`);
  const num = (v, digits = 1) => (typeof v === 'number' ? v.toFixed(digits) : '—');
  $('station-devices').replaceChildren(...(h.devices || []).map((d) => {
    const tr = document.createElement('tr');
    tr.append(cell(d.device_id), cell(d.reachable ? 'yes' : 'NO'), cell(num(d.temperature_c)), cell(num(d.forward_power_w)),
              cell(num(d.reflected_power_w)), cell(d.carrier_khz ?? '—', 'wide'),
              cell(d.band_compliant === undefined ? '—' : (d.band_compliant ? 'yes' : 'NO'), 'wide'));
    return tr;
  }));
  // The station's clock against the controller's: whether stations sound together.
  const clock = h.clock ? ` · ${t('Đồng hồ', 'Clock')}: ${h.clock.clock_locked ? t('khớp', 'locked') : t('CHƯA KHỚP', 'NOT LOCKED')}` +
    ` (${num(h.clock.clock_offset_ms)} ms, RTT ${num(h.clock.clock_rtt_ms)} ms)` : '';
  $('station-compliance').textContent =
    (h.compliance ? `${t('Tuân thủ băng tần', 'Band compliance')}: ${complianceText(h.compliance)}` : '') + clock;
  showAlarms(id, h.alarms || []);
  // Long ranges are thinned by the server's limit; the chart shows the shape.
  const hours = Number($('station-range').value);
  const telemetry = await api(`/api/v1/stations/${encodeURIComponent(id)}/telemetry?since_ms=${Date.now() - hours * 3600 * 1000}&limit=10000`);
  drawCharts(telemetry.items || [], h.limits || []);
}
// Compliance in words, and when it is unknown, why.
function complianceText(c) {
  const status = { compliant: t('đúng băng tần', 'compliant'), violation: t('VI PHẠM', 'VIOLATION'),
                   unknown: t('chưa rõ', 'unknown') }[c.status] || c.status;
  if (c.status !== 'unknown' || !c.reason) return status;
  const why = { no_reading: t('trạm chưa gửi số đo nào', 'no reading from the station yet'),
                no_transmitter: t('trạm không có máy phát (không thiết bị nào báo tần số)', 'no transmitter on this station (no device reports a carrier)'),
                transmitter_unreachable: t('máy phát không trả lời', 'the transmitter does not answer its polls'),
                no_licence: t('trạm chưa có giấy phép và quy hoạch băng tần để so', 'no licence and band plan to check against') }[c.reason.code] || c.reason.message;
  return `${status} — ${why}`;
}

// A silent test's checks, one line each: what was checked on which device, and how it went.
const kCheckNames = { reachable: ['liên lạc Modbus', 'answers Modbus'], power_on: ['đang bật', 'powered on'],
  pll_lock: ['khóa tần số (PLL)', 'PLL locked'], vswr: ['VSWR trong giới hạn', 'VSWR within limit'], fault: ['không báo lỗi', 'no fault'],
  audio: ['âm thanh tới bộ khuếch đại (CHƯA KIỂM TRA)', 'sound reaching the amplifier (NOT CHECKED)'],
  loudspeakers: ['loa (CHƯA KIỂM TRA)', 'loudspeakers (NOT CHECKED)'], receivers: ['máy thu (CHƯA KIỂM TRA)', 'receivers (NOT CHECKED)'] };
function showChecks(checks) {
  $('station-checks').replaceChildren(...(checks || []).map((c) => {
    const [device, what] = c.name.split('.');
    const li = document.createElement('li');
    li.className = c.unchecked ? 'unchecked' : (c.passed ? 'pass' : 'fail');
    li.dataset.check = c.name;
    li.textContent = `${c.unchecked ? '–' : (c.passed ? '✔' : '✘')} ${device}: ${kCheckNames[what] ? t(...kCheckNames[what]) : what} — ${c.detail}`;
    return li;
  }));
}
async function stationCommand(body, label) {
  const id = $('station-id').textContent;
  $('station-result').textContent = `${label}…`;
  showChecks([]);
  try {
    let c = await post(`/api/v1/stations/${encodeURIComponent(id)}/commands`, body);
    for (let i = 0; i < 100 && c.state === 'pending'; ++i) {
      await new Promise((r) => setTimeout(r, 200));
      c = await api(`/api/v1/commands/${encodeURIComponent(c.id)}`);
    }
    $('station-result').textContent = `${label}: ${c.state}${c.detail ? ' — ' + c.detail : ''}`;
    showChecks(c.checks);
    if (c.checks?.length) $('station-checks').scrollIntoView({ block: 'center' });  // on a phone, above the thumb
  } catch (e) { $('station-result').textContent = `${label}: ${e.message}`; }
}
$('station-silent-test').onclick = () => stationCommand({ type: 'silent_test' }, t('Kiểm tra không tiếng', 'Silent test'));
$('station-amp-on').onclick = () => stationCommand({ type: 'set_amplifier', on: true }, t('Bật khuếch đại', 'Amplifier on'));
$('station-amp-off').onclick = () => {
  if (confirm(t('Tắt khuếch đại? Trạm sẽ im lặng.', 'Switch the amplifier off? The station goes silent.'))) {
    stationCommand({ type: 'set_amplifier', on: false }, t('Tắt khuếch đại', 'Amplifier off'));
  }
};
// The licence the controller keeps, and whether the station checks against it yet.
// The hardware configurations the controller keeps for the station: which one it runs,
// whether it drifted from the newest, and how each push went.
async function showConfig(id) {
  const [c, station] = await Promise.all([api(`/api/v1/stations/${encodeURIComponent(id)}/config`),
                                          api(`/api/v1/stations/${encodeURIComponent(id)}`)]);
  // The agent release it runs (loactl update), as it said at its last hello.
  $('station-software').textContent = `${t('Phần mềm trạm', 'Station software')}: loa-agent ${station.software_version || '—'}`;
  const versions = c.items || [];
  const running = versions.find((v) => v.running);
  const newest = versions[0];
  let text = t('Chưa có cấu hình nào lưu trên máy chủ', 'No configuration kept on the controller');
  if (newest) {
    text = running ? `${t('Đang chạy', 'Running')} v${running.version}` : t('Trạm không chạy phiên bản nào đã lưu', 'The station runs none of the versions kept');
    if (!running || running.version !== newest.version) {
      text += ` — ${t('LỆCH CẤU HÌNH: mới nhất là', 'DRIFT: the newest is')} v${newest.version}`;
    }
  }
  $('station-config').textContent = text;
  $('station-config').classList.toggle('warn', !!newest && (!running || running.version !== newest.version));
  $('station-config-versions').replaceChildren(...versions.map((v) => {
    const tr = document.createElement('tr');
    const delivery = { pending: t('đang gửi', 'sending'), applied: t('đã áp dụng', 'applied'),
                       rejected: t('TRẠM TỪ CHỐI', 'REFUSED BY THE STATION'), failed: t('LỖI', 'FAILED') }[v.delivery] || v.delivery;
    tr.append(cell(`v${v.version}${v.running ? ' ✔' : ''}`), cell(formatTime(v.created_ms)), cell(v.created_by),
              cell(v.delivery_detail ? `${delivery} — ${v.delivery_detail}` : delivery), cell(v.note || '—'));
    return tr;
  }));
}
async function showLicence(id, fillForm) {
  let l = null;
  try { l = await api(`/api/v1/stations/${encodeURIComponent(id)}/licence`); } catch (e) { if (e.status !== 404) throw e; }
  if (!l) { $('station-licence').textContent = t('Chưa có giấy phép trên máy chủ', 'No licence on the controller'); return; }
  const days = l.days_left === undefined ? '' : (l.days_left < 0 ? ` — ${t('ĐÃ HẾT HẠN', 'EXPIRED')}` : ` — ${l.days_left} ${t('ngày', 'days')}`);
  $('station-licence').textContent = `${l.assigned_khz} kHz ± ${l.tolerance_khz}, ${l.max_power_w} W, ` +
    `${t('hết hạn', 'expires')} ${l.expires}${days}; ${t('tại trạm', 'at the station')}: ${l.delivery || '—'}`;
  if (!fillForm) return;
  const f = $('licence-form');
  for (const k of ['assigned_khz', 'tolerance_khz', 'max_power_w', 'expires', 'type_approval']) f[k].value = l[k] ?? '';
  f.temporary.checked = !!l.temporary;
}
$('licence-form').onsubmit = async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const id = $('station-id').textContent;
  const body = { assigned_khz: Number(f.assigned_khz.value), tolerance_khz: Number(f.tolerance_khz.value),
                 max_power_w: Number(f.max_power_w.value), expires: f.expires.value, temporary: f.temporary.checked };
  if (f.type_approval.value) body.type_approval = f.type_approval.value;
  try {
    await api(`/api/v1/stations/${encodeURIComponent(id)}/licence`, { method: 'PUT', body: JSON.stringify(body) });
    $('licence-result').textContent = t('Đã lưu; đang gửi tới trạm', 'Saved; being sent to the station');
    await showLicence(id, false);
  } catch (e) { $('licence-result').textContent = e.message; }
};
loaders.station = (id) => {
  if ($('station-id').textContent !== id) clearCharts();
  $('station-id').textContent = id;
  $('station-result').textContent = '';
  showChecks([]);
  $('licence-result').textContent = '';
  $('licence-form').reset();
  for (const b of ['station-silent-test', 'station-amp-on', 'station-amp-off']) $(b).disabled = !has('technician');
  for (const el of $('licence-form').elements) el.disabled = !has('technician');
  showLicence(id, true).catch(() => {});
  const tick = () => Promise.all([showStation(id), showLicence(id, false), showConfig(id)]).catch(() => {});
  tick();
  const timer = setInterval(tick, 2000);
  $('station-range').onchange = tick;
  onLeave(() => clearInterval(timer));
};

