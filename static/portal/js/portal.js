/* The portal's small behaviours, all progressive: every page works without them.
   Loaded on every page with `defer` (CSP: script-src 'self', so no inline script). */
(function () {
  "use strict";

  var FIELDS = "input:not([type=hidden]), select, textarea, button";

  /* A form sent back with errors: focus moves to the error summary, which is read out. */
  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (!summary) return;
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
  }

  /* A summary's link focuses its field and shows the field's label or legend with it. */
  function followErrorLink(event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) return;
    if (!target.matches(FIELDS)) target = target.querySelector(FIELDS) || target;
    event.preventDefault();
    var fieldset = target.closest("fieldset");
    var caption = (fieldset && fieldset.querySelector("legend")) ||
      (target.id && document.querySelector("label[for='" + target.id + "']"));
    (caption || target).scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  }

  /* The account menu closes with Escape (focus back on its button), when focus leaves it,
     and on a click elsewhere. */
  function accountMenu(menu) {
    var summary = menu.querySelector("summary");
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        summary.focus();
      }
    });
    menu.addEventListener("focusout", function (event) {
      if (menu.open && event.relatedTarget && !menu.contains(event.relatedTarget)) menu.open = false;
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  }

  /* After "Next" or "Previous" replaced a list, focus goes to the list's heading and the
     new page ("Page 2 of 5") is announced. */
  function headingBefore(element) {
    for (var node = element; node; node = node.previousElementSibling || node.parentElement) {
      if (node !== element && /^H[1-3]$/.test(node.tagName)) return node;
      if (node === document.body) break;
    }
    return null;
  }

  function afterPaging(event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!trigger || !trigger.hasAttribute("data-paging")) return;
    var target = event.detail.target;
    var heading = headingBefore(target) || target;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus();
    var status = target.querySelector("[data-page-status]");
    var announcer = document.getElementById("portal-announcer");
    if (status && announcer) {
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = status.textContent; }, 50);
    }
  }

  /* A tree of department checkboxes gets a filter box: only matching departments (and
     the departments above them) stay visible. Enter in the box does not send the form. */
  function departmentTree(tree, index) {
    var id = "department-filter-" + index;
    var wrap = document.createElement("div");
    wrap.className = "department-tree__filter";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = tree.getAttribute("data-filter-label");
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    wrap.appendChild(label);
    wrap.appendChild(input);
    tree.insertBefore(wrap, tree.firstChild);
    var items = Array.prototype.slice.call(tree.querySelectorAll("li"));
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    input.addEventListener("input", function () {
      var words = input.value.trim().toLocaleLowerCase();
      items.forEach(function (item) { item.hidden = Boolean(words); });
      if (!words) return;
      items.forEach(function (item) {
        var own = item.querySelector("label");
        if (own && own.textContent.toLocaleLowerCase().indexOf(words) !== -1) {
          for (var node = item; node && node !== tree; node = node.parentElement) {
            if (node.tagName === "LI") node.hidden = false;
          }
          Array.prototype.forEach.call(item.querySelectorAll("li"), function (child) {
            child.hidden = false;
          });
        }
      });
    });
  }

  document.addEventListener("click", followErrorLink);
  document.addEventListener("htmx:afterSettle", afterPaging);
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details.account-menu"), accountMenu);
    Array.prototype.forEach.call(document.querySelectorAll("[data-department-tree]"), departmentTree);
    focusErrorSummary();
  });
})();
