/* pathways: small additions for browsers with JavaScript. Every page works without it.
   - The print page gets a "Print this page" button.
   - Presenter mode gets keyboard shortcuts (listed on the page). Nothing ever moves on
     by itself: each shortcut does only what a click on the same link would do. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function addPrintButton() {
    var holder = document.querySelector("[data-print-button]");
    if (!holder || typeof window.print !== "function") return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary print-button";
    button.textContent = "Print this page";
    button.addEventListener("click", function () { window.print(); });
    holder.appendChild(button);
  }

  function isTyping(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "select" || tag === "textarea" ||
      target.isContentEditable;
  }

  function follow(link) {
    if (link && link.href) window.location.assign(link.href);
  }

  function addShortcuts() {
    if (!document.body.classList.contains("mode-present")) return;
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (isTyping(event.target)) return;
      var choices = document.querySelectorAll("a[data-choice]");
      var key = event.key;
      if (key === "ArrowRight" || key === "n" || key === "N") {
        if (choices.length === 1) {
          follow(choices[0]);
        } else if (choices.length > 1) {
          choices[0].focus();
        } else {
          return;
        }
      } else if (key === "ArrowLeft" || key === "b" || key === "B") {
        var back = document.querySelector("a[data-shortcut='back']");
        if (!back) return;
        follow(back);
      } else if (key === "m" || key === "M") {
        follow(document.querySelector("a[data-shortcut='map']"));
      } else if (key === "j" || key === "J") {
        var jump = document.querySelector("[data-shortcut='jump']");
        if (!jump) return;
        jump.focus();
      } else if (/^[1-9]$/.test(key)) {
        var chosen = document.querySelector("a[data-choice='" + key + "']");
        if (!chosen) return;
        follow(chosen);
      } else {
        return;
      }
      event.preventDefault();
    });
  }

  ready(function () {
    addPrintButton();
    addShortcuts();
  });
})();
