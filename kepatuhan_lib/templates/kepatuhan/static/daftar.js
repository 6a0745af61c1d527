// An edition's index: show only the reports whose entity or province name holds what is typed (case and
// accents ignored), of the year and kind chosen. Inline and allowed by its hash; without it all stays listed.
(() => {
  const form = document.getElementById("saring");
  const rows = [...document.querySelectorAll("tr[data-nama]")];
  const status = document.getElementById("saring-hasil");
  const plain = (text) => text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();

  function apply() {
    const query = plain(form.elements.cari.value);
    const year = form.elements.tahun.value;
    const kind = form.elements.jenis.value;
    let shown = 0;
    for (const row of rows) {
      const match = (!query || row.dataset.nama.includes(query) || row.dataset.wilayah.includes(query))
        && (!year || row.dataset.tahun === year) && (!kind || row.dataset.jenis === kind);
      row.hidden = !match;
      if (match) shown += 1;
    }
    for (const group of document.querySelectorAll(".kelompok, .tahun")) {
      group.hidden = !group.querySelector("tr[data-nama]:not([hidden])");
    }
    const filtering = Boolean(query || year || kind);
    document.body.classList.toggle("menyaring", filtering);
    const found = status.dataset.cocok.replace("{n}", shown).replace("{total}", rows.length);
    status.textContent = filtering ? (shown ? found : status.dataset.kosong) : "";
  }

  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("reset", () => setTimeout(apply));
  apply();
})();
