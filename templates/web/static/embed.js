/* pathways embed: tells the page around this one which part of the guide it shows.
   For each page of the walk it posts {type: "pathways:state", state, token, title} to the
   parent window, addressed to each origin the server allows to frame the embed (never to
   "*", so no other site can read the journey). The origins and the state come from the
   page itself (a meta element and data attributes): no inline script. Without JavaScript
   nothing is posted and the embed still works: links navigate inside the frame. */
(function () {
  "use strict";

  var parent = window.parent;
  if (!parent || parent === window) return;

  var meta = document.querySelector("meta[name='pathways-embed-origins']");
  var here = document.body && document.body.getAttribute("data-pathways-state");
  if (!meta || !here) return;

  var origins = meta.getAttribute("content").split(/\s+/).filter(Boolean);
  // Where the browser says who the parent is, post only to that origin: the others would
  // be dropped anyway, each with a console error. (A parent that hides its origin from
  // the frame gets a post per allowed origin, of which the browser delivers the right one.)
  var ancestors = window.location.ancestorOrigins;
  if (ancestors && ancestors.length && origins.indexOf(ancestors[0]) !== -1) {
    origins = [ancestors[0]];
  }

  var message = {
    type: "pathways:state",
    state: here,
    token: document.body.getAttribute("data-pathways-token"),
    title: document.body.getAttribute("data-pathways-title")
  };
  origins.forEach(function (origin) {
    parent.postMessage(message, origin);
  });
})();
