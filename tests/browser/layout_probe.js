// Layout probe for the report pages (tests/test_browser_layout.py): loaded by a wrapper page that holds every
// report in iframes of a given width; after the charts have drawn it writes what a reviewer would see as broken
// into <pre id="probe-result"> as JSON: content wider than the page, charts wider than their frame, tables wider
// than the page outside a scroll frame, squeezed text cells, truncated axis labels ("…"), charts without marks.
function probeDocument(doc, win) {
  const out = [];
  const vw = doc.documentElement.clientWidth;
  if (doc.documentElement.scrollWidth > vw + 2) out.push({kind: "page-overflow", width: doc.documentElement.scrollWidth, viewport: vw});
  const mainEl = doc.querySelector("main") || doc.body;
  const right = mainEl.getBoundingClientRect().right;
  const framed = (el) => {
    for (let p = el.parentElement; p && p !== mainEl; p = p.parentElement) {
      if (/(auto|scroll)/.test(win.getComputedStyle(p).overflowX)) return p;
    }
    return null;
  };
  const heading = (el) => {
    let h = null;
    for (const x of doc.querySelectorAll("h2, h3")) {
      if (x.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) h = x; else break;
    }
    return h ? h.textContent.replace("¶", "").trim().slice(0, 60) : "";
  };
  doc.querySelectorAll("table").forEach((t) => {
    const r = t.getBoundingClientRect();
    if (r.right > right + 2 && !framed(t)) out.push({kind: "table-overflow", section: heading(t), width: Math.round(r.width)});
    t.querySelectorAll("td, th").forEach((c) => {
      const text = c.textContent.trim();
      if (text.length >= 6 && c.clientWidth > 0 && c.clientWidth < 44 && c.clientHeight > 3 * 20) {
        out.push({kind: "squeezed-cell", section: heading(t), text: text.slice(0, 20), width: c.clientWidth});
      }
    });
  });
  doc.querySelectorAll(".planning-chart").forEach((chart) => {
    const svg = chart.querySelector("svg.marks");
    if (!svg) { out.push({kind: "chart-not-drawn", section: heading(chart)}); return; }
    const frame = chart.parentElement.getBoundingClientRect();
    const r = svg.getBoundingClientRect();
    if (r.right > Math.min(frame.right, right) + 2) out.push({kind: "chart-overflow", section: heading(chart), width: Math.round(r.width), frame: Math.round(frame.width)});
    const marks = [...svg.querySelectorAll("g.role-mark")].filter((g) => !g.closest(".role-axis, .role-legend, .role-title"));
    const drawn = marks.filter((g) => g.querySelector("path, rect, line, text, circle, image, symbol, use"));
    if (drawn.length === 0) out.push({kind: "chart-no-marks", section: heading(chart)});
    const box = svg.getBoundingClientRect();
    svg.querySelectorAll("text").forEach((tx) => {
      if (tx.getAttribute("opacity") === "0" || win.getComputedStyle(tx).opacity === "0") return;  // hidden by Vega (overlap)
      if (tx.textContent.endsWith("…")) out.push({kind: "truncated-label", section: heading(chart), text: tx.textContent.slice(0, 30)});
      const t = tx.getBoundingClientRect();
      if (t.width > 0 && (t.right > box.right + 1 || t.left < box.left - 1)) out.push({kind: "clipped-text", section: heading(chart), text: tx.textContent.slice(0, 30)});
    });
  });
  return out;
}

window.addEventListener("load", () => {
  setTimeout(() => {
    const result = {};
    document.querySelectorAll("iframe").forEach((f) => {
      try {
        result[f.dataset.name] = probeDocument(f.contentDocument, f.contentWindow);
      } catch (e) {
        result[f.dataset.name] = [{kind: "probe-error", error: String(e)}];
      }
    });
    document.getElementById("probe-result").textContent = JSON.stringify(result);
  }, 4000);
});
