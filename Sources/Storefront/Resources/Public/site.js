// Small enhancements: the pages work fully without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Filter and sort forms apply themselves as soon as a choice changes.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () {
      var page = form.querySelector("input[name=page]");
      if (page) { page.remove(); }
      form.submit();
    });
  });
})();
