// A name filter over a long list of checkboxes (the national network's forms: a region's
// municipalities, a ticket agency's venues by region). Typing in an input with
// data-filter-for="<id>" shows the choices inside that element whose label contains the words, and
// the groups (nested fieldsets) that still have some. Without script every choice is shown; hidden
// ones keep their state.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-filter-for]").forEach((filter) => {
    const target = document.getElementById(filter.dataset.filterFor);
    if (!target) return;
    filter.addEventListener("input", () => {
      const words = filter.value.trim().toLocaleLowerCase();
      target.querySelectorAll(".choice-list label").forEach((choice) => {
        choice.hidden = Boolean(words) && !choice.textContent.toLocaleLowerCase().includes(words);
      });
      target.querySelectorAll("fieldset.choices").forEach((group) => {
        group.hidden = !group.querySelector(".choice-list label:not([hidden])");
      });
    });
  });
});
