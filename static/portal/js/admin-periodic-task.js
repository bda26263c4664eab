/* django_celery_beat's periodic task form (templates/admin/djcelery/
   change_periodictask_form.html): under the crontab field's help, the chosen schedule in
   words; the read-only "crontab translation" row is hidden. */
"use strict";
(function () {
    const script = document.getElementById("periodic-task-overrides");
    const data = document.getElementById("readable-crontabs");
    const help = document.querySelector(".field-crontab .help");
    const select = document.getElementById("id_crontab");
    document.querySelectorAll(".field-crontab_translation").forEach((row) => {
        row.style.display = "none";
    });
    if (!script || !data || !help || !select) {
        return;
    }
    const readable = JSON.parse(data.textContent);
    const original = help.textContent.trim();
    select.addEventListener("change", () => {
        const line = document.createElement("div");
        line.textContent = original;
        const words = document.createElement("div");
        words.textContent = script.dataset.inWords + " " + (readable[select.value] || "");
        help.replaceChildren(line, words);
    });
})();
