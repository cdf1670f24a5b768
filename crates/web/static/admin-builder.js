// Live preview of the form builder: while a field's edit box changes, the form as the citizen will
// see it is drawn again by the server (POST op=preview_field, nothing saved) and put in place, its
// show-if rules working. Without this script the preview follows each saved change.
(function () {
  'use strict';
  var box = document.getElementById('form-preview-box');
  if (!box || !window.fetch || !window.URLSearchParams) return;
  var serial = 0;

  function rerunRules() {
    var script = document.createElement('script');
    script.src = document.querySelector('script[src^="/services/form.js"]').getAttribute('src');
    document.body.appendChild(script);
  }

  function refresh(form) {
    var data = new URLSearchParams(new FormData(form));
    data.set('op', 'preview_field');
    var mine = ++serial;
    fetch(form.getAttribute('action'), { method: 'POST', body: data, credentials: 'same-origin' })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || mine !== serial) return;
        box.innerHTML = html;
        rerunRules();
      })
      .catch(function () {});
  }

  Array.prototype.forEach.call(document.querySelectorAll('form[data-live-preview]'), function (form) {
    var timer;
    function later() {
      clearTimeout(timer);
      timer = setTimeout(function () { refresh(form); }, 350);
    }
    form.addEventListener('input', later);
    form.addEventListener('change', later);
  });
})();
