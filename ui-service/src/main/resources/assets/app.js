// restic-manager page helpers. Loaded once in <head>; wired again for content htmx swaps in (htmx:load).
(function () {
  'use strict';

  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // Copy buttons: hidden without JavaScript (the text stays selectable), shown and wired here.
  function wireCopyButtons(root) {
    var buttons = root.querySelectorAll ? root.querySelectorAll('[data-copy-target]') : [];
    Array.prototype.forEach.call(buttons, function (button) {
      if (button.dataset.wired === 'yes') {
        return;
      }
      button.dataset.wired = 'yes';
      button.hidden = false;
      button.addEventListener('click', function () {
        var target = document.getElementById(button.dataset.copyTarget);
        var status = document.getElementById(button.dataset.copyStatus || 'copy-status');
        if (!target) {
          return;
        }
        var text = target.textContent.trim();
        var done = function (message) {
          if (status) {
            status.textContent = message;
          }
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () {
            done('✓ Copied');
          }, function () {
            selectText(target);
            done('Selected — press Ctrl+C to copy');
          });
        } else {
          selectText(target);
          try {
            done(document.execCommand('copy') ? '✓ Copied' : 'Selected — press Ctrl+C to copy');
          } catch (e) {
            done('Selected — press Ctrl+C to copy');
          }
        }
      });
    });
  }

  // Restore tree: the first click on a directory loads its children (htmx, "click once"); later clicks
  // fold and unfold them without asking the agent again.
  document.addEventListener('click', function (event) {
    var toggle = event.target.closest ? event.target.closest('.tree-toggle') : null;
    if (!toggle) {
      return;
    }
    var children = toggle.closest('.tree-row').querySelector(':scope > .tree-children');
    if (!children || toggle.dataset.loaded !== 'yes') {
      return;
    }
    children.hidden = !children.hidden;
    toggle.setAttribute('aria-expanded', children.hidden ? 'false' : 'true');
  });
  document.addEventListener('htmx:afterSwap', function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.classList && target.classList.contains('tree-children')) {
      var toggle = target.closest('.tree-row').querySelector(':scope > .tree-line > .tree-toggle');
      if (toggle) {
        toggle.dataset.loaded = 'yes';
        toggle.setAttribute('aria-expanded', 'true');
      }
    }
  });

  document.addEventListener('DOMContentLoaded', function () {
    wireCopyButtons(document);
  });
  document.addEventListener('htmx:load', function (event) {
    wireCopyButtons(event.detail && event.detail.elt ? event.detail.elt : document);
  });
})();
