// Conditional fields of a service form: a field marked data-show-when="<field>=<key>,<key>" is
// shown only while that choice has one of the keys, and its inputs are disabled while hidden so
// they are not sent. The server checks the same rule; without this script every field shows.
(function () {
  'use strict';
  var form = document.querySelector('form[data-service-form]');
  if (!form) return;
  var conditional = form.querySelectorAll('[data-show-when]');
  if (!conditional.length) return;

  function chosen(name) {
    var values = [];
    Array.prototype.forEach.call(form.querySelectorAll('[name="' + name + '"]'), function (el) {
      if (el.type === 'checkbox' || el.type === 'radio') {
        if (el.checked && !el.disabled) values.push(el.value);
      } else if (!el.disabled && el.value) {
        values.push(el.value);
      }
    });
    return values;
  }

  function update() {
    Array.prototype.forEach.call(conditional, function (box) {
      var rule = box.getAttribute('data-show-when').split('=');
      var wanted = (rule[1] || '').split(',');
      var shown = chosen(rule[0]).some(function (v) { return wanted.indexOf(v) >= 0; });
      box.hidden = !shown;
      Array.prototype.forEach.call(box.querySelectorAll('input, select, textarea'), function (el) {
        el.disabled = !shown;
      });
    });
  }

  form.addEventListener('change', update);
  update();
  // A second pass settles fields whose condition depends on a field that was just hidden.
  update();
})();
