// Controllers federated upward. Above: the member controllers with their stations
// rolled up, and alerts and bulletins sent down to them with how each goes. Below: the
// inbox of normal bulletins from above, to take into the programme or decline.
import { $, api, badge, button, cell, has, loaders, post, t, when } from './ui.js';
import { playsChart } from './charts.js';

function memberRow(m) {
  const tr = document.createElement('tr');
  const state = document.createElement('td'); state.append(badge(m.state));
  tr.append(cell(m.id), state, cell(`${m.stations_online}/${m.stations}`), cell(m.stations_with_alarms),
            cell(m.stations_playing), cell(when(m.last_report_ms), 'wide'));
  return tr;
}

function relayRow(r) {
  const tr = document.createElement('tr');
  const what = document.createElement('td');
  what.append(`${r.definition.title || r.definition.text || r.id}`);
  const level = document.createElement('td'); level.append(badge(r.kind === 'alert' ? 'alert' : r.level));
  tr.append(what, level, cell(r.progress), cell(r.created_by), cell(when(r.created_ms), 'wide'));
  return tr;
}

function inboxRow(e) {
  const tr = document.createElement('tr');
  const state = document.createElement('td'); state.append(badge(e.state));
  const act = document.createElement('td');
  if (e.state === 'waiting' && has('operator')) {
    const start = document.createElement('input');
    start.type = 'datetime-local';
    start.setAttribute('aria-label', t('Giờ phát', 'Air time') + ': ' + e.title);
    const status = document.createElement('span'); status.className = 'error';
    const decide = async (action) => {
      try {
        await post(`/api/v1/inbox/${e.id}/${action}`, action === 'accept' ? { start: start.value } : {});
        loadFederation();
      } catch (err) { status.textContent = err.message; }
    };
    act.append(start, ' ', button(t('Đưa vào lịch', 'Accept'), () => decide('accept')), ' ',
               button(t('Từ chối', 'Decline'), () => decide('decline')), ' ', status);
  } else if (e.broadcast_id) {
    act.append(e.broadcast_id);
  }
  tr.append(cell(e.title), cell(e.text), cell(e.sender), cell(when(e.valid_until_ms), 'wide'), state, act);
  return tr;
}

async function loadFederation() {
  const [members, relays, inbox] = await Promise.all([
    api('/api/v1/members'), api('/api/v1/relays?limit=20'), api('/api/v1/inbox?state=all')]);
  $('members-rows').replaceChildren(...members.items.map(memberRow));
  $('members-empty').hidden = members.items.length > 0;
  $('relays-rows').replaceChildren(...relays.items.map(relayRow));
  $('relay-form').hidden = members.items.length === 0 || !has('operator');
  $('inbox-rows').replaceChildren(...inbox.items.map(inboxRow));
  $('inbox-empty').hidden = inbox.items.length > 0;
  $('members-chart').hidden = members.items.length === 0;
  if (members.items.length) await membersChart();
}

// What the members' stations played, by the members' zones and by day, this month: the
// province's own figures of its tree, as the plays report gives them.
function membersChart() {
  return playsChart($('members-chart'), 'chart-member-plays', '&of=members',
                    t('Số lần phát ở các đơn vị cấp dưới, theo ngày', 'Plays at the members, by day'));
}

$('relay-kind').onchange = () => {
  const alert = $('relay-kind').value === 'alert';
  $('relay-level').disabled = alert;
  $('relay-status').disabled = !alert;
};
$('relay-form').onsubmit = async (e) => {
  e.preventDefault();
  const kind = $('relay-kind').value;
  const body = { kind, title: $('relay-title').value, text: $('relay-text').value, to: [$('relay-to').value || 'all'] };
  if (kind === 'alert') { body.status = $('relay-status').value; body.severity = 'severe'; } else { body.level = $('relay-level').value; }
  try {
    const r = await post('/api/v1/relays', body);
    $('relay-result').textContent = `${r.id}: ${r.progress}`;
    loadFederation();
  } catch (err) { $('relay-result').textContent = err.message; }
};
loaders.federation = loadFederation;
