// Back office: a chosen CSV file is read into the import form's text box, so that the form
// (which works without JavaScript by pasting) sends it.
document.querySelectorAll("[data-csv-file]").forEach(function (input) {
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    var box = input.form.querySelector("textarea[name=csv]");
    if (!file || !box) return;
    var reader = new FileReader();
    reader.onload = function () { box.value = reader.result; };
    reader.readAsText(file);
  });
});
