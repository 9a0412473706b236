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

  // Suggestions under the search box while typing: aisles and products from the server. The
  // box is still an ordinary search form; arrows choose a suggestion, Enter opens it, Escape closes.
  var box = document.getElementById("site-search");
  if (box && window.fetch) {
    var list = document.createElement("ul");
    list.id = "search-suggestions";
    list.className = "search-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    box.parentNode.appendChild(list);
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("aria-expanded", "false");
    var timer = null;
    var active = -1;
    var close = function () {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
    };
    var option = function (href, text, kind, index) {
      var item = document.createElement("li");
      item.id = "suggestion-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      var link = document.createElement("a");
      link.href = href;
      link.tabIndex = -1;
      link.textContent = text;
      if (kind) {
        var tag = document.createElement("span");
        tag.className = "suggestion-kind";
        tag.textContent = kind;
        link.appendChild(tag);
      }
      item.appendChild(link);
      return item;
    };
    var show = function (result) {
      list.textContent = "";
      var index = 0;
      result.aisles.forEach(function (aisle) { list.appendChild(option("/aisles/" + encodeURIComponent(aisle.slug), aisle.name, "Aisle", index++)); });
      result.products.forEach(function (product) { list.appendChild(option(product.url, product.name + ", " + product.packSize, null, index++)); });
      if (index === 0) { close(); return; }
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      active = -1;
    };
    box.addEventListener("input", function () {
      clearTimeout(timer);
      var text = box.value.trim();
      if (text.length < 2) { close(); return; }
      timer = setTimeout(function () {
        fetch("/api/v1/suggestions?q=" + encodeURIComponent(text), { headers: { "Accept": "application/json" } })
          .then(function (response) {
            if (!response.ok) { throw new Error("status " + response.status); }
            return response.json();
          })
          .then(function (result) { if (box.value.trim() === text) { show(result); } })
          .catch(close);
      }, 120);
    });
    box.addEventListener("keydown", function (event) {
      var items = list.querySelectorAll("[role=option]");
      if (list.hidden || items.length === 0) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = event.key === "ArrowDown" ? (active + 1) % items.length : (active <= 0 ? items.length - 1 : active - 1);
        items.forEach(function (item, index) { item.setAttribute("aria-selected", index === active ? "true" : "false"); });
        box.setAttribute("aria-activedescendant", items[active].id);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = items[active].querySelector("a").href;
      } else if (event.key === "Escape") {
        // Only the list closes: a search box would otherwise also clear what was typed.
        event.preventDefault();
        close();
      }
    });
    // Closed a moment after the box loses focus, so that a click on a suggestion lands first.
    box.addEventListener("blur", function () { setTimeout(close, 200); });
  }
})();
