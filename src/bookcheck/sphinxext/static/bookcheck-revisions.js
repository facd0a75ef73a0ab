// Revisions of a transcript as tabs. Choosing "3.14 debug" in one block chooses it in
// every block of the page that has it, and on every later page (localStorage).
(function () {
  "use strict";
  var KEY = "bookcheck-revision";

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function remember(label) {
    try { window.localStorage.setItem(KEY, label); } catch (e) { /* private mode */ }
  }

  function show(group, label) {
    var panels = group.querySelectorAll(":scope > .bookcheck-revision");
    var found = Array.prototype.some.call(panels, function (p) {
      return p.dataset.revision === label;
    });
    if (!found) { return; }
    panels.forEach(function (panel) {
      panel.hidden = panel.dataset.revision !== label;
    });
    group.querySelectorAll(".bookcheck-revision-tab").forEach(function (tab) {
      tab.setAttribute("aria-selected", String(tab.dataset.revision === label));
    });
  }

  function choose(label) {
    remember(label);
    document.querySelectorAll(".bookcheck-revisions").forEach(function (group) {
      show(group, label);
    });
  }

  function build(group) {
    var bar = document.createElement("div");
    bar.className = "bookcheck-revision-tabs";
    bar.setAttribute("role", "tablist");
    var panels = group.querySelectorAll(":scope > .bookcheck-revision");
    panels.forEach(function (panel) {
      var label = panel.querySelector(".bookcheck-revision-label");
      panel.dataset.revision = label.textContent.trim();
      label.hidden = true;
      var tab = document.createElement("button");
      tab.type = "button";
      tab.className = "bookcheck-revision-tab";
      tab.setAttribute("role", "tab");
      tab.dataset.revision = panel.dataset.revision;
      tab.textContent = panel.dataset.revision;
      tab.addEventListener("click", function () { choose(tab.dataset.revision); });
      bar.appendChild(tab);
    });
    group.insertBefore(bar, group.firstChild);
    show(group, panels[0].dataset.revision);
    var wanted = stored();
    if (wanted) { show(group, wanted); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".bookcheck-revisions").forEach(build);
  });
}());
