// Linked address choices: province → district → sub-district, and the postcode of the chosen
// sub-district, in every element marked `data-address-form` (the registration form; each Thai
// address of a service form, whose inputs are named `<data-address-prefix>province` …).
// Without this script the registration form's "show districts" button asks the server for the
// same lists. The chosen codes are remembered for the tab (sessionStorage), so that a citizen who
// goes back to the form finds the district and sub-district still chosen: the browser restores
// the province itself, but not a choice from a list the script had filled.
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  Array.prototype.forEach.call(document.querySelectorAll('[data-address-form]'), link);

  function link(box) {
  var prefix = box.getAttribute('data-address-prefix') || '';
  var named = function (name) { return box.querySelector('[name="' + prefix + name + '"]'); };
  var province = named('province');
  var district = named('district');
  var subDistrict = named('sub_district');
  var postcode = named('postcode');
  if (!province || !district || !subDistrict || !postcode) return;
  var nameKey = document.documentElement.lang === 'en' ? 'name_en' : 'name_th';
  var postcodes = {};
  var memoryKey = 'address:' + location.pathname + ':' + prefix;

  function remember() {
    try {
      sessionStorage.setItem(memoryKey, JSON.stringify({ p: province.value, d: district.value, s: subDistrict.value }));
    } catch (e) { /* storage off: nothing to restore later */ }
  }

  function remembered() {
    try { return JSON.parse(sessionStorage.getItem(memoryKey) || 'null'); } catch (e) { return null; }
  }

  function restore() {
    var saved = remembered();
    if (!saved || !province.value || saved.p !== province.value || district.length > 1 || !saved.d) return;
    load('/address/districts?province=' + encodeURIComponent(province.value))
      .then(function (items) {
        fill(district, items);
        district.value = saved.d;
        return district.value ? loadSubDistricts(false) : null;
      })
      .then(function () { if (saved.s) subDistrict.value = saved.s; })
      .catch(function () { document.documentElement.classList.remove('js'); });
  }

  function fill(select, items) {
    select.length = 1; // keep the "choose" option
    items.forEach(function (item) {
      select.add(new Option(item[nameKey], String(item.code)));
    });
  }

  function load(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
  }

  function loadSubDistricts(keepChoice) {
    var chosen = subDistrict.value;
    if (!district.value) {
      fill(subDistrict, []);
      return Promise.resolve();
    }
    return load('/address/sub-districts?district=' + encodeURIComponent(district.value)).then(function (items) {
      postcodes = {};
      items.forEach(function (item) { postcodes[String(item.code)] = item.postcodes || []; });
      if (!keepChoice) {
        fill(subDistrict, items);
      } else if (chosen) {
        subDistrict.value = chosen;
      }
    });
  }

  function suggestPostcode() {
    var codes = postcodes[subDistrict.value];
    if (codes && codes.length && codes.indexOf(postcode.value.trim()) < 0) postcode.value = codes[0];
  }

  province.addEventListener('change', function () {
    fill(district, []);
    fill(subDistrict, []);
    if (!province.value) return;
    load('/address/districts?province=' + encodeURIComponent(province.value))
      .then(function (items) { fill(district, items); })
      .catch(function () { /* the refresh button still works */ document.documentElement.classList.remove('js'); });
  });

  district.addEventListener('change', function () {
    loadSubDistricts(false).catch(function () { document.documentElement.classList.remove('js'); });
  });

  subDistrict.addEventListener('change', function () {
    var ready = Object.keys(postcodes).length ? Promise.resolve() : loadSubDistricts(true);
    ready.then(suggestPostcode).catch(function () {});
  });

  [province, district, subDistrict].forEach(function (select) { select.addEventListener('change', remember); });
  window.addEventListener('pageshow', restore);
  restore();
  }
})();
