// A button marked data-print prints the page; without JavaScript it stays hidden.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
