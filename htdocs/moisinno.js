// Mois de l'innovation publique — progressive enhancement only: every page
// works without this script.
document.addEventListener("DOMContentLoaded", function () {
  // After a refused form, move the focus to the error summary so that
  // screen-reader and keyboard users land on the list of errors.
  var summary = document.getElementById("erreurs");
  if (summary) {
    summary.focus();
  }
});
