// The report's only script (the page's Content-Security-Policy allows this exact text by its
// hash, nothing else). Everything works without it: it only shows the finding filters, applies
// them, and opens a trace when a link leads to it. No less-than sign and no ampersand in it: the
// page is well-formed XML as well as HTML.
(function () {
  "use strict";
  document.documentElement.className = "js";
  var form = document.getElementById("filters");
  function matches(finding, code, vpc) {
    if (code !== "") {
      if (finding.getAttribute("data-code") !== code) {
        return false;
      }
    }
    if (vpc === "") {
      return true;
    }
    var vpcs = finding.getAttribute("data-vpcs");
    return vpcs === "" || vpcs.split(" ").indexOf(vpc) !== -1;
  }
  function apply() {
    var code = document.getElementById("f-code").value;
    var vpc = document.getElementById("f-vpc").value;
    var shown = 0;
    var all = 0;
    document.querySelectorAll("#findings .component").forEach(function (component) {
      var any = false;
      component.querySelectorAll(".finding").forEach(function (finding) {
        var ok = matches(finding, code, vpc);
        finding.hidden = !ok;
        all += 1;
        if (ok) {
          shown += 1;
          any = true;
        }
      });
      component.hidden = !any;
    });
    document.getElementById("f-count").textContent = shown + " of " + all + " groups shown";
  }
  if (form) {
    form.hidden = false;
    form.addEventListener("change", apply);
    apply();
  }
  function openTarget() {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      if (target.tagName === "DETAILS") {
        target.open = true;
      }
      var finding = target.closest(".finding");
      if (finding) {
        finding.hidden = false;
        finding.parentNode.hidden = false;
      }
    }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
