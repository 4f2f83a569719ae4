/* pathways notes: "My questions" and "What matters to me", kept only on the reader's device.

   Where the notes live: in the address's fragment, the part after "#", which browsers
   never send to a server (nor in a Referer header). Nothing here writes a cookie, local
   or session storage, sends a request or posts a message: the script only reads
   location.hash and changes it with history.replaceState (no new history entries).

   The fragment:  #notes=1&q=<state>.<key>&o=<state>.<words>&a=<prompt>.<words>
     q  a question ticked from a step's list (its key is made from its words, notes.py)
     o  a question the reader wrote at a step
     a  the reader's answer to one of the document's prompts ("What matters to me")
   q and o are kept in the order they were added. Words are percent-encoded, "+" for a
   space. Each part is read on its own, so a damaged address loses only the damaged
   parts: they are shown ("could not be read") and kept until the reader removes them.

   Walking on keeps the notes: a click on a link to another page of this site gets the
   fragment added to the link, and a GET form gets it on its action (a redirect keeps a
   fragment). A link to a place on the same page moves there without changing the
   address, so the notes stay.

   Without JavaScript none of this runs: the pages say that notes need it, and the print
   page has lines to write on. */
(function () {
  "use strict";

  var MARK = "notes=1";
  var ID = /^[a-z][a-z0-9_]*$/;
  var KEY = /^[0-9a-f]{8}$/;
  var CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
  var XLINK = "http://www.w3.org/1999/xlink";
  var NOT_CARRIED = /^\/(static|api)(\/|$)|^\/openapi\.json$/;

  var notes = emptyNotes();
  var pending = [];  // answers still being typed: saved before the page is left
  var max = 2000;
  var listeners = [];

  // ------------------------------------------------------------------ reading and writing

  function emptyNotes() {
    return { items: [], answers: {}, order: [], unread: [], repaired: 0 };
  }

  function copyNotes(from) {
    var answers = {};
    Object.keys(from.answers).forEach(function (id) { answers[id] = from.answers[id]; });
    return {
      items: from.items.slice(),
      answers: answers,
      order: from.order.slice(),
      unread: from.unread.slice(),
      repaired: from.repaired
    };
  }

  function encodeWords(text) {
    return encodeURIComponent(text).replace(/%20/g, "+");
  }

  function decodeWords(text) {
    return decodeURIComponent(text.replace(/\+/g, " "));
  }

  // What can be read of damaged words: each run of escapes that decodes, the rest as it is.
  function decodeWhatCan(text) {
    return text.replace(/\+/g, " ").replace(/(%[0-9A-Fa-f]{2})+/g, function (run) {
      try { return decodeURIComponent(run); } catch (e) { return run; }
    });
  }

  function tidy(text) {
    return text.replace(CONTROL, "").replace(/\r\n?/g, "\n").trim();
  }

  function parse(fragment) {
    var found = emptyNotes();
    if (!fragment) return found;
    fragment.split("&").forEach(function (part, index) {
      if (!part || (index === 0 && part === MARK)) return;
      var eq = part.indexOf("=");
      var name = eq < 0 ? "" : part.slice(0, eq);
      var value = eq < 0 ? "" : part.slice(eq + 1);
      var dot = value.indexOf(".");
      var where = dot < 0 ? "" : value.slice(0, dot);
      var rest = dot < 0 ? "" : value.slice(dot + 1);
      if (name === "q" && ID.test(where) && KEY.test(rest)) {
        found.items.push({ kind: "q", state: where, key: rest });
        return;
      }
      if ((name === "o" || name === "a") && ID.test(where) && rest) {
        var text;
        try {
          text = decodeWords(rest);
        } catch (e) {
          text = decodeWhatCan(rest);
          found.repaired += 1;
        }
        text = tidy(text);
        if (text) {
          if (name === "o") {
            found.items.push({ kind: "o", state: where, text: text });
          } else {
            if (!Object.prototype.hasOwnProperty.call(found.answers, where)) found.order.push(where);
            found.answers[where] = text;
          }
          return;
        }
      }
      found.unread.push(part);
    });
    return found;
  }

  function serialize(from) {
    var parts = [];
    from.items.forEach(function (item) {
      if (item.kind === "q") parts.push("q=" + item.state + "." + item.key);
      else parts.push("o=" + item.state + "." + encodeWords(item.text));
    });
    from.order.forEach(function (id) {
      if (from.answers[id]) parts.push("a=" + id + "." + encodeWords(from.answers[id]));
    });
    parts = parts.concat(from.unread);
    return parts.length ? [MARK].concat(parts).join("&") : "";
  }

  function isEmpty(from) {
    return !from.items.length && !from.unread.length &&
      !from.order.some(function (id) { return from.answers[id]; });
  }

  // A fragment that names an element of the page is a place on it, not notes.
  function isPlace(fragment) {
    if (!fragment || fragment.indexOf("=") !== -1) return false;
    try {
      return !!document.getElementById(decodeURIComponent(fragment));
    } catch (e) {
      return false;
    }
  }

  function read() {
    var fragment = window.location.hash.slice(1);
    return isPlace(fragment) ? emptyNotes() : parse(fragment);
  }

  function addressWith(fragment) {
    var here = window.location;
    return here.pathname + here.search + (fragment ? "#" + fragment : "");
  }

  // Replace the notes: refused (false) when they would not fit in the address. (A change
  // that makes too long an address shorter, such as a removal, is always allowed.)
  function commit(next, message) {
    var fragment = serialize(next);
    if (fragment.length > max && fragment.length >= serialize(notes).length) {
      say("There is no more room for notes in this page’s address (" + max +
        " characters at most). Shorten or remove a note to make room.", true);
      return false;
    }
    notes = next;
    notes.repaired = 0;  // what was mended is written back whole
    window.history.replaceState(window.history.state, "", addressWith(fragment));
    listeners.forEach(function (update) { update(); });
    if (message) say(message, false);
    return true;
  }

  // ------------------------------------------------------------------ carrying them on

  function carried(url) {
    return url.origin === window.location.origin && !NOT_CARRIED.test(url.pathname);
  }

  function samePage(url) {
    var here = window.location;
    return url.origin === here.origin && url.pathname === here.pathname && url.search === here.search;
  }

  function goTo(target) {
    if (!target.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
      target.setAttribute("tabindex", "-1");
    }
    document.querySelectorAll(".notes-targeted").forEach(function (e) {
      e.classList.remove("notes-targeted");
    });
    if (target.tagName !== "MAIN") target.classList.add("notes-targeted");
    target.focus();
    target.scrollIntoView();
  }

  function saveTyping() {
    pending.forEach(function (save) { save(); });
  }

  // A link's address as written: HTML links have href, the map's SVG links xlink:href.
  function hrefOf(link) {
    return link.getAttribute("href") || link.getAttributeNS(XLINK, "href");
  }

  function setHref(link, address) {
    if (link.hasAttribute("href")) link.setAttribute("href", address);
    else link.setAttributeNS(XLINK, "xlink:href", address);
  }

  function onLink(event) {
    saveTyping();
    var link = event.target && event.target.closest ? event.target.closest("a") : null;
    var written = link ? hrefOf(link) : null;
    if (!written) return;
    var url;
    try { url = new URL(written, document.baseURI); } catch (e) { return; }
    var fragment = serialize(notes);
    if (samePage(url) && url.hash) {
      if (!fragment || event.type !== "click") return;
      var id;
      try { id = decodeURIComponent(url.hash.slice(1)); } catch (e) { return; }
      var target = document.getElementById(id);
      if (!target) return;
      event.preventDefault();
      goTo(target);
      return;
    }
    if (!carried(url)) return;
    if (fragment) {
      url.hash = fragment;
    } else if (url.hash.indexOf("#" + MARK) === 0) {
      url.hash = "";
    } else {
      return;
    }
    setHref(link, url.href);
  }

  function onSubmit(event) {
    saveTyping();
    var form = event.target;
    if (!form || form.tagName !== "FORM" || (form.method || "get").toLowerCase() !== "get") return;
    var fragment = serialize(notes);
    var url;
    try { url = new URL(form.action, window.location.href); } catch (e) { return; }
    if (!carried(url)) return;
    url.hash = fragment;
    form.action = url.href;
  }

  // ------------------------------------------------------------------ on the page

  var statusBoxes = [];

  function say(message, refused) {
    statusBoxes.forEach(function (box) {
      box.classList.toggle("is-refused", !!refused);
      // Emptied first, so the same words said twice are announced twice.
      box.textContent = "";
      window.setTimeout(function () { box.textContent = message; }, 50);
    });
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function questionCount() {
    return notes.items.length;
  }

  function countWords(n) {
    if (n === 0) return "Your list has no questions yet.";
    if (n === 1) return "Your list has 1 question.";
    return "Your list has " + n + " questions.";
  }

  // Every step's title and questions by key, from the page's hidden catalogue.
  function catalogueOf(holder) {
    var states = {};
    holder.querySelectorAll("[data-notes-catalogue] [data-state]").forEach(function (list) {
      var questions = {};
      list.querySelectorAll("[data-key]").forEach(function (item) {
        questions[item.getAttribute("data-key")] = item.textContent;
      });
      states[list.getAttribute("data-state")] = {
        title: list.getAttribute("data-title"),
        questions: questions
      };
    });
    return { states: states };
  }

  function describe(item, catalogue) {
    var step = catalogue && catalogue.states[item.state];
    var text = item.kind === "q" ? (step && step.questions[item.key]) : item.text;
    return { text: text || null, title: step ? step.title : null };
  }

  // The problem box: what could not be read, and a way to remove it.
  function showProblem(box, missing) {
    box.textContent = "";
    var unread = notes.unread;
    if (!unread.length && !notes.repaired && !missing) {
      box.hidden = true;
      return;
    }
    var nothingRead = isEmptyBesidesUnread() && !notes.repaired;
    box.appendChild(element("p", "notes-problem-title",
      nothingRead ? "These notes could not be read." : "Some of these notes could not be read."));
    box.appendChild(element("p", "",
      "The address may have been cut short or changed when it was copied." +
      (nothingRead ? "" : " Everything that could be read is shown on this page.")));
    if (missing) {
      box.appendChild(element("p", "", missing === 1
        ? "1 ticked question is no longer in this guide (its words may have changed)."
        : missing + " ticked questions are no longer in this guide (their words may have changed)."));
    }
    if (unread.length) {
      box.appendChild(element("p", "", "The part that could not be read:"));
      var list = element("ul");
      unread.forEach(function (raw) { list.appendChild(element("li", "", decodeWhatCan(raw))); });
      box.appendChild(list);
      var remove = element("button", "button button-secondary", "Remove the part that could not be read");
      remove.type = "button";
      remove.addEventListener("click", function () {
        var next = copyNotes(notes);
        next.unread = [];
        next.repaired = 0;
        if (commit(next, "The part that could not be read has been removed.")) box.hidden = true;
      });
      box.appendChild(remove);
    }
    box.hidden = false;
  }

  function isEmptyBesidesUnread() {
    return !notes.items.length && !notes.order.some(function (id) { return notes.answers[id]; });
  }

  function removeButton(item, words) {
    var button = element("button", "button button-secondary note-remove", "Remove");
    button.type = "button";
    button.appendChild(element("span", "visually-hidden", " the question: " + words));
    button.addEventListener("click", function () {
      var list = button.closest("ul, ol");
      var index = list ? Array.prototype.indexOf.call(list.querySelectorAll(".note-remove"), button) : 0;
      var next = copyNotes(notes);
      next.items = notes.items.filter(function (other) { return other !== item; });
      if (commit(next, "Removed from your questions: " + words + " " + countWords(next.items.length))) {
        keepFocus(list, index);
      }
    });
    return button;
  }

  // The removed question's button is gone: focus the next one in its list (or the one
  // before), else the place the list belongs to, so keyboard users are not sent back to
  // the top of the page.
  function keepFocus(list, index) {
    var buttons = list ? list.querySelectorAll(".note-remove") : [];
    if (buttons.length) {
      buttons[Math.min(index, buttons.length - 1)].focus();
      return;
    }
    var home = list && list.closest("[data-notes-step]")
      ? list.closest("[data-notes-step]").querySelector("[data-note-own-input]")
      : document.getElementById("my-questions-heading");
    if (!home) return;
    if (!/^(TEXTAREA|INPUT|BUTTON)$/.test(home.tagName)) home.setAttribute("tabindex", "-1");
    home.focus();
  }

  // ------------------------------------------------------------------ a step's page

  function setUpStep(holder) {
    var state = holder.getAttribute("data-notes-step");
    var boxes = Array.prototype.slice.call(holder.querySelectorAll("[data-note-question]"));
    var input = holder.querySelector("[data-note-own-input]");
    var add = holder.querySelector("[data-note-own-add]");
    var ownHolder = holder.querySelector("[data-note-own-holder]");
    var ownList = holder.querySelector("[data-note-own-list]");
    var count = holder.querySelector("[data-notes-count]");
    var problem = holder.querySelector("[data-notes-problem]");

    function ticked(key) {
      return notes.items.some(function (i) { return i.kind === "q" && i.state === state && i.key === key; });
    }

    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        var key = box.getAttribute("data-note-question");
        var words = box.labels && box.labels[0] ? box.labels[0].textContent : "";
        var next = copyNotes(notes);
        var message;
        if (box.checked) {
          next.items.push({ kind: "q", state: state, key: key });
          message = "Added to your questions: " + words + " " + countWords(next.items.length);
        } else {
          next.items = next.items.filter(function (i) {
            return !(i.kind === "q" && i.state === state && i.key === key);
          });
          message = "Removed from your questions: " + words + " " + countWords(next.items.length);
        }
        if (!commit(next, message)) box.checked = !box.checked;
      });
    });

    function addOwn() {
      var words = tidy(input.value);
      if (!words) {
        say("Write a question in the box first, then choose Add my question.", true);
        input.focus();
        return;
      }
      var next = copyNotes(notes);
      next.items.push({ kind: "o", state: state, text: words });
      if (commit(next, "Added to your questions: " + words + " " + countWords(next.items.length))) {
        input.value = "";
        input.focus();
      }
    }
    add.addEventListener("click", addOwn);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        addOwn();
      }
    });

    function update() {
      boxes.forEach(function (box) { box.checked = ticked(box.getAttribute("data-note-question")); });
      ownList.textContent = "";
      notes.items.forEach(function (item) {
        if (item.kind !== "o" || item.state !== state) return;
        var li = element("li");
        li.appendChild(element("p", "note-text", item.text));
        li.appendChild(removeButton(item, item.text));
        ownList.appendChild(li);
      });
      ownHolder.hidden = !ownList.children.length;
      count.textContent = countWords(questionCount());
      showProblem(problem, 0);
    }
    listeners.push(update);
    update();
  }

  // ------------------------------------------------------------------ "My questions"

  function fillList(list, catalogue, removable) {
    var missing = 0;
    list.textContent = "";
    notes.items.forEach(function (item) {
      var shown = describe(item, catalogue);
      if (!shown.text) {
        missing += 1;
        return;
      }
      var li = element("li");
      li.appendChild(element("p", "note-text", shown.text));
      var from = shown.title ? "From the step “" + shown.title + "”" : "From a step that is no longer in this guide";
      if (item.kind === "o") from += ", my own question";
      li.appendChild(element("p", "note-from", "(" + from + ")"));
      if (removable) li.appendChild(removeButton(item, shown.text));
      list.appendChild(li);
    });
    return missing;
  }

  function setUpNotesPage(holder) {
    var catalogue = catalogueOf(holder);
    var list = holder.querySelector("[data-notes-list]");
    var empty = holder.querySelector("[data-notes-empty]");
    var problem = holder.querySelector("[data-notes-problem]");
    var answers = Array.prototype.slice.call(holder.querySelectorAll("[data-note-answer]"));

    // An answer is written to the address a moment after the typing stops (browsers
    // refuse a flood of address changes), and at once when the box loses focus or a
    // link is followed.
    answers.forEach(function (box) {
      var id = box.getAttribute("data-note-answer");
      var timer = null;
      function save() {
        window.clearTimeout(timer);
        timer = null;
        var words = tidy(box.value);
        if (words === (notes.answers[id] || "")) return;
        var next = copyNotes(notes);
        if (!Object.prototype.hasOwnProperty.call(next.answers, id)) next.order.push(id);
        next.answers[id] = words;
        if (!commit(next, "")) box.value = notes.answers[id] || "";
      }
      box.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(save, 300);
      });
      box.addEventListener("blur", save);
      pending.push(save);
    });

    function update() {
      var missing = fillList(list, catalogue, true);
      empty.hidden = list.children.length > 0;
      answers.forEach(function (box) {
        var id = box.getAttribute("data-note-answer");
        if (tidy(box.value) !== (notes.answers[id] || "")) box.value = notes.answers[id] || "";
      });
      showProblem(problem, missing);
    }
    listeners.push(update);
    update();
  }

  // ------------------------------------------------------------------ the print page

  function drawCode(holder) {
    var section = document.querySelector("[data-notes-qr-section]");
    var spot = document.querySelector("[data-notes-qr]");
    if (!section || !spot) return;
    if (isEmpty(notes) || typeof window.qrcode !== "function") {
      section.hidden = true;
      return;
    }
    var code;
    try {
      code = window.qrcode(0, "L");
      code.addData(window.location.href, "Byte");
      code.make();
    } catch (e) {
      spot.removeAttribute("role");
      spot.removeAttribute("aria-label");
      spot.textContent = "This page’s address is too long to show as a QR code.";
      section.hidden = false;
      return;
    }
    spot.innerHTML = code.createSvgTag({ cellSize: 4, margin: 16, scalable: true });
    var svg = spot.querySelector("svg");
    if (svg) {
      svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("focusable", "false");
    }
    section.hidden = false;
  }

  function setUpPrint(holder) {
    var catalogue = catalogueOf(holder);
    var list = holder.querySelector("[data-notes-list]");
    var problem = holder.querySelector("[data-notes-problem]");
    var answers = Array.prototype.slice.call(holder.querySelectorAll("[data-note-answer-text]"));
    var blanks = answers.map(function (dd) { return dd.innerHTML; });

    function update() {
      var missing = fillList(list, catalogue, false);
      list.hidden = !list.children.length;
      answers.forEach(function (dd, index) {
        var words = notes.answers[dd.getAttribute("data-note-answer-text")];
        if (words) {
          dd.textContent = words;
        } else {
          dd.innerHTML = blanks[index];
        }
      });
      showProblem(problem, missing);
      drawCode(holder);
    }
    listeners.push(update);
    update();
  }

  // ------------------------------------------------------------------ clearing

  var confirmCount = 0;

  function setUpClear(holder) {
    var clear = holder.querySelector("[data-notes-clear]");
    if (!clear) return;
    var confirmBox = element("div", "notes-confirm");
    var asked = element("p", "", "Clear every question and answer from this page’s address?" +
      " This cannot be undone.");
    asked.id = "notes-confirm-" + (++confirmCount);
    confirmBox.hidden = true;
    confirmBox.setAttribute("role", "group");
    confirmBox.setAttribute("aria-labelledby", asked.id);
    confirmBox.appendChild(asked);
    var yes = element("button", "button button-secondary", "Yes, clear my notes");
    var no = element("button", "button button-secondary", "Keep my notes");
    yes.type = "button";
    no.type = "button";
    confirmBox.appendChild(yes);
    confirmBox.appendChild(no);
    holder.appendChild(confirmBox);
    clear.addEventListener("click", function () {
      clear.hidden = true;
      confirmBox.hidden = false;
      yes.focus();
    });
    no.addEventListener("click", function () {
      confirmBox.hidden = true;
      clear.hidden = false;
      clear.focus();
    });
    yes.addEventListener("click", function () {
      confirmBox.hidden = true;
      clear.hidden = false;
      commit(emptyNotes(), "Your notes have been cleared.");
      clear.focus();
    });
  }

  // ------------------------------------------------------------------ start

  function start() {
    notes = read();
    document.documentElement.classList.add("js-notes");
    var holders = document.querySelectorAll("[data-notes-max]");
    if (holders.length) {
      var limit = parseInt(holders[0].getAttribute("data-notes-max"), 10);
      if (limit > 0) max = limit;
    }
    document.querySelectorAll("[data-notes-nojs]").forEach(function (e) { e.hidden = true; });
    document.querySelectorAll("[data-notes-tools]").forEach(function (e) { e.hidden = false; });
    document.querySelectorAll("[data-notes-plain]").forEach(function (e) { e.hidden = true; });
    statusBoxes = Array.prototype.slice.call(document.querySelectorAll("[data-notes-status]"));
    document.querySelectorAll("[data-notes-step]").forEach(setUpStep);
    document.querySelectorAll("[data-notes-page]").forEach(setUpNotesPage);
    document.querySelectorAll("[data-notes-print]").forEach(setUpPrint);
    document.querySelectorAll("[data-notes-clear-holder]").forEach(setUpClear);
    window.addEventListener("pagehide", saveTyping);
    window.addEventListener("hashchange", function () {
      if (isPlace(window.location.hash.slice(1))) return;
      notes = read();
      listeners.forEach(function (update) { update(); });
    });
  }

  document.addEventListener("click", onLink, true);
  document.addEventListener("auxclick", onLink, true);
  document.addEventListener("submit", onSubmit, true);
  // Deferred scripts run before DOMContentLoaded, in order: waiting for it lets the QR
  // code library, loaded after this script on the print page, be there.
  if (document.readyState === "loading" || document.readyState === "interactive") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
