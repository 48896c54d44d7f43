// The reader edition: keyboard access to every scrolling box, names for unlabelled controls.
(function () {
  function fix() {
    document.querySelectorAll("button, a.btn").forEach(function (b) {
      if (!b.getAttribute("aria-label") && !b.textContent.trim()) {
        var t = b.getAttribute("title") || b.getAttribute("data-bs-title") ||
                (b.className.indexOf("search") >= 0 ? "Search" : "");
        if (t) b.setAttribute("aria-label", t);
      }
    });
    document.querySelectorAll(".bd-article pre, .bd-article table, .cell_output, .output, .ehelse-table-wrap, div.highlight")
      .forEach(function (el) {
        if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
          el.setAttribute("tabindex", "0");
          if (!el.getAttribute("role")) el.setAttribute("role", "region");
          if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", "Scrollable content");
        }
      });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fix);
  else fix();
  window.addEventListener("resize", fix);
})();
