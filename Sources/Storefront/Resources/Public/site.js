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

  // "Add to cart" stays on the page and updates the header count in place.
  // Any failure falls back to the ordinary form post, which shows the server's answer.
  document.querySelectorAll("form[data-add-to-cart]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.URLSearchParams) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      fetch(form.action, {
        method: "POST",
        headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)).toString(),
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      }).then(function (result) {
        document.querySelectorAll("[data-cart-count]").forEach(function (badge) {
          badge.textContent = result.itemCount;
          badge.setAttribute("aria-label", result.itemCount + " items");
        });
        if (button) {
          var label = button.innerHTML;
          button.classList.add("added");
          button.textContent = "Added ✓";
          setTimeout(function () { button.innerHTML = label; button.classList.remove("added"); }, 1500);
        }
      }).catch(function () { form.submit(); });
    });
  });
})();
