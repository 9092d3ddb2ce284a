/* The group visit page (templates/web/box_office/group_visit.html) from a scanner.
 *
 * The working area (#group-visit) is swapped whole by htmx after each scan, removal and recording;
 * this puts the focus back where the next scan goes: the community card's field while it is empty
 * (when the page opens, and after every recording), else the member's field, its text cleared.
 * Enter in the community card's field moves on to the member's (box-office.js, data-enter-moves-to);
 * Enter in the member's field sends the form's first button, "Add the member", never "Record".
 */
(function () {
  "use strict";

  function focusNext() {
    var area = document.getElementById("group-visit");
    if (!area) return;
    var community = area.querySelector('input[name="community_card"]');
    var member = area.querySelector("input[data-group-member]");
    var target = community && !community.value.trim() ? community : member;
    if (!target) return;
    target.focus({ preventScroll: true });
    if (target.select) target.select();
    var verdict = area.querySelector(".verdict");
    (verdict || target).scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("DOMContentLoaded", focusNext);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "group-visit") focusNext();
  });
})();
