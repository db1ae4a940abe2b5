/* The class journal grid (issue 4): keyboard entry, one small POST per cell, an offline
 * queue in localStorage, conflicts shown in the cell, fill down, the lesson panel.
 * Plain JS, no dependencies. Every text comes from the page (#journal-strings). */
(function () {
  'use strict';

  var root = document.getElementById('journal-app');
  if (!root) { return; }
  var data = JSON.parse(document.getElementById('journal-data').textContent);
  var S = JSON.parse(document.getElementById('journal-strings').textContent);
  var API = root.getAttribute('data-api');
  var CSRF = root.getAttribute('data-csrf');
  var FINAL_URL = root.getAttribute('data-final-url');
  var table = document.getElementById('journal-grid');
  var statusBox = document.getElementById('journal-status');
  var QKEY = 'kd-journal-queue:' + [data['class'].id, data.subject.id, data.period.id,
    data.subgroup_id || 0].join(':');

  var ATT = { n: 'absent', 'н': 'absent', e: 'excused', 'у': 'excused', i: 'ill', 'б': 'ill',
    l: 'late', 'о': 'late' };

  var confirmed = data.cells;       // "lid:sid" -> cell as the server last said
  var shown = {};                   // "lid:sid" -> cell as the teacher sees it (optimistic)
  var status = {};                  // "lid:sid" -> {state, message, mine, server}
  var lessonsById = {};
  var closed = {};
  var pupils = data.pupils;
  var lessons = data.lessons;
  var inFlight = false;
  var editing = null;
  data.closed.forEach(function (id) { closed[id] = true; });
  lessons.forEach(function (l) { lessonsById[l.id] = l; });

  function fmt(s, args) {
    return String(s).replace(/\{(\w+)\}/g, function (m, k) { return args[k]; });
  }
  function key(lid, sid) { return lid + ':' + sid; }
  function emptyCell() { return { version: 0, marks: [], attendance: null, remark: null }; }
  function cellOf(k) { return shown[k] || confirmed[k] || emptyCell(); }
  function newOpId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return 'op-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 12);
  }

  // ------------------------------------------------------------------ queue (localStorage)
  function loadQueue() {
    try { return JSON.parse(window.localStorage.getItem(QKEY) || '[]'); } catch (e) { return []; }
  }
  function storeQueue(q) {
    try { window.localStorage.setItem(QKEY, JSON.stringify(q)); } catch (e) { /* full */ }
    showStatus();
  }

  // ------------------------------------------------------------------ text of a cell
  function marksText(marks) {
    return (marks || []).map(function (m) {
      return m.max_score ? m.value + '/' + m.max_score : String(m.value);
    }).join(' ');
  }
  function attText(att) {
    if (!att || !att.code) { return ''; }
    var t = S.att_short[att.code] || att.code;
    return att.code === 'late' && att.minutes ? t + ' ' + att.minutes : t;
  }
  function editText(cell) {
    var t = marksText(cell.marks);
    return t;
  }

  /** What the teacher typed -> {marks: [...]} | {attendance: {...}} | null (unreadable). */
  function parseEntry(text) {
    var t = (text || '').trim().toLowerCase();
    if (t === '' || t === '-') { return { marks: [], clear: true }; }
    var m = /^([a-zа-яё])\s*(\d{1,3})?$/.exec(t);
    if (m && ATT[m[1]]) {
      return { attendance: { code: ATT[m[1]], minutes: m[2] ? parseInt(m[2], 10) : null } };
    }
    var parts = t.split(/[\s,;]+/);
    if (parts.every(function (p) { return /^\d+$/.test(p); })) {
      return { marks: parts.map(function (p) { return { value: parseInt(p, 10) }; }) };
    }
    return null;
  }

  // ------------------------------------------------------------------ rendering
  function lessonWritable(l) {
    return !l.cancelled && !l.future && (l.write_marks || l.write_attendance);
  }
  function cellBlock(l, p) {
    if (p.out.indexOf(l.id) >= 0) { return S.not_enrolled; }
    if (!lessonWritable(l)) { return S.read_only; }
    if (data.grant) { return null; }
    if (closed[p.id]) { return S.closed; }
    if (!l.window_open) { return fmt(S.window_closed, { date: l.closes_on }); }
    return null;
  }

  function render() {
    var html = ['<thead><tr><th class="jp-name">', esc(S.pupil), '</th>'];
    lessons.forEach(function (l) {
      var d = l.date.split('-');
      html.push('<th class="jh-lesson" data-lesson="', l.id, '" title="', esc(l.topic || ''),
        '">', d[2], '.', d[1], '<br><small>', l.number, '</small>',
        '<span class="jh-topic">', esc(l.topic || ''), '</span>');
      if (lessonWritable(l)) {
        html.push('<button type="button" class="btn btn-link btn-xs jh-fill" data-lesson="',
          l.id, '" title="', esc(S.fill_down), '">&#8615;</button>');
      }
      html.push('</th>');
    });
    html.push('<th>', esc(S.computed), '</th><th>', esc(S.final), '</th></tr></thead><tbody>');
    pupils.forEach(function (p, r) {
      html.push('<tr data-student="', p.id, '"><td class="jp-name">', esc(p.name), '</td>');
      lessons.forEach(function (l, c) {
        var block = cellBlock(l, p);
        var cls = 'jc' + (block ? ' jc-ro' : '') + (p.out.indexOf(l.id) >= 0 ? ' jc-out' : '');
        html.push('<td class="', cls, '" tabindex="-1" data-r="', r, '" data-c="', c,
          '" data-lesson="', l.id, '" data-student="', p.id, '"',
          block ? ' title="' + esc(block) + '"' : '', '></td>');
      });
      var f = data.finals[p.id] || {};
      html.push('<td class="jf-computed">', esc(f.computed || ''), f.suggested ?
        ' (' + esc(f.suggested) + ')' : '', '</td><td class="jf-final" data-student="', p.id,
        '">', esc(f.final || ''), '</td></tr>');
    });
    html.push('</tbody>');
    if (!lessons.length) {
      html = ['<tbody><tr><td>', esc(S.no_lessons), '</td></tr></tbody>'];
    }
    table.innerHTML = html.join('');
    Array.prototype.forEach.call(table.querySelectorAll('td.jc'), paint);
    var first = table.querySelector('td.jc:not(.jc-ro)') || table.querySelector('td.jc');
    if (first) { first.tabIndex = 0; }
  }

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (ch) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch];
    });
  }

  function td(lid, sid) {
    return table.querySelector('td.jc[data-lesson="' + lid + '"][data-student="' + sid + '"]');
  }

  function paint(cellTd) {
    if (!cellTd) { return; }
    var k = key(cellTd.getAttribute('data-lesson'), cellTd.getAttribute('data-student'));
    var cell = cellOf(k);
    var st = status[k];
    var html = '<span class="jc-marks">' + esc(marksText(cell.marks)) + '</span>';
    var att = attText(cell.attendance);
    if (att) { html += '<span class="jc-att">' + esc(att) + '</span>'; }
    html += '<span class="jc-st"></span>';
    if (st && st.state === 'error' && st.message) {
      html += '<div class="jc-msg">' + esc(st.message) + '</div>';
    }
    if (st && st.state === 'conflict') {
      html += '<div class="jc-conflict">' + esc(S.conflict) + '<br>' + esc(S.yours) + ': <b>' +
        esc(describe(st.mine)) + '</b><br>' + esc(S.server) + ': <b>' +
        esc(marksText(st.server.marks) + ' ' + attText(st.server.attendance)) + '</b><br>' +
        '<button type="button" class="btn btn-xs btn-primary jc-keep">' + esc(S.keep_mine) +
        '</button> <button type="button" class="btn btn-xs btn-default jc-take">' +
        esc(S.take_server) + '</button></div>';
    }
    cellTd.innerHTML = html;
    if (st) { cellTd.setAttribute('data-status', st.state); } else {
      cellTd.removeAttribute('data-status');
    }
    cellTd.title = st && st.message ? st.message : (cellTd.classList.contains('jc-ro') ?
      cellTd.title : '');
  }

  function describe(op) {
    if (!op) { return ''; }
    if (op.marks) { return marksText(op.marks) || '\u2205'; }
    if (op.attendance !== undefined) { return attText(op.attendance) || '\u2205'; }
    return '';
  }

  function showStatus() {
    var q = loadQueue();
    var parts = [];
    parts.push(navigator.onLine ? '<span class="label label-success" id="journal-online">' +
      esc(S.online) + '</span>' : '<span class="label label-warning" id="journal-offline">' +
      esc(S.offline) + '</span>');
    if (q.length) {
      parts.push('<span class="label label-warning" id="journal-queue">' +
        esc(fmt(S.queue, { n: q.length })) + '</span>');
    }
    statusBox.innerHTML = parts.join(' ');
  }

  // ------------------------------------------------------------------ saving
  function enqueue(lid, sid, entry, reason) {
    var k = key(lid, sid);
    var base = cellOf(k);
    var q = loadQueue();
    // the version this save is based on: the last queued save of the cell counts as applied
    var op = { op_id: newOpId(), lesson_id: lid, student_id: sid, base_version: baseVersion(k, q) };
    var next = { version: base.version, marks: base.marks, attendance: base.attendance,
      remark: base.remark };
    var l = lessonsById[lid];
    if (entry.clear) {
      if (l.write_marks) { op.marks = []; next.marks = []; }
      op.attendance = null; next.attendance = null;
    } else if (entry.marks) {
      op.marks = entry.marks; next.marks = entry.marks;
    } else if (entry.attendance !== undefined) {
      op.attendance = entry.attendance; next.attendance = entry.attendance;
    }
    if (reason) { op.reason = reason; }
    shown[k] = next;
    status[k] = { state: 'pending' };
    q.push(op);
    storeQueue(q);
    paint(td(lid, sid));
    flush();
  }

  function baseVersion(k, q) {
    var pending = q.filter(function (o) { return key(o.lesson_id, o.student_id) === k; });
    var c = confirmed[k] || emptyCell();
    return pending.length ? pending[pending.length - 1].base_version + 1 : c.version;
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': CSRF,
        'Accept': 'application/json' },
      body: JSON.stringify(body)
    });
  }

  function firstMessage(body) {
    if (!body || !body.message) { return S.error; }
    if (typeof body.message === 'string') { return body.message; }
    var keys = Object.keys(body.message);
    var v = body.message[keys[0]];
    return Array.isArray(v) ? v[0] : String(v);
  }

  var retryTimer = null;
  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, 4000);
  }

  function flush() {
    if (inFlight) { return; }
    var q = loadQueue();
    if (!q.length) { showStatus(); return; }
    if (!navigator.onLine) { showStatus(); scheduleRetry(); return; }
    var op = q[0];
    inFlight = true;
    post(API + '/cell', op).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        inFlight = false;
        if (resp.status >= 500) { scheduleRetry(); return; }
        settle(op, resp.status, body);
        flush();
      });
    }, function () {
      inFlight = false;   // network failure: keep the entry queued, retry later
      showStatus();
      scheduleRetry();
    });
  }

  function dropOp(op) {
    var q = loadQueue().filter(function (o) { return o.op_id !== op.op_id; });
    storeQueue(q);
    return q;
  }

  function settle(op, code, body) {
    var k = key(op.lesson_id, op.student_id);
    var q = dropOp(op);
    var later = q.filter(function (o) { return key(o.lesson_id, o.student_id) === k; });
    if (code === 200) {
      confirmed[k] = body.cell;
      if (later.length) {   // the next saves of the cell build on the version just made
        storeQueue(q.map(function (o) {
          if (key(o.lesson_id, o.student_id) === k) { o.base_version = body.cell.version; }
          return o;
        }));
      } else {
        delete shown[k];
        status[k] = { state: 'saved' };
      }
    } else if (code === 409 && body.server) {
      // later saves of the cell were built on the refused one: the teacher decides
      storeQueue(q.filter(function (o) { return key(o.lesson_id, o.student_id) !== k; }));
      confirmed[k] = body.server;
      var mine = later.length ? later[later.length - 1] : op;
      shown[k] = undefined;
      delete shown[k];
      status[k] = { state: 'conflict', mine: mine, server: body.server,
        message: firstMessage(body) };
    } else if (code === 422 && body.code === 'reason_required' && !op.reason) {
      var reason = window.prompt(S.reason_prompt, '');
      if (reason) {
        op.reason = reason;
        var q2 = loadQueue();
        q2.unshift(op);
        storeQueue(q2);
        return;
      }
      revert(k, firstMessage(body));
    } else {
      storeQueue(q.filter(function (o) { return key(o.lesson_id, o.student_id) !== k; }));
      revert(k, firstMessage(body));
    }
    paint(td(op.lesson_id, op.student_id));
  }

  function revert(k, message) {
    delete shown[k];
    status[k] = { state: 'error', message: message };
  }

  function resolveConflict(cellTd, keepMine) {
    var lid = +cellTd.getAttribute('data-lesson');
    var sid = +cellTd.getAttribute('data-student');
    var k = key(lid, sid);
    var st = status[k];
    if (!st || st.state !== 'conflict') { return; }
    if (!keepMine) {
      delete shown[k];
      status[k] = { state: 'saved' };
      paint(cellTd);
      return;
    }
    var mine = st.mine;
    var op = { op_id: newOpId(), lesson_id: lid, student_id: sid,
      base_version: st.server.version };
    var next = JSON.parse(JSON.stringify(st.server));
    if (mine.marks) { op.marks = mine.marks; next.marks = mine.marks; }
    if (mine.attendance !== undefined) { op.attendance = mine.attendance; next.attendance = mine.attendance; }
    if (mine.reason) { op.reason = mine.reason; }
    shown[k] = next;
    status[k] = { state: 'pending' };
    var q = loadQueue();
    q.push(op);
    storeQueue(q);
    paint(cellTd);
    flush();
  }

  // ------------------------------------------------------------------ keyboard
  function move(cellTd, dr, dc) {
    var r = +cellTd.getAttribute('data-r') + dr;
    var c = +cellTd.getAttribute('data-c') + dc;
    if (c >= lessons.length) { c = 0; r += 1; }
    if (c < 0) { c = lessons.length - 1; r -= 1; }
    var next = table.querySelector('td.jc[data-r="' + r + '"][data-c="' + c + '"]');
    if (next) { focusCell(next); }
  }
  function focusCell(cellTd) {
    Array.prototype.forEach.call(table.querySelectorAll('td.jc[tabindex="0"]'), function (x) {
      x.tabIndex = -1;
    });
    cellTd.tabIndex = 0;
    cellTd.focus();
  }

  function startEdit(cellTd, initial) {
    if (cellTd.classList.contains('jc-ro')) { return; }
    var k = key(cellTd.getAttribute('data-lesson'), cellTd.getAttribute('data-student'));
    editing = cellTd;
    var input = document.createElement('input');
    input.className = 'jc-input';
    input.value = initial !== undefined ? initial : editText(cellOf(k));
    cellTd.innerHTML = '';
    cellTd.appendChild(input);
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
    input.addEventListener('keydown', function (ev) {
      var moves = { Enter: [1, 0], ArrowDown: [1, 0], ArrowUp: [-1, 0],
        Tab: [0, ev.shiftKey ? -1 : 1] };
      if (ev.key === 'Escape') {
        ev.preventDefault();
        editing = null;
        paint(cellTd);
        cellTd.focus();
      } else if (moves[ev.key]) {
        ev.preventDefault();
        commit(cellTd, input.value);
        move(cellTd, moves[ev.key][0], moves[ev.key][1]);
      }
    });
    input.addEventListener('blur', function () {
      if (editing === cellTd) { commit(cellTd, input.value); }
    });
  }

  function commit(cellTd, text) {
    if (editing !== cellTd) { return; }
    editing = null;
    var lid = +cellTd.getAttribute('data-lesson');
    var sid = +cellTd.getAttribute('data-student');
    var k = key(lid, sid);
    var entry = parseEntry(text);
    if (entry === null) {
      status[k] = { state: 'error', message: S.unreadable.replace('{text}', text) };
      paint(cellTd);
      return;
    }
    var before = cellOf(k);
    if (entry.marks && !entry.clear && marksText(entry.marks) === marksText(before.marks)) {
      paint(cellTd);
      return;
    }
    var reason = null;
    var l = lessonsById[lid];
    if (data.grant && (closed[sid] || !l.window_open)) {
      reason = window.prompt(S.reason_prompt, '');
      if (!reason) { paint(cellTd); return; }
    }
    enqueue(lid, sid, entry, reason);
  }

  table.addEventListener('keydown', function (ev) {
    var cellTd = ev.target.closest && ev.target.closest('td.jc');
    if (!cellTd || editing || ev.target.tagName === 'INPUT' || ev.target.tagName === 'BUTTON') {
      return;
    }
    var moves = { ArrowDown: [1, 0], ArrowUp: [-1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1],
      Enter: [1, 0], Tab: [0, ev.shiftKey ? -1 : 1] };
    if (moves[ev.key]) {
      ev.preventDefault();
      move(cellTd, moves[ev.key][0], moves[ev.key][1]);
    } else if (ev.key === 'Delete' || ev.key === 'Backspace') {
      ev.preventDefault();
      if (!cellTd.classList.contains('jc-ro')) {
        editing = cellTd;
        commit(cellTd, '');
      }
    } else if (ev.key === 'F2') {
      ev.preventDefault();
      startEdit(cellTd);
    } else if (ev.key.length === 1 && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault();
      startEdit(cellTd, ev.key);
    }
  });

  table.addEventListener('click', function (ev) {
    var t = ev.target;
    if (t.classList.contains('jc-keep') || t.classList.contains('jc-take')) {
      ev.stopPropagation();
      resolveConflict(t.closest('td.jc'), t.classList.contains('jc-keep'));
      return;
    }
    if (t.classList.contains('jh-fill')) {
      ev.stopPropagation();
      fillDown(+t.getAttribute('data-lesson'));
      return;
    }
    var th = t.closest('th.jh-lesson');
    if (th) { openPanel(+th.getAttribute('data-lesson')); return; }
    var fin = t.closest('td.jf-final');
    if (fin) { setFinal(+fin.getAttribute('data-student'), fin); return; }
    var cellTd = t.closest('td.jc');
    if (cellTd && !editing) { focusCell(cellTd); }
  });
  table.addEventListener('dblclick', function (ev) {
    var cellTd = ev.target.closest('td.jc');
    if (cellTd && !editing) { startEdit(cellTd); }
  });

  // ------------------------------------------------------------------ fill down
  function fillDown(lid) {
    var value = window.prompt(S.fill_prompt, '');
    if (!value) { return; }
    post(API + '/fill', { lesson_id: lid, value: value }).then(function (resp) {
      return resp.json().then(function (body) {
        if (resp.status !== 200) { window.alert(firstMessage(body)); return; }
        body.cells.forEach(function (c) {
          var k = key(c.lesson_id, c.student_id);
          confirmed[k] = c;
          status[k] = { state: 'saved' };
          paint(td(c.lesson_id, c.student_id));
        });
        statusBox.insertAdjacentHTML('beforeend', '<span class="label label-info">' +
          esc(fmt(S.filled, { n: body.cells.length })) + '</span>');
      });
    }, function () { window.alert(S.network_error); });
  }

  // ------------------------------------------------------------------ final grade
  function setFinal(sid, cellEl) {
    var f = data.finals[sid] || {};
    var value = window.prompt(S.final_prompt, f.final || f.suggested || '');
    if (value === null || value === '') { return; }
    sendFinal(sid, cellEl, value.trim(), null);
  }

  // a set grade changes only under an access grant, with a reason: the server says so
  // (422 reason_required) and the teacher is asked for it once
  function sendFinal(sid, cellEl, value, reason) {
    var f = data.finals[sid] || {};
    var body = { class_id: data['class'].id, subject_id: data.subject.id,
      period_id: data.period.id, student_id: sid, value: value,
      base_version: f.version == null ? null : f.version };
    if (reason) { body.reason = reason; }
    post(FINAL_URL, body).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (answer) {
        if (resp.status === 422 && answer.code === 'reason_required' && !reason) {
          var given = window.prompt(S.reason_prompt, '');
          if (given) { sendFinal(sid, cellEl, value, given); }
          return;
        }
        if (resp.status !== 200) { window.alert(firstMessage(answer)); return; }
        var g = answer.final || answer;
        data.finals[sid] = Object.assign({}, f, { final: g.value || value, version: g.version });
        closed[sid] = true;
        cellEl.textContent = data.finals[sid].final;
      });
    }, function () { window.alert(S.network_error); });
  }

  // ------------------------------------------------------------------ lesson panel
  var panel = document.getElementById('journal-panel');
  var form = document.getElementById('jp-form');
  var panelLesson = null;
  var panelVersion = 0;
  function openPanel(lid) {
    fetch(API + '/lesson/' + lid, { credentials: 'same-origin',
      headers: { Accept: 'application/json' } }).then(function (resp) {
      return resp.json().then(function (p) {
        if (resp.status !== 200) { window.alert(firstMessage(p)); return; }
        panelLesson = lid;
        panelVersion = p.version;
        document.getElementById('jp-title').textContent = p.date + ', ' + p.number;
        form.topic.value = p.topic || '';
        form.homework.value = p.homework || '';
        form.homework_due.value = p.homework_due || '';
        form.homework_minutes.value = p.homework_minutes == null ? '' : p.homework_minutes;
        form.work_type.value = p.work_type || '';
        form.category.value = p.category || data.categories[0];
        form.max_score.value = p.max_score == null ? '' : p.max_score;
        var sug = document.getElementById('jp-suggested');
        sug.hidden = !p.suggested_topic;
        if (p.suggested_topic) {
          document.getElementById('jp-suggested-title').textContent = p.suggested_topic.title;
          sug.setAttribute('data-topic-id', p.suggested_topic.id);
          if (!p.topic) { form.topic.placeholder = p.suggested_topic.title; }
        }
        Array.prototype.forEach.call(form.elements, function (el) { el.disabled = !p.writable; });
        document.getElementById('jp-close').disabled = false;
        document.getElementById('jp-error').textContent = '';
        panel.hidden = false;
        form.topic.focus();
      });
    }, function () { window.alert(S.network_error); });
  }
  document.getElementById('jp-close').addEventListener('click', function () {
    panel.hidden = true;
  });
  document.getElementById('jp-use-suggested').addEventListener('click', function () {
    var sug = document.getElementById('jp-suggested');
    form.topic.value = document.getElementById('jp-suggested-title').textContent;
    form.setAttribute('data-plan-topic', sug.getAttribute('data-topic-id'));
  });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = { base_version: panelVersion, topic: form.topic.value,
      homework: form.homework.value, homework_due: form.homework_due.value || null,
      homework_minutes: form.homework_minutes.value === '' ? null : +form.homework_minutes.value,
      work_type: form.work_type.value || null, category: form.category.value,
      max_score: form.max_score.value === '' ? null : +form.max_score.value };
    var planTopic = form.getAttribute('data-plan-topic');
    if (planTopic) { body.plan_topic_id = +planTopic; }
    post(API + '/lesson/' + panelLesson, body).then(function (resp) {
      return resp.json().then(function (p) {
        if (resp.status !== 200) {
          document.getElementById('jp-error').textContent = firstMessage(p);
          return;
        }
        form.removeAttribute('data-plan-topic');
        var l = lessonsById[panelLesson];
        l.topic = p.topic; l.category = p.category; l.max_score = p.max_score;
        panel.hidden = true;
        render();
      });
    }, function () { document.getElementById('jp-error').textContent = S.network_error; });
  });

  // ------------------------------------------------------------------ start
  window.addEventListener('online', function () { showStatus(); flush(); });
  window.addEventListener('offline', showStatus);
  window.setInterval(function () { if (loadQueue().length) { flush(); } }, 10000);
  render();
  loadQueue().forEach(function (op) {   // entries left from an earlier visit
    var k = key(op.lesson_id, op.student_id);
    var c = JSON.parse(JSON.stringify(cellOf(k)));
    if (op.marks) { c.marks = op.marks; }
    if (op.attendance !== undefined) { c.attendance = op.attendance; }
    shown[k] = c;
    status[k] = { state: 'pending' };
    paint(td(op.lesson_id, op.student_id));
  });
  showStatus();
  flush();
  window.kdJournal = { queue: loadQueue, flush: flush };
}());
