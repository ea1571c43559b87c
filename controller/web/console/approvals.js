// Approval before air: broadcasts waiting for an approver of their zone. The approver
// hears each one here and passes it, or sends it back with a reason; its author sees
// where it stands and why.
import { $, api, badge, button, cell, has, loaders, post, t, when } from './ui.js';

function row(b) {
  const tr = document.createElement('tr');
  const a = b.approval;
  const what = document.createElement('td');
  what.append(b.title);
  if (b.content.audio) {
    const audio = document.createElement('audio');
    audio.controls = true; audio.preload = 'none'; audio.src = b.content.audio;
    audio.setAttribute('aria-label', t('Nghe', 'Listen') + ': ' + b.title);
    what.append(document.createElement('br'), audio);
  }
  const state = document.createElement('td'); state.append(badge(a.state));
  if (a.note) state.append(' ', a.note);
  const act = document.createElement('td');
  if (a.state === 'pending' && has('approver') && a.submitted_by !== $('who').dataset.user) {
    const reason = document.createElement('input');
    reason.placeholder = t('lý do trả lại', 'reason to send back');
    reason.setAttribute('aria-label', t('Lý do trả lại', 'Reason to send back'));
    const status = document.createElement('span'); status.className = 'error';
    const decide = async (action) => {
      try {
        await post(`/api/v1/broadcasts/${b.id}/${action}`, action === 'return' ? { reason: reason.value } : {});
        loadApprovals();
      } catch (e) { status.textContent = e.message; }
    };
    act.append(button(t('Duyệt', 'Approve'), () => decide('approve')), ' ', reason, ' ',
               button(t('Trả lại', 'Send back'), () => decide('return')), ' ', status);
  }
  tr.append(what, cell(b.targets.join(', ')), cell(`${b.start} (${b.tz})${b.rrule ? ' ' + b.rrule : ''}`),
            cell(a.submitted_by), cell(when(a.submitted_ms), 'wide'), state, act);
  return tr;
}

async function loadApprovals() {
  const state = $('approvals-state').value;
  const { items } = await api(`/api/v1/approvals?state=${encodeURIComponent(state)}`);
  $('approvals-rows').replaceChildren(...items.map(row));
  $('approvals-empty').hidden = items.length > 0;
}
$('approvals-state').onchange = loadApprovals;
loaders.approvals = loadApprovals;
