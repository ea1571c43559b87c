// The API's refusals in the reader's language. The API names each refusal with a stable
// code (and, where the words need them, its figures in `details`); its English message
// is kept for what no entry here words, and for the log.
import { t, whenText } from './ui.js';

const kWords = {
  conflict: (b) => {
    const c = b.conflicts?.[0];
    const n = b.conflicts_total ?? b.conflicts?.length ?? 0;
    if (!c) return t('Trùng lịch với một chương trình khác', 'Overlaps another broadcast');
    const where = (c.stations || []).slice(0, 3).join(', ');
    return t(`Trùng ${n} lần phát, lần đầu với ${c.broadcast_id} (${c.priority}) lúc ${whenText(c.other_at)} tại ${where}; ` +
             'chọn "Vẫn xếp lịch" để xếp đè',
             `${n} overlapping occurrence(s), first with ${c.broadcast_id} (${c.priority}) at ${whenText(c.other_at)} on ${where}; ` +
             'tick "Schedule anyway" to schedule over it');
  },
  count_mismatch: (b) => {
    const d = b.error.details || {};
    return d.stations === undefined
      ? t('Số trạm nhập không khớp số trạm sẽ phát', 'The count given is not the number of stations it would sound on')
      : t(`Cảnh báo sẽ phát trên ${d.stations} trạm; hãy nhập đúng số ${d.stations} để xác nhận (đã nhập ${d.given})`,
          `The alert would sound on ${d.stations} stations; confirm with ${d.stations} (you gave ${d.given})`);
  },
  two_person_rule: () => t('Cảnh báo mức này cần người thứ hai có quyền khẩn cấp xác nhận, không phải người soạn',
                           'Alerts of this severity need a second person with the emergency role to confirm, not the drafter'),
  no_stations: () => t('Nơi nhận không có trạm nào đã duyệt', 'The targets hold no approved station'),
  expired: () => t('Đã hết hạn', 'It has expired'),
  wrong_state: (b) => t(`Không làm được ở trạng thái hiện tại (${b.error.message})`, `Not in this state (${b.error.message})`),
  not_found: (b) => t(`Không tìm thấy (${b.error.message})`, `Not found (${b.error.message})`),
  exists: (b) => t(`Đã có rồi (${b.error.message})`, `Already exists (${b.error.message})`),
  forbidden: () => t('Tài khoản của bạn không có quyền làm việc này', 'Your account may not do this'),
  out_of_scope: () => t('Nơi này ngoài vùng bạn được giao', 'This is outside the zones you are given'),
  invalid: (b) => t(`Dữ liệu chưa đúng: ${b.error.message}`, `Not valid: ${b.error.message}`),
  bad_request: (b) => t(`Yêu cầu chưa đúng: ${b.error.message}`, `Bad request: ${b.error.message}`),
  bad_json: () => t('Yêu cầu không phải JSON hợp lệ', 'The request is not valid JSON'),
  bad_credentials: () => t('Sai tên đăng nhập hoặc mật khẩu', 'Wrong user name or password'),
  throttled: () => t('Thử quá nhiều lần; hãy đợi một lát rồi thử lại', 'Too many tries; wait a moment and try again'),
  busy: () => t('Máy chủ đang bận; hãy thử lại sau ít giây', 'The controller is busy; try again in a few seconds'),
  storage_full: () => t('Đĩa của máy chủ đã đầy: việc mới bị từ chối, dữ liệu cũ vẫn an toàn',
                        'The controller\'s disk is full: new work is refused, what was stored is safe'),
  store_unavailable: () => t('Cơ sở dữ liệu đang không trả lời; hãy thử lại', 'The database is not answering; try again'),
  standard_clip: () => t('Bản tin chuẩn dùng cho cảnh báo, không xóa được', 'A standard clip kept for alerts cannot be deleted'),
  fingerprint_mismatch: () => t('Khóa của trạm đã đổi so với khóa bạn thấy; hãy kiểm tra lại tại trạm',
                                'The station\'s key changed from the one you saw; check it at the station again'),
  speech_failed: () => t('Không đọc được văn bản thành tiếng', 'The text could not be read aloud'),
  no_area: () => t('Cảnh báo không nêu vùng nào', 'The alert names no area'),
  unauthenticated: () => t('Hãy đăng nhập lại', 'Please log in again'),
  internal: () => t('Máy chủ gặp lỗi; việc chưa được làm', 'The controller failed; nothing was done'),
};

// What to tell the reader of a refused request (status and parsed body).
export function errorText(status, body) {
  const code = body?.error?.code;
  const words = code && kWords[code];
  if (words) return words(body);
  if (body?.error?.message) return t(`Bị từ chối: ${body.error.message}`, body.error.message);
  return t(`Lỗi HTTP ${status}`, `HTTP ${status}`);
}
