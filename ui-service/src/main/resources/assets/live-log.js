// Live job view: tails /api/jobs/{id}/stream (proxied and authenticated by the gateway with the session
// cookie), appends log lines without duplicates (by seq), updates progress and status, and keeps the view
// at the end unless the user scrolled up. Falls back to polling the JSON log API if the WebSocket fails.
(function () {
  'use strict';

  var BADGES = {
    queued: ['queued', 'Queued', '◷'],
    running: ['running', 'Running', '↻'],
    succeeded: ['succeeded', 'Succeeded', '✓'],
    succeeded_with_warnings: ['warning', 'Succeeded with warnings', '⚠'],
    failed: ['failed', 'Failed', '✗'],
    cancelled: ['cancelled', 'Cancelled', '⊘'],
    lost: ['lost', 'Lost', '?']
  };
  var STREAMS = { stdout: true, stderr: true, event: true };
  var MAX_LINES = 20000;

  function terminal(status) {
    return status !== 'queued' && status !== 'running' && !!BADGES[status];
  }

  function bytes(n) {
    if (typeof n !== 'number' || n < 0) {
      return '–';
    }
    if (n < 1024) {
      return n + ' B';
    }
    var units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    var v = n;
    var i = -1;
    do {
      v /= 1024;
      i++;
    } while (v >= 1024 && i < units.length - 1);
    return (v >= 100 ? v.toFixed(0) : v.toFixed(1)) + ' ' + units[i];
  }

  function duration(s) {
    if (typeof s !== 'number' || s < 0) {
      return '–';
    }
    s = Math.round(s);
    if (s < 60) {
      return s + ' s';
    }
    if (s < 3600) {
      return Math.floor(s / 60) + ' min' + (s % 60 ? ' ' + (s % 60) + ' s' : '');
    }
    var m = Math.floor((s % 3600) / 60);
    return Math.floor(s / 3600) + ' h' + (m ? ' ' + m + ' min' : '');
  }

  function count(n) {
    return typeof n === 'number' ? n.toLocaleString('en-US') : '–';
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) {
      el.textContent = text;
    }
  }

  function atEnd(el) {
    return el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  }

  function start(log) {
    log.dataset.live = 'on';
    var jobId = log.dataset.jobId;
    var lastSeq = parseInt(log.dataset.lastSeq || '0', 10) || 0;
    var follow = true;
    var finished = false;
    var failures = 0;
    var polling = false;
    var jump = document.getElementById('jump-to-end');

    function alive() {
      return document.body.contains(log);
    }

    function toEnd() {
      log.scrollTop = log.scrollHeight;
    }

    log.addEventListener('scroll', function () {
      follow = atEnd(log);
      if (jump) {
        jump.hidden = follow;
      }
    });
    if (jump) {
      jump.addEventListener('click', function () {
        follow = true;
        jump.hidden = true;
        toEnd();
        log.focus();
      });
    }
    toEnd();

    function setLive(on) {
      var indicator = document.getElementById('live-indicator');
      if (indicator) {
        indicator.hidden = !on;
      }
    }

    function appendLines(items) {
      if (!items || !items.length) {
        return;
      }
      var fragment = document.createDocumentFragment();
      items.forEach(function (item) {
        if (typeof item.seq !== 'number' || item.seq <= lastSeq) {
          return;
        }
        lastSeq = item.seq;
        var line = document.createElement('div');
        line.className = 'log-line log-' + (STREAMS[item.stream] ? item.stream : 'stdout');
        line.dataset.seq = String(item.seq);
        line.textContent = item.line == null ? '' : String(item.line);
        fragment.appendChild(line);
      });
      log.appendChild(fragment);
      log.dataset.lastSeq = String(lastSeq);
      while (log.childElementCount > MAX_LINES) {
        log.removeChild(log.firstElementChild);
      }
      var empty = document.getElementById('log-empty');
      if (empty) {
        empty.hidden = true;
      }
      if (follow) {
        toEnd();
      }
    }

    function showProgress(p) {
      var section = document.getElementById('progress');
      if (!section || finished) {
        return;
      }
      section.hidden = false;
      var pct = typeof p.percent === 'number' ? (p.percent <= 1 ? p.percent * 100 : p.percent) : 0;
      pct = Math.max(0, Math.min(100, Math.floor(pct)));
      var bar = document.getElementById('progress-bar');
      if (bar) {
        bar.value = pct;
        bar.textContent = pct + '%';
      }
      setText('progress-percent', pct + '%');
      setText('progress-files', count(p.files_done) + (typeof p.total_files === 'number' ? ' / ' + count(p.total_files) : ''));
      setText('progress-bytes', bytes(p.bytes_done) + (typeof p.total_bytes === 'number' ? ' / ' + bytes(p.total_bytes) : ''));
      setText('progress-eta', typeof p.eta_s === 'number' ? duration(p.eta_s) : '–');
    }

    function showStatus(job) {
      if (!job || !job.status) {
        return;
      }
      var badge = BADGES[job.status] || ['unknown', job.status, '?'];
      var el = document.getElementById('job-status');
      if (el) {
        el.className = 'status-badge status-' + badge[0];
        el.dataset.status = badge[0];
        var icon = el.querySelector('.status-icon');
        var label = el.querySelector('.status-label');
        if (icon) {
          icon.textContent = badge[2];
        }
        if (label) {
          label.textContent = badge[1];
        }
      }
      if (terminal(job.status) && !finished) {
        finished = true;
        log.dataset.terminal = 'true';
        setLive(false);
        var section = document.getElementById('progress');
        if (section) {
          section.hidden = true;
        }
        // #job-head listens for this (hx-trigger="jobfinished from:body") and reloads with the summary.
        document.body.dispatchEvent(new CustomEvent('jobfinished'));
      }
    }

    function handle(msg) {
      if (!msg || typeof msg !== 'object') {
        return;
      }
      if (msg.type === 'log') {
        appendLines(msg.items);
      } else if (msg.type === 'progress') {
        showProgress(msg);
      } else if (msg.type === 'status') {
        showStatus(msg.job);
      }
    }

    function getJson(url) {
      return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) {
          if (!r.ok) {
            throw new Error('HTTP ' + r.status);
          }
          return r.json();
        });
    }

    // Without a WebSocket (a proxy that drops upgrades, say) the JSON API still gives us the log.
    function poll() {
      if (finished || !alive()) {
        return;
      }
      var base = '/api/jobs/' + encodeURIComponent(jobId);
      getJson(base + '/logs?after_seq=' + lastSeq)
        .then(function (body) {
          appendLines(body.items);
          return getJson(base);
        })
        .then(showStatus)
        .catch(function () { /* try again on the next tick */ })
        .then(function () {
          if (!finished && alive()) {
            setTimeout(poll, 3000);
          }
        });
    }

    function connect() {
      if (typeof WebSocket === 'undefined') {
        polling = true;
        poll();
        return;
      }
      var scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
      var ws = new WebSocket(scheme + '//' + location.host + '/api/jobs/' + encodeURIComponent(jobId) + '/stream');
      var opened = false;
      ws.onopen = function () {
        opened = true;
        failures = 0;
        setLive(true);
      };
      ws.onmessage = function (event) {
        if (!alive()) {
          ws.close();
          return;
        }
        try {
          handle(JSON.parse(event.data));
        } catch (e) {
          // A malformed message must not stop the live view.
        }
      };
      ws.onclose = function () {
        setLive(false);
        if (finished || !alive()) {
          return;
        }
        failures = opened ? 1 : failures + 1;
        if (failures >= 3 && !polling) {
          polling = true;
          poll();
          return;
        }
        if (!polling) {
          setTimeout(connect, Math.min(15000, 1000 * Math.pow(2, failures)));
        }
      };
    }

    connect();
  }

  function init() {
    var log = document.getElementById('job-log');
    if (!log || log.dataset.live === 'on') {
      return;
    }
    if (log.dataset.terminal === 'true') {
      log.dataset.live = 'on';
      log.scrollTop = log.scrollHeight;
      return;
    }
    start(log);
  }

  document.addEventListener('DOMContentLoaded', init);
  document.addEventListener('htmx:load', init);
})();
