/* The case list: on a desktop the filters stand open above the table (a phone keeps them folded). */
(function () {
  "use strict";
  var box = document.querySelector("details.filters-box");
  if (box && window.matchMedia && window.matchMedia("(min-width: 1000px)").matches) box.open = true;
})();
