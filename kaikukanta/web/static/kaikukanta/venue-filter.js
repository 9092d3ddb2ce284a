// The ticket agency's venues (web/national_network/agency_form.html): typing in the filter shows the
// venues whose name contains the words, and the regions that have such venues. Without script every
// venue is shown; hidden ones keep their choice.
document.addEventListener("DOMContentLoaded", () => {
  const filter = document.querySelector("[data-venue-filter]");
  if (!filter) return;
  filter.addEventListener("input", () => {
    const words = filter.value.trim().toLocaleLowerCase();
    document.querySelectorAll("[data-venue-group]").forEach((group) => {
      let shown = 0;
      group.querySelectorAll("[data-venue-choice]").forEach((choice) => {
        const match = !words || choice.textContent.toLocaleLowerCase().includes(words);
        choice.hidden = !match;
        if (match) shown += 1;
      });
      group.hidden = shown === 0;
    });
  });
});
