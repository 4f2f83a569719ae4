// The catalogue's search, as the reader types: the same filter the server applies to
// ?q= (every word must appear in a guide's text), on the list already on the page.
// Without this script the search form and the topic links work as plain addresses.
(function () {
  "use strict";
  var form = document.querySelector("[data-catalogue-search]");
  var list = document.querySelector("[data-catalogue-list]");
  var count = document.getElementById("catalogue-count");
  if (!form || !list || !count) return;
  var input = form.querySelector("input[name=q]");
  var tagField = form.querySelector("input[name=tag]");
  var tag = tagField ? tagField.value.toLowerCase() : "";
  var entries = Array.prototype.slice.call(list.querySelectorAll("li[data-search]"));

  function filter() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    entries.forEach(function (entry) {
      var text = entry.getAttribute("data-search");
      var tags = entry.getAttribute("data-tags").split("|");
      var match = (!tag || tags.indexOf(tag) !== -1) &&
        words.every(function (w) { return text.indexOf(w) !== -1; });
      entry.hidden = !match;
      if (match) shown += 1;
    });
    var said = shown + " of " + entries.length + " guides";
    if (words.length) said += " with \u201c" + input.value.trim() + "\u201d";
    if (tag) said += " on the topic \u201c" + tagField.value + "\u201d";
    count.textContent = words.length || tag ? said + "." : entries.length + " guides.";
  }

  input.addEventListener("input", filter);
})();
