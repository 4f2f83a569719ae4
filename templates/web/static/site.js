/* pathways: small additions for browsers with JavaScript. Every page works without it.
   - The print page gets a "Print this page" button.
   - Presenter mode gets keyboard shortcuts (listed on every presenter page, and in a
     dialog on the ? key), a blank screen (W or the full stop) and a key to hide the path
     so far (H). Nothing ever moves on by itself: each shortcut does only what a click on
     the same link or control would do. */
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

  // The blank screen: a modal dialog, black from edge to edge, that says in words (to a
  // screen reader) how to come back. The same key, or Escape, closes it.
  var blank = null;
  function toggleBlank() {
    if (blank && blank.open) {
      blank.close();
      return;
    }
    if (!blank) {
      blank = document.createElement("dialog");
      blank.className = "blank-screen";
      blank.setAttribute("aria-label", "Blank screen");
      var words = document.createElement("p");
      words.className = "visually-hidden";
      words.textContent = "The screen is blank. Press Escape, W or the full stop to come back.";
      words.tabIndex = -1;
      blank.appendChild(words);
      document.body.appendChild(blank);
    }
    blank.showModal();
    blank.firstChild.focus();
  }

  // The ? key: the page's list of shortcuts in a dialog, with a Close button; Escape
  // closes it too, and focus goes back where it was (the dialog element does both).
  var help = null;
  function showHelp() {
    var list = document.querySelector("#shortcuts .shortcuts-body");
    if (!list) return false;
    if (!help) {
      help = document.createElement("dialog");
      help.className = "shortcuts-dialog";
      help.setAttribute("aria-labelledby", "shortcuts-dialog-heading");
      var heading = document.createElement("h2");
      heading.id = "shortcuts-dialog-heading";
      heading.textContent = "Keyboard shortcuts";
      heading.tabIndex = -1;
      help.appendChild(heading);
      help.appendChild(list.cloneNode(true));
      var close = document.createElement("button");
      close.type = "button";
      close.className = "button";
      close.textContent = "Close";
      close.addEventListener("click", function () { help.close(); });
      help.appendChild(close);
      document.body.appendChild(help);
    }
    if (!help.open) help.showModal();
    return true;
  }

  function togglePath() {
    var path = document.querySelector("details.path-so-far");
    if (!path) return false;
    path.open = !path.open;
    return true;
  }

  function addShortcuts() {
    if (!document.body.classList.contains("mode-present")) return;
    // Enter in the jump list goes there, as the Go button does.
    var jump = document.querySelector("select[data-shortcut='jump']");
    if (jump && jump.form) {
      jump.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") return;
        event.preventDefault();
        if (typeof jump.form.requestSubmit === "function") {
          jump.form.requestSubmit();
        } else {
          jump.form.submit();
        }
      });
    }
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      var key = event.key;
      if (blank && blank.open) {
        // While the screen is blank only the keys that bring it back do anything
        // (Escape is the dialog's own).
        if (key === "w" || key === "W" || key === ".") toggleBlank();
        if (key !== "Escape") event.preventDefault();
        return;
      }
      if (help && help.open) return;
      if (isTyping(event.target)) return;
      var choices = document.querySelectorAll("a[data-choice]");
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
        var map = document.querySelector("a[data-shortcut='map']");
        if (!map) return;
        follow(map);
      } else if (key === "j" || key === "J") {
        if (!jump) return;
        jump.focus();
      } else if (key === "h" || key === "H") {
        if (!togglePath()) return;
      } else if (key === "w" || key === "W" || key === ".") {
        toggleBlank();
      } else if (key === "?") {
        if (!showHelp()) return;
      } else if (/^[1-9]$/.test(key)) {
        var chosen = document.querySelector("a[data-choice='" + key + "']");
        if (!chosen) return;
        follow(chosen);
      } else {
        return;
      }
      event.preventDefault();
    });
    // Without a script the "Keys" link goes to the list on the page; with one it opens
    // the dialog.
    var keys = document.querySelector("a[data-shortcut='help']");
    if (keys) {
      keys.addEventListener("click", function (event) {
        if (showHelp()) event.preventDefault();
      });
    }
  }

  ready(function () {
    addPrintButton();
    addShortcuts();
  });
})();
