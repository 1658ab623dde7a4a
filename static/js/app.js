/* Small helpers for the workbench pages: inline ID/phone checks on the intake form and
   adding party rows. The server validates again; this only answers sooner. */
(function () {
  "use strict";

  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  /* GB 11643: 17 digits, then a check character computed from them. */
  function idNumberError(value) {
    value = value.trim().toUpperCase();
    if (!value) return "";
    if (!/^\d{17}[\dX]$/.test(value)) return "身份证号须为18位（前17位数字，末位数字或X）。";
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += parseInt(value.charAt(i), 10) * WEIGHTS[i];
    var year = parseInt(value.substr(6, 4), 10), month = parseInt(value.substr(10, 2), 10);
    var day = parseInt(value.substr(12, 2), 10), born = new Date(year, month - 1, day);
    if (year < 1900 || born.getMonth() !== month - 1 || born.getDate() !== day) return "身份证号中的出生日期无效。";
    if (CHECK.charAt(sum % 11) !== value.charAt(17)) return "身份证号校验位错误。";
    return "";
  }

  function phoneError(value) {
    value = value.trim().replace(/[\s()（）]/g, "");
    if (!value) return "";
    if (/^1[3-9]\d{9}$/.test(value) || /^0\d{2,3}-?\d{7,8}$/.test(value)) return "";
    return "电话号码格式无效（手机号11位，或座机如 0919-1234567）。";
  }

  function showError(input, message) {
    var box = input.parentNode.querySelector(".js-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "field-error js-error";
      box.setAttribute("role", "alert");
      input.parentNode.appendChild(box);
    }
    box.textContent = message;
    input.classList.toggle("invalid", !!message);
    input.setCustomValidity(message);
  }

  function check(input) {
    var kind = input.getAttribute("data-validate");
    var message = kind === "id-number" ? idNumberError(input.value) : phoneError(input.value);
    showError(input, message);
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches("[data-validate]") && input.classList.contains("invalid")) check(input);
  });
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("[data-validate]")) check(input);
  }, true);
  document.addEventListener("blur", function (event) {
    var input = event.target;
    if (input.matches && input.matches("[data-validate]")) check(input);
  }, true);

  /* "Add a party": clone the empty form template of the Django formset. */
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-add-form]");
    if (!button) return;
    event.preventDefault();
    var prefix = button.getAttribute("data-add-form");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, index).replace(/__number__/g, index + 1);
    var holder = document.getElementById(prefix + "-forms");
    holder.insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
  });

  /* A select that submits its form when changed (no inline handler: the CSP forbids them). */
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("[data-autosubmit]") && select.form) select.form.submit();
  });

})();
